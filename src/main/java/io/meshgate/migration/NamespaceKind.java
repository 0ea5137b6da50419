package io.meshgate.migration;

/**
 * Namespaces as targets: the flip is the {@code istio.io/rev} label of the namespace (or, in tag
 * mode, the tag it follows), the way back its previous labels (or, in tag mode, a pin to the old
 * revision, or the tag moved back with {@code rollbackScope: Migration}).
 */
class NamespaceKind implements TargetKind {
  @Override
  public Section section() {
    return Section.NAMESPACES;
  }

  @Override
  public String describe(String name) {
    return "namespace " + name;
  }

  @Override
  public Reason notFound() {
    return Reason.NAMESPACE_NOT_FOUND;
  }

  @Override
  public String namespace(String name) {
    return name;
  }

  @Override
  public Observed.TargetFacts facts(Observed observed, String name) {
    return observed.facts(name);
  }

  /**
   * Tag mode moves the namespaces that follow the tag; one labelled otherwise would not move with
   * it, so it is left as it is and said so.
   */
  @Override
  public Cause leftOut(TickContext tick, TargetState ns) {
    MigrationSpec spec = tick.spec;
    if (!spec.tagMode() || tick.in.observed().followingTag().contains(ns.name)) {
      return null;
    }
    return new Cause(
        Reason.NOT_FOLLOWING_TAG,
        describe(ns.name)
            + " does not follow tag "
            + spec.tag().name()
            + " (its labels do not select istio.io/rev="
            + spec.tag().name()
            + "); left as it is");
  }

  @Override
  public Change forward(TickContext tick, TargetState ns, Observed.TargetFacts facts) {
    MigrationSpec spec = tick.spec;
    if (spec.tagMode()) {
      return tick.tag.forward();
    }
    return facts.flipped()
        ? null
        : new Change(new Action.Flip(ns.name), "flipping istio.io/rev to " + spec.toRevision());
  }

  @Override
  public Cause moved(TickContext tick) {
    MigrationSpec spec = tick.spec;
    return spec.tagMode()
        ? tick.tag.moved("restarting workloads")
        : new Cause(Reason.FLIPPED, "istio.io/rev=" + spec.toRevision() + "; restarting workloads");
  }

  @Override
  public Action restart(TickContext tick, TargetState ns) {
    return new Action.Restart(ns.name, ns.restartId, tick.goal(ns));
  }

  /**
   * Its labels restored; in tag mode a pin to the old revision or, with {@code rollbackScope:
   * Migration}, the tag moved back.
   */
  @Override
  public Action back(TickContext tick, TargetState ns, Observed.TargetFacts facts) {
    MigrationSpec spec = tick.spec;
    if (spec.dryRun()) {
      return null;
    }
    if (!spec.tagMode()) {
      return facts.flipped() ? new Action.RestoreLabels(ns.name) : null;
    }
    return tick.tag.back(facts, new Action.Pin(ns.name, tick.revisions.pinLabel(spec)));
  }

  @Override
  public String backHow(TickContext tick) {
    return tick.spec.tagMode() ? tick.tag.backHow() : "labels restored";
  }
}

package io.meshgate.migration;

/**
 * Gateways as targets (DESIGN.md section 12): the flip is the gateway's own {@code istio.io/rev}
 * label (what differs between injected and Gateway API gateways is where that label is and who
 * rolls the pods: the subclasses), the way back its previous labels; in tag mode a gateway that
 * follows the tag moves with it, and a regressed one is pinned to the old revision.
 */
abstract class GatewayKind implements TargetKind {
  @Override
  public Section section() {
    return Section.GATEWAYS;
  }

  @Override
  public String describe(String key) {
    return GatewayRef.of(key).toString();
  }

  @Override
  public Reason notFound() {
    return Reason.GATEWAY_NOT_FOUND;
  }

  @Override
  public String namespace(String key) {
    return GatewayRef.of(key).namespace();
  }

  @Override
  public Observed.TargetFacts facts(Observed observed, String key) {
    return observed.gateway(key).facts();
  }

  /** Where the label is, for messages: {@code on the pod template}. */
  abstract String labelPlace();

  /**
   * The restart id a flip carries ({@code forward}: onto the target; else back); null when meshgate
   * does not roll the pods itself.
   */
  abstract String flipRestartId(TickContext tick, TargetState gateway, boolean forward);

  /**
   * Left as it is, and said so: what meshgate cannot move by its label (see {@link
   * Observed.GatewayFacts#refused()}), a gateway that does not follow tag mode's tag, or one not on
   * {@code fromRevision}.
   */
  @Override
  public Cause leftOut(TickContext tick, TargetState gateway) {
    Observed.GatewayFacts facts = tick.in.observed().gateway(gateway.name);
    String what = describe(gateway.name);
    if (facts.refused() != null) {
      return new Cause(
          facts.refused().reason(), what + ": " + facts.refused().message() + "; left as it is");
    }
    String selects = facts.selects() == null ? Resolution.DEFAULT : facts.selects();
    MigrationSpec spec = tick.spec;
    if (spec.tagMode()) {
      return selects.equals(spec.tag().name())
          ? null
          : new Cause(
              Reason.NOT_FOLLOWING_TAG,
              what
                  + " has istio.io/rev="
                  + selects
                  + ", not tag "
                  + spec.tag().name()
                  + "; left as it is");
    }
    String revision = Resolution.revisionOf(selects, tick.in.observed().tags());
    if (revision.equals(tick.from())) {
      return null;
    }
    return new Cause(
        Reason.NOT_ON_FROM_REVISION,
        what
            + " has istio.io/rev="
            + selects
            + (revision.equals(selects) ? "" : " (revision " + revision + ")")
            + ", not fromRevision "
            + Resolution.shown(spec.fromRevision(), tick.from())
            + "; left as it is");
  }

  @Override
  public Change forward(TickContext tick, TargetState gateway, Observed.TargetFacts facts) {
    MigrationSpec spec = tick.spec;
    if (spec.tagMode()) {
      return tick.tag.forward();
    }
    return facts.flipped()
        ? null
        : new Change(
            new Action.FlipGateway(
                GatewayRef.of(gateway.name), spec.toRevision(), flipRestartId(tick, gateway, true)),
            "flipping istio.io/rev to " + spec.toRevision() + " " + labelPlace());
  }

  @Override
  public Cause moved(TickContext tick) {
    MigrationSpec spec = tick.spec;
    return spec.tagMode()
        ? tick.tag.moved("rolling out")
        : new Cause(
            Reason.FLIPPED,
            "istio.io/rev=" + spec.toRevision() + " " + labelPlace() + "; rolling out");
  }

  @Override
  public Action back(TickContext tick, TargetState gateway, Observed.TargetFacts facts) {
    MigrationSpec spec = tick.spec;
    if (spec.dryRun()) {
      return null;
    }
    GatewayRef ref = GatewayRef.of(gateway.name);
    if (!spec.tagMode()) {
      return facts.flipped()
          ? new Action.RestoreGateway(ref, flipRestartId(tick, gateway, false))
          : null;
    }
    return tick.tag.back(
        facts,
        new Action.FlipGateway(
            ref, tick.revisions.pinLabel(spec), flipRestartId(tick, gateway, false)));
  }

  @Override
  public String backHow(TickContext tick) {
    return tick.spec.tagMode() ? tick.tag.backHow() : "labels restored";
  }
}

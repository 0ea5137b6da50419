package io.meshgate.migration;

/**
 * Namespaces of an in-place upgrade ({@code mode: Restart}; DESIGN.md section 12): someone else
 * (Sail's {@code InPlace} strategy, {@code istioctl upgrade}, {@code helm upgrade istiod}) replaced
 * the istiod of {@code toRevision}, so there is no flip: once that revision's injector gives a
 * known {@code istio-proxy} image, the namespace is restarted onto it, and its census counts
 * proxies by image. There is no way back either: the old istiod is gone, so what would roll back
 * halts the namespace ({@code RegressionNoRollback}) and tells people what they can do.
 */
final class InPlaceNamespaceKind extends NamespaceKind {
  @Override
  public Cause leftOut(TickContext tick, TargetState ns) {
    return null;
  }

  /**
   * The upgrade itself was someone else's change; what is left is knowing the image it injects now
   * (and the revision serving, which the caller checks).
   */
  @Override
  public Change forward(TickContext tick, TargetState ns, Observed.TargetFacts facts) {
    Observed.ProxyImage target = tick.in.observed().targetImage();
    if (target != null && target.image() != null) {
      return null;
    }
    return Change.blocked(
        new Cause(
            Reason.PROXY_IMAGE_UNKNOWN,
            "the istio-proxy image revision "
                + tick.to()
                + " injects is not known: "
                + (target == null ? "not read" : target.source())
                + "; nothing is restarted until it is"));
  }

  @Override
  public Cause moved(TickContext tick) {
    return new Cause(
        Reason.UPGRADED_IN_PLACE,
        "revision "
            + tick.to()
            + " was upgraded in place; restarting workloads onto "
            + tick.in.observed().targetImage().image()
            + " (from "
            + tick.in.observed().targetImage().source()
            + ")");
  }

  @Override
  public SidecarGoal goal(TickContext tick, TargetState ns) {
    Observed.ProxyImage target = tick.in.observed().targetImage();
    return SidecarGoal.ontoImage(target == null ? null : target.image());
  }

  @Override
  public Cause noWayBack(TickContext tick, Cause cause) {
    if (cause.reason() == Reason.ABORTED) {
      return new Cause(
          Reason.ABORTED,
          cause.message()
              + "; an in-place upgrade has no rollback: the workloads stay as they are");
    }
    return new Cause(
        Reason.REGRESSION_NO_ROLLBACK,
        cause.message()
            + "; no automatic rollback: revision "
            + tick.to()
            + " was upgraded in place, the old istiod and its proxy version are gone. To go back:"
            + " roll istiod back (helm rollback of the istiod release, istioctl upgrade to the old"
            + " version, or Sail's Istio spec.version set back), then restart the namespace's"
            + " workloads (kubectl rollout restart); or fix the cause. Then abort this migration"
            + " (meshgate.io/abort) and start a new one for the namespaces left");
  }

  @Override
  public Action back(TickContext tick, TargetState ns, Observed.TargetFacts facts) {
    throw new IllegalStateException(
        describe(ns.name) + " of an in-place upgrade has no way back; it is halted instead");
  }

  @Override
  public String backHow(TickContext tick) {
    return "no rollback (in-place upgrade)";
  }
}

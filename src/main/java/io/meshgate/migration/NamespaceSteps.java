package io.meshgate.migration;

import io.meshgate.gate.Durations;
import io.meshgate.gate.Verdict;

/**
 * Steps one started namespace through Migrating, Restarting and RollingBack; the observing phases
 * (Verifying, Soaking, Held, Stalled) are {@link Observing}'s.
 */
final class NamespaceSteps {
  private final TickContext tick;
  private final MigrationSpec spec;
  private final Observing observing;

  NamespaceSteps(TickContext tick) {
    this.tick = tick;
    this.spec = tick.spec;
    this.observing = new Observing(tick, this);
  }

  void step(NamespaceState ns) {
    if (ns.phase.isTerminal() || ns.phase == NamespacePhase.Pending) {
      return;
    }
    Observed.NamespaceFacts facts = tick.facts(ns);
    if (!facts.exists()) {
      skip(ns);
      return;
    }
    ns.proxies = facts.proxies(tick.to());
    if (ns.phase == NamespacePhase.RollingBack) {
      stepRollback(ns, facts);
      return;
    }
    Cause rollbackCause = RollbackCauses.of(tick, ns);
    if (rollbackCause != null) {
      startRollback(ns, rollbackCause);
      return;
    }
    switch (ns.phase) {
      case Migrating -> stepMigrating(ns, facts);
      case Restarting -> stepRestarting(ns, facts);
      default -> observing.step(ns, facts);
    }
  }

  /** A namespace that does not exist (or no longer): nothing to move, its wave goes on. */
  void skip(NamespaceState ns) {
    tick.move(
        ns,
        NamespacePhase.Skipped,
        Reason.NAMESPACE_NOT_FOUND,
        "namespace " + ns.name + " does not exist; its wave goes on without it");
    tick.verdict(
        ns,
        Verdict.HOLD,
        new Cause(Reason.NAMESPACE_NOT_FOUND, "namespace " + ns.name + " does not exist").text());
  }

  /**
   * Tag mode moves the namespaces that follow the tag; one labelled otherwise would not move with
   * it, so it is left as it is and said so.
   */
  void skipNotFollowingTag(NamespaceState ns) {
    String why =
        "namespace "
            + ns.name
            + " does not follow tag "
            + spec.tag().name()
            + " (its labels do not select istio.io/rev="
            + spec.tag().name()
            + "); left as it is";
    tick.move(ns, NamespacePhase.Skipped, Reason.NOT_FOLLOWING_TAG, why);
    tick.verdict(ns, Verdict.HOLD, new Cause(Reason.NOT_FOLLOWING_TAG, why).text());
  }

  /** Baseline first, then the flip (only with both revisions Available), then the restart. */
  void stepMigrating(NamespaceState ns, Observed.NamespaceFacts facts) {
    if (ns.baseline == null) {
      tick.actions.add(new Action.CaptureBaseline(ns.name));
      tick.verdict(
          ns,
          Verdict.HOLD,
          "capturing the baseline over "
              + Durations.format(spec.baselineWindow())
              + " before the flip");
      return;
    }
    if (spec.tagMode() ? !tick.tagAt(tick.to()) : !facts.flipped()) {
      if (!tick.revisionsAvailable()) {
        Cause unavailable = tick.revisionUnavailable();
        tick.hold(ns, unavailable, unavailable.text());
        return;
      }
      if (spec.tagMode()) {
        tick.once(tick.tagMove(tick.to()));
        tick.verdict(ns, Verdict.HOLD, "moving tag " + spec.tag().name() + " to " + tick.to());
      } else {
        tick.actions.add(new Action.Flip(ns.name));
        tick.verdict(ns, Verdict.HOLD, "flipping istio.io/rev to " + spec.toRevision());
      }
      return;
    }
    ns.restartId = tick.in.migration() + "/" + ns.name + "/1";
    if (spec.tagMode()) {
      tick.move(
          ns,
          NamespacePhase.Restarting,
          Reason.TAG_MOVED,
          "tag " + spec.tag().name() + " -> " + tick.to() + "; restarting workloads");
    } else {
      tick.move(
          ns,
          NamespacePhase.Restarting,
          Reason.FLIPPED,
          "istio.io/rev=" + spec.toRevision() + "; restarting workloads");
    }
    tick.actions.add(new Action.Restart(ns.name, ns.restartId, tick.goal(ns)));
    tick.verdict(ns, Verdict.HOLD, "restarting workloads onto " + tick.toShown());
  }

  /**
   * The restart runs until every workload rolled out; a rollout that fails or outlasts {@code
   * restart.timeout} rolls back. An obstacle (a paused Deployment, a budget) holds it instead
   * (phase Held): waiting for people, not for a timeout; released, it restarts its clock.
   */
  void stepRestarting(NamespaceState ns, Observed.NamespaceFacts facts) {
    if (facts.rolloutFailed()) {
      startRollback(
          ns, new Cause(Reason.ROLLOUT_FAILED, "a rollout reported ProgressDeadlineExceeded"));
      return;
    }
    Cause obstacle = Stuck.obstacle(facts);
    if (obstacle == null
        && tick.elapsed(ns).compareTo(spec.restart().timeout()) > 0
        && !facts.rolloutComplete()) {
      startRollback(
          ns,
          new Cause(
              Reason.ROLLOUT_TIMEOUT,
              "rollout not complete after "
                  + TickContext.minutes(spec.restart().timeout())
                  + " (restart.timeout): "
                  + rolledOut(facts)));
      return;
    }
    if (tick.needsRestart(facts)) {
      tick.actions.add(new Action.Restart(ns.name, ns.restartId, tick.goal(ns)));
    }
    if (facts.rolloutComplete()) {
      tick.move(
          ns,
          NamespacePhase.Verifying,
          Reason.ROLLED_OUT,
          facts.workloads() + " workloads rolled out");
      observing.step(ns, facts);
      return;
    }
    if (obstacle != null) {
      tick.move(ns, NamespacePhase.Held, obstacle.reason(), obstacle.message());
      tick.hold(ns, obstacle, obstacle.text());
      return;
    }
    tick.verdict(ns, Verdict.HOLD, "rollout in progress: " + rolledOut(facts));
  }

  private static String rolledOut(Observed.NamespaceFacts facts) {
    return facts.rolledOut() + "/" + facts.workloads() + " workloads rolled out";
  }

  void startRollback(NamespaceState ns, Cause cause) {
    tick.move(ns, NamespacePhase.RollingBack, cause.reason(), cause.message());
    ns.onTargetAt = null;
    ns.restartId = ns.restartId == null ? null : rollbackRestartId(ns);
    tick.verdict(ns, Verdict.ROLLBACK, cause.message());
    stepRollback(ns, tick.facts(ns));
  }

  /**
   * Labels back (only with the old revision Available), restart, then RolledBack when clean. In tag
   * mode the namespace is pinned to the old revision instead, or, with {@code rollbackScope:
   * Migration}, follows the tag as it is moved back.
   */
  private void stepRollback(NamespaceState ns, Observed.NamespaceFacts facts) {
    Action labelsBack = labelsBack(ns, facts);
    if (labelsBack != null) {
      if (!tick.rollbackRevisionAvailable()) {
        Cause unavailable = tick.revisionUnavailable();
        tick.verdict(ns, Verdict.ROLLBACK, "cannot roll back yet: " + unavailable.text());
        tick.holds.add(
            new Decision.Hold(
                ns.name, unavailable.reason(), "cannot roll back yet: " + unavailable.message()));
        return;
      }
      tick.once(labelsBack);
      return;
    }
    // a daemon that died between restarting and recording it left no restart id: the proxies
    // still on the target say a restart is needed all the same
    if (ns.restartId == null && ns.proxies.target() > 0) {
      ns.restartId = rollbackRestartId(ns);
    }
    if (ns.restartId != null && tick.needsRestart(facts)) {
      tick.actions.add(new Action.Restart(ns.name, ns.restartId, tick.goal(ns)));
    }
    boolean restartDone = ns.restartId == null || facts.rolloutComplete();
    if (restartDone && ns.proxies.target() == 0) {
      // on its target again, the old revision: what any check after the rollback looks back to
      ns.onTargetAt = tick.in.now();
      tick.move(
          ns,
          NamespacePhase.RolledBack,
          Reason.ROLLED_BACK,
          rolledBackHow() + " and no proxy left on " + tick.to());
      return;
    }
    Cause stuck = Stuck.of(tick, ns, facts, ns.proxies.target());
    if (stuck != null) {
      NamespaceStatus.Verdict before = ns.lastVerdict;
      tick.verdict(ns, Verdict.ROLLBACK, "cannot finish the rollback: " + stuck.text());
      if (before != ns.lastVerdict) {
        tick.holds.add(
            new Decision.Hold(
                ns.name, stuck.reason(), "cannot finish the rollback: " + stuck.message()));
      }
    }
  }

  /**
   * What still has to change for the namespace's new pods to get the old revision: its labels
   * restored, a pin (tag mode), the tag moved back (tag mode, {@code rollbackScope: Migration});
   * null when nothing does.
   */
  private Action labelsBack(NamespaceState ns, Observed.NamespaceFacts facts) {
    if (spec.dryRun()) {
      return null;
    }
    if (!spec.tagMode()) {
      return facts.flipped() ? new Action.RestoreLabels(ns.name) : null;
    }
    if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration) {
      return tick.tagAt(tick.from()) ? null : tick.tagMove(tick.from());
    }
    return facts.flipped() ? null : new Action.Pin(ns.name, tick.revisions.pinLabel(spec));
  }

  private String rolledBackHow() {
    if (!spec.tagMode()) {
      return "labels restored";
    }
    if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration) {
      return "tag " + spec.tag().name() + " moved back to " + tick.from();
    }
    return "pinned to istio.io/rev=" + tick.revisions.pinLabel(spec);
  }

  private String rollbackRestartId(NamespaceState ns) {
    return tick.in.migration() + "/" + ns.name + "/2";
  }
}

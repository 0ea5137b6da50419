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
    ns.proxies = facts.proxies(spec.toRevision());
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
    if (!facts.flipped()) {
      if (!tick.revisionsAvailable()) {
        Cause unavailable = tick.revisionUnavailable();
        tick.hold(ns, unavailable, unavailable.text());
        return;
      }
      tick.actions.add(new Action.Flip(ns.name));
      tick.verdict(ns, Verdict.HOLD, "flipping istio.io/rev to " + spec.toRevision());
      return;
    }
    ns.restartId = tick.in.migration() + "/" + ns.name + "/1";
    tick.move(
        ns,
        NamespacePhase.Restarting,
        Reason.FLIPPED,
        "istio.io/rev=" + spec.toRevision() + "; restarting workloads");
    tick.actions.add(new Action.Restart(ns.name, ns.restartId, tick.goal(ns)));
    tick.verdict(ns, Verdict.HOLD, "restarting workloads onto " + spec.toRevision());
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
    ns.restartId = ns.restartId == null ? null : rollbackRestartId(ns);
    tick.verdict(ns, Verdict.ROLLBACK, cause.message());
    stepRollback(ns, tick.facts(ns));
  }

  /** Labels back (only with the old revision Available), restart, then RolledBack when clean. */
  private void stepRollback(NamespaceState ns, Observed.NamespaceFacts facts) {
    if (facts.flipped()) {
      if (!tick.in.observed().fromRevisionAvailable() && !spec.dryRun()) {
        Cause unavailable = tick.revisionUnavailable();
        tick.verdict(ns, Verdict.ROLLBACK, "cannot roll back yet: " + unavailable.text());
        tick.holds.add(
            new Decision.Hold(
                ns.name, unavailable.reason(), "cannot roll back yet: " + unavailable.message()));
        return;
      }
      tick.actions.add(new Action.RestoreLabels(ns.name));
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
      tick.move(
          ns,
          NamespacePhase.RolledBack,
          Reason.ROLLED_BACK,
          "labels restored and no proxy left on " + spec.toRevision());
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

  private String rollbackRestartId(NamespaceState ns) {
    return tick.in.migration() + "/" + ns.name + "/2";
  }
}

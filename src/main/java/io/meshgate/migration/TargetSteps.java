package io.meshgate.migration;

import io.meshgate.gate.Durations;
import io.meshgate.gate.Verdict;

/**
 * Steps one started namespace through Migrating, Restarting and RollingBack; the observing phases
 * (Verifying, Soaking, Held, Stalled) are {@link Observing}'s.
 */
final class TargetSteps {
  private final TickContext tick;
  private final MigrationSpec spec;
  private final Observing observing;

  TargetSteps(TickContext tick) {
    this.tick = tick;
    this.spec = tick.spec;
    this.observing = new Observing(tick, this);
  }

  void step(TargetState ns) {
    if (ns.phase.isTerminal() || ns.phase == TargetPhase.Pending) {
      return;
    }
    Cause unseen = ns.kind.unseen(tick);
    if (unseen != null) {
      tick.hold(ns, unseen);
      return;
    }
    Observed.TargetFacts facts = tick.facts(ns);
    if (!facts.exists()) {
      skip(ns);
      return;
    }
    ns.proxies = facts.proxies(tick.proxyTarget(ns));
    if (ns.halted()) {
      // people act on it (see TargetKind.noWayBack); nothing here moves it any more
      return;
    }
    if (ns.phase == TargetPhase.RollingBack) {
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

  /** A target that does not exist (or no longer): nothing to move, its wave goes on. */
  void skip(TargetState target) {
    String what = target.kind.describe(target.name);
    tick.move(
        target,
        TargetPhase.Skipped,
        target.kind.notFound(),
        what + " does not exist; its wave goes on without it");
    tick.verdict(
        target, Verdict.HOLD, new Cause(target.kind.notFound(), what + " does not exist").text());
  }

  /** A target its kind leaves out of the wave (see {@link TargetKind#leftOut}), said so. */
  void leaveOut(TargetState target, Cause why) {
    tick.move(target, TargetPhase.Skipped, why.reason(), why.message());
    tick.verdict(target, Verdict.HOLD, why.text());
  }

  /** Baseline first, then the flip (only with both revisions Available), then the restart. */
  void stepMigrating(TargetState target, Observed.TargetFacts facts) {
    if (target.baseline == null) {
      tick.actions.add(new Action.CaptureBaseline(target.name));
      tick.verdict(
          target,
          Verdict.HOLD,
          "capturing the baseline over "
              + Durations.format(spec.baselineWindow())
              + " before the flip");
      return;
    }
    TargetKind.Change flip = target.kind.forward(tick, target, facts);
    if (flip != null) {
      if (!tick.revisionsAvailable()) {
        Cause unavailable = tick.revisionUnavailable();
        tick.hold(target, unavailable, unavailable.text());
        return;
      }
      if (flip.blocker() != null) {
        tick.hold(target, flip.blocker(), flip.blocker().text());
        return;
      }
      if (flip.action() == null) {
        tick.verdict(target, Verdict.HOLD, flip.saying());
        return;
      }
      // every namespace following a tag asks for the same tag move: once
      tick.once(flip.action());
      tick.verdict(target, Verdict.HOLD, flip.saying());
      return;
    }
    target.restartId = tick.restartId(target);
    Cause moved = target.kind.moved(tick);
    tick.move(target, TargetPhase.Restarting, moved.reason(), moved.message());
    restart(target);
    tick.verdict(target, Verdict.HOLD, "restarting workloads onto " + tick.toShown());
  }

  /**
   * The restart runs until every workload rolled out; a rollout that fails or outlasts {@code
   * restart.timeout} rolls back. An obstacle (a paused Deployment, a budget, pods refused by an
   * admission webhook) holds it instead (phase Held): waiting for the cause to go, not for a
   * timeout; released, it restarts its clock. A workload whose pods are refused is not reported as
   * a failed rollout (its progress deadline is the refusal's doing), so no verdict on the revision
   * comes of a refusal, while another workload that failed still rolls the namespace back.
   */
  void stepRestarting(TargetState ns, Observed.TargetFacts facts) {
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
      restart(ns);
    }
    if (facts.rolloutComplete()) {
      tick.move(
          ns,
          TargetPhase.Verifying,
          Reason.ROLLED_OUT,
          facts.workloads() + " workloads rolled out");
      observing.step(ns, facts);
      return;
    }
    if (obstacle != null) {
      tick.move(ns, TargetPhase.Held, obstacle.reason(), obstacle.message());
      tick.hold(ns, obstacle, obstacle.text());
      return;
    }
    tick.verdict(ns, Verdict.HOLD, "rollout in progress: " + rolledOut(facts));
  }

  private static String rolledOut(Observed.TargetFacts facts) {
    return facts.rolledOut() + "/" + facts.workloads() + " workloads rolled out";
  }

  /** Sent back, or, when its kind has no way back, halted: see {@link TargetKind#noWayBack}. */
  void startRollback(TargetState ns, Cause cause) {
    Cause halt = ns.kind.noWayBack(tick, cause);
    if (halt != null) {
      halt(ns, halt);
      return;
    }
    tick.move(ns, TargetPhase.RollingBack, cause.reason(), cause.message());
    ns.onTargetAt = null;
    ns.restartId = ns.restartId == null ? null : rollbackRestartId(ns);
    tick.verdict(ns, Verdict.ROLLBACK, cause.message());
    stepRollback(ns, tick.facts(ns));
  }

  /**
   * Held for good with the ROLLBACK verdict: said loudly once (a hold), counted by the fleet brake,
   * and left to people; nothing in the cluster changes.
   */
  private void halt(TargetState ns, Cause halt) {
    if (ns.phase != TargetPhase.Held) {
      tick.move(ns, TargetPhase.Held, halt.reason(), halt.message());
    }
    tick.verdict(ns, Verdict.ROLLBACK, halt.text());
    tick.holds.add(new Decision.Hold(ns.name, halt.reason(), halt.message()));
  }

  /**
   * The way back its kind says (only with the old revision Available), restart, then RolledBack
   * when clean.
   */
  private void stepRollback(TargetState ns, Observed.TargetFacts facts) {
    TargetKind.Change wait = ns.kind.backWait(tick, ns, facts);
    if (wait != null) {
      // progress is waited for quietly; the verdict keeps what sent the target back
      Cause blocker = wait.blocker();
      if (blocker != null) {
        TargetStatus.Verdict before = ns.lastVerdict;
        tick.verdict(ns, Verdict.ROLLBACK, "cannot roll back yet: " + blocker.text());
        if (before != ns.lastVerdict) {
          tick.holds.add(
              new Decision.Hold(
                  ns.name, blocker.reason(), "cannot roll back yet: " + blocker.message()));
        }
      }
      return;
    }
    Action labelsBack = ns.kind.back(tick, ns, facts);
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
      restart(ns);
    }
    boolean restartDone = ns.restartId == null || facts.rolloutComplete();
    if (restartDone && ns.proxies.target() == 0) {
      // on its target again, the old revision: what any check after the rollback looks back to
      ns.onTargetAt = tick.in.now();
      tick.move(
          ns,
          TargetPhase.RolledBack,
          Reason.ROLLED_BACK,
          ns.kind.backHow(tick) + " and no proxy left on " + tick.to());
      return;
    }
    Cause stuck = Stuck.of(tick, ns, facts, ns.proxies.target());
    if (stuck != null) {
      TargetStatus.Verdict before = ns.lastVerdict;
      tick.verdict(ns, Verdict.ROLLBACK, "cannot finish the rollback: " + stuck.text());
      if (before != ns.lastVerdict) {
        tick.holds.add(
            new Decision.Hold(
                ns.name, stuck.reason(), "cannot finish the rollback: " + stuck.message()));
      }
    }
  }

  private String rollbackRestartId(TargetState ns) {
    return tick.rollbackRestartId(ns);
  }

  /** The target's restart, when its kind has one (istiod re-renders a Gateway's pods itself). */
  void restart(TargetState target) {
    Action restart = target.kind.restart(tick, target);
    if (restart != null) {
      tick.actions.add(restart);
    }
  }
}

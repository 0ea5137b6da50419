package io.meshgate.migration;

import io.meshgate.gate.Verdict;
import java.util.List;

/**
 * Which wave is current, and which of its pending namespaces start this tick: only after approval
 * where the wave requires it, never outside the maintenance window or without both revisions
 * Available, never past {@code maxConcurrent} namespaces in flight, never under a hold alert, never
 * against the Sail Operator ({@link SailChecks}).
 */
final class WaveAdmission {
  /** What admission did this tick. */
  enum Outcome {
    /** The current wave has no pending namespace left. */
    NOTHING_PENDING,
    /** The current wave waits for {@code meshgate.io/approve}. */
    AWAITING_APPROVAL,
    /** Pending namespaces were considered; see {@link Admission#blocker()}. */
    CONSIDERED
  }

  /** The outcome, and why no namespace could start at all (null when they could). */
  record Admission(Outcome outcome, Cause blocker) {}

  private final TickContext tick;
  private final TargetSteps steps;

  WaveAdmission(TickContext tick, TargetSteps steps) {
    this.tick = tick;
    this.steps = steps;
  }

  /**
   * The first wave, in order, that still has a target not done (or a ztunnel wave whose nodes
   * cannot be seen yet); null when all are.
   */
  static String currentWave(TickContext tick) {
    for (MigrationSpec.Wave wave : tick.spec.waves()) {
      List<TargetState> targets =
          tick.all().stream().filter(n -> n.wave.equals(wave.name())).toList();
      boolean done = targets.stream().allMatch(n -> n.phase.isDone());
      if (!done || unseenNodes(tick, wave, targets)) {
        return wave.name();
      }
    }
    return null;
  }

  /**
   * A ztunnel wave whose nodes cannot be seen (the grant missing, no DaemonSet) is not done with no
   * node: it waits, and says why.
   */
  private static boolean unseenNodes(
      TickContext tick, MigrationSpec.Wave wave, List<TargetState> targets) {
    return wave.ztunnel() != null
        && targets.isEmpty()
        && ZtunnelChecks.blocker(tick, wave.ztunnel()) != null;
  }

  Admission admit(String currentWave) {
    List<TargetState> wave = tick.all().stream().filter(n -> n.wave.equals(currentWave)).toList();
    MigrationSpec.Wave current = tick.wave(currentWave);
    if (unseenNodes(tick, current, wave)) {
      return new Admission(Outcome.CONSIDERED, ZtunnelChecks.blocker(tick, current.ztunnel()));
    }
    List<TargetState> pending = wave.stream().filter(n -> n.phase == TargetPhase.Pending).toList();
    if (pending.isEmpty()) {
      return new Admission(Outcome.NOTHING_PENDING, null);
    }
    MigrationSpec.Wave waveSpec = tick.wave(currentWave);
    boolean started = wave.stream().anyMatch(n -> n.phase != TargetPhase.Pending);
    if (waveSpec.requireApproval() && !started && !tick.in.approvedWaves().contains(currentWave)) {
      pending.forEach(
          n -> tick.verdict(n, Verdict.HOLD, "awaiting approval of wave " + currentWave));
      return new Admission(Outcome.AWAITING_APPROVAL, null);
    }
    Cause blocker = startBlocker(currentWave);
    if (blocker == null && waveSpec.ztunnel() != null) {
      blocker = ZtunnelChecks.blocker(tick, waveSpec.ztunnel());
    }
    long slots = waveSpec.maxConcurrent() - wave.stream().filter(n -> n.phase.isInFlight()).count();
    for (TargetState ns : pending) {
      Cause unseen = ns.kind.unseen(tick);
      if (unseen != null) {
        tick.hold(ns, unseen);
        continue;
      }
      Cause leftOut = ns.kind.leftOut(tick, ns);
      if (!tick.facts(ns).exists()) {
        steps.skip(ns);
      } else if (leftOut != null) {
        steps.leaveOut(ns, leftOut);
      } else if (blocker != null) {
        tick.hold(ns, blocker, blocker.text());
      } else if (tick.holdAlert(ns)) {
        tick.hold(ns, new Cause(Reason.ALERT_FIRING, "alert firing; not starting"));
      } else if (slots > 0) {
        slots--;
        start(ns, currentWave);
      } else {
        tick.verdict(
            ns,
            Verdict.HOLD,
            "waiting for a slot in wave "
                + currentWave
                + " (maxConcurrent "
                + waveSpec.maxConcurrent()
                + ")");
      }
    }
    return new Admission(Outcome.CONSIDERED, blocker);
  }

  private void start(TargetState ns, String currentWave) {
    tick.move(
        ns,
        TargetPhase.Migrating,
        Reason.STARTED,
        "wave " + currentWave + ": migrating to " + tick.toShown());
    steps.stepMigrating(ns, tick.facts(ns));
  }

  /** Why no namespace may start now, or null. Rollbacks ignore all of these. */
  private Cause startBlocker(String currentWave) {
    if (!tick.in.windowOpen()) {
      return new Cause(
          Reason.OUTSIDE_WINDOW,
          "outside the maintenance window "
              + tick.spec.window().cron()
              + " ("
              + tick.spec.window().timeZone()
              + ")");
    }
    Cause sail = SailChecks.blocker(tick);
    if (sail != null) {
      return sail;
    }
    if (!tick.revisionsAvailable()) {
      return tick.revisionUnavailable();
    }
    return SailChecks.pruneRisk(tick, currentWave);
  }
}

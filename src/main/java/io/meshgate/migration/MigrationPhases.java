package io.meshgate.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * The migration's phase rule. Some states settle the phase before any namespace may start (done,
 * aborted, rolled back, braked, paused); otherwise the current wave's admission runs and its
 * outcome decides between Pending, AwaitingApproval, Progressing and Failed.
 */
final class MigrationPhases {
  private MigrationPhases() {}

  static PhaseOutcome decide(TickContext tick, String currentWave, WaveAdmission admission) {
    PhaseOutcome settled = settled(tick);
    return settled != null
        ? settled
        : afterAdmission(tick, currentWave, admission.admit(currentWave));
  }

  /** The phase when nothing may start this tick, else null. */
  static PhaseOutcome settled(TickContext tick) {
    List<TargetState> all = tick.all();
    MigrationSpec spec = tick.spec;
    // a halted target waits for people, not for the daemon
    boolean inFlight = all.stream().anyMatch(n -> n.phase.isInFlight() && !n.halted());
    if (!all.isEmpty() && all.stream().allMatch(n -> n.phase.isDone())) {
      return succeeded(all, tick);
    }
    PhaseOutcome goingBack = goingBack(tick, inFlight);
    if (goingBack != null) {
      return goingBack;
    }
    if (all.stream().allMatch(n -> n.phase.isTerminal()) && anyRolledBack(all)) {
      // nothing left to do, even when this last rollback engaged the fleet brake
      return new PhaseOutcome(
          MigrationPhase.Failed,
          Reason.ROLLED_BACK,
          tick.counted(tick.rollbacks()) + " rolled back, the others promoted or skipped");
    }
    if (tick.brakeEngaged()) {
      return new PhaseOutcome(
          MigrationPhase.Paused,
          Reason.FLEET_BRAKE,
          wentBack(tick)
              + " (maxRollbacks "
              + spec.maxRollbacks()
              + "); resume after investigating");
    }
    if (spec.paused()) {
      return new PhaseOutcome(MigrationPhase.Paused, Reason.PAUSED, "spec.paused is true");
    }
    return null;
  }

  /**
   * An abort, rollbackScope: Migration with a namespace going back, or the ztunnel DaemonSet going
   * back: all of it (all of its nodes) goes back.
   */
  private static PhaseOutcome goingBack(TickContext tick, boolean inFlight) {
    if (tick.in.aborted()) {
      return inFlight
          ? new PhaseOutcome(
              MigrationPhase.Progressing, Reason.ABORTING, "rolling back after abort")
          : new PhaseOutcome(MigrationPhase.Failed, Reason.ABORTED, "aborted; " + wentBack(tick));
    }
    if (tick.spec.rollbackScope() == MigrationSpec.RollbackScope.Migration
        && tick.rollbacks() > 0) {
      return inFlight
          ? new PhaseOutcome(
              MigrationPhase.Progressing,
              Reason.ROLLING_BACK,
              "rolling back every " + tick.targetNoun() + " (rollbackScope: Migration)")
          : new PhaseOutcome(
              MigrationPhase.Failed,
              Reason.ROLLED_BACK,
              "every " + tick.targetNoun() + " rolled back (rollbackScope: Migration)");
    }
    if (ZtunnelChecks.rolledBack(tick)) {
      return inFlight
          ? new PhaseOutcome(
              MigrationPhase.Progressing,
              Reason.ROLLING_BACK,
              "the ztunnel DaemonSet goes back to its previous template; rolling back every node"
                  + " it moved")
          : new PhaseOutcome(
              MigrationPhase.Failed,
              Reason.ROLLED_BACK,
              "the ztunnel DaemonSet went back to its previous template; " + wentBack(tick));
    }
    return null;
  }

  private static PhaseOutcome succeeded(List<TargetState> all, TickContext tick) {
    long skipped = all.stream().filter(n -> n.phase == TargetPhase.Skipped).count();
    return new PhaseOutcome(
        MigrationPhase.Succeeded,
        Reason.SUCCEEDED,
        tick.counted(all.size() - skipped)
            + " promoted to "
            + tick.toShown()
            + (skipped == 0 ? "" : ", " + skipped + " skipped (see their verdicts)"));
  }

  static PhaseOutcome afterAdmission(
      TickContext tick, String currentWave, WaveAdmission.Admission admission) {
    List<TargetState> all = tick.all();
    String progressing = "wave " + currentWave;
    switch (admission.outcome()) {
      case NOTHING_PENDING -> {
        boolean inFlight = all.stream().anyMatch(n -> n.phase.isInFlight());
        return !inFlight && anyRolledBack(all)
            ? new PhaseOutcome(
                MigrationPhase.Failed,
                Reason.ROLLED_BACK,
                progressing
                    + " has rolled-back "
                    + tick.targetsNoun()
                    + "; later waves do not start")
            : new PhaseOutcome(MigrationPhase.Progressing, Reason.PROGRESSING, progressing);
      }
      case AWAITING_APPROVAL -> {
        return new PhaseOutcome(
            MigrationPhase.AwaitingApproval,
            Reason.AWAITING_APPROVAL,
            progressing + " waits for meshgate.io/approve: " + currentWave);
      }
      default -> {
        Cause blocker = admission.blocker();
        if (all.stream().allMatch(n -> n.phase == TargetPhase.Pending)) {
          return blocker == null
              ? new PhaseOutcome(MigrationPhase.Pending, Reason.PENDING, "starting")
              : new PhaseOutcome(MigrationPhase.Pending, blocker.reason(), blocker.text());
        }
        boolean waveEmpty = all.stream().noneMatch(n -> n.wave.equals(currentWave));
        if (blocker != null && waveEmpty) {
          // a ztunnel wave whose nodes cannot be seen: nothing else would say why it waits
          return new PhaseOutcome(
              MigrationPhase.Progressing, blocker.reason(), progressing + ": " + blocker.text());
        }
        return new PhaseOutcome(MigrationPhase.Progressing, Reason.PROGRESSING, progressing);
      }
    }
  }

  /** {@code 2 namespaces rolled back}, {@code 1 namespace halted with no rollback}, or both. */
  private static String wentBack(TickContext tick) {
    long halted = tick.targets.values().stream().filter(TargetState::halted).count();
    long rolledBack = tick.rollbacks() - halted;
    List<String> parts = new ArrayList<>();
    if (rolledBack > 0 || halted == 0) {
      parts.add(tick.counted(rolledBack) + " rolled back");
    }
    if (halted > 0) {
      parts.add(tick.counted(halted) + " halted with no rollback (in-place upgrade)");
    }
    return String.join(", ", parts);
  }

  private static boolean anyRolledBack(List<TargetState> all) {
    return all.stream().anyMatch(n -> n.phase == TargetPhase.RolledBack);
  }
}

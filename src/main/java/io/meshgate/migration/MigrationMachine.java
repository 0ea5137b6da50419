package io.meshgate.migration;

import java.util.List;

/**
 * The pure decision of one tick of a RevisionMigration: from the recorded status, what was observed
 * in the cluster, the gate results and the time, to the next status and the actions that get there.
 * No I/O and no clock, so every path is tested directly.
 *
 * <pre>{@code
 * Decision d = MigrationMachine.decide(input);
 * d.actions().forEach(controller::execute);  // then record d.status()
 * }</pre>
 *
 * <p>One piece per concern: {@link TargetSteps} and {@link Observing} step each namespace, {@link
 * Streaks} counts the gate's results, {@link WaveAdmission} starts namespaces of the current wave,
 * {@link MigrationPhases} is the migration's phase rule, {@link Conditions} its conditions.
 */
public final class MigrationMachine {
  private MigrationMachine() {}

  public static Decision decide(TickInput input) {
    TickContext tick = new TickContext(input);
    tick.seed();
    TargetSteps steps = new TargetSteps(tick);
    tick.all().forEach(steps::step);
    if (tick.spec.rollbackScope() == MigrationSpec.RollbackScope.Migration
        && tick.rollbacks() > 0) {
      rollBackEveryNamespace(tick, steps);
    }
    if (ZtunnelChecks.rolledBack(tick)) {
      rollBackEveryNode(tick, steps);
    }
    String currentWave = WaveAdmission.currentWave(tick);
    PhaseOutcome outcome =
        MigrationPhases.decide(tick, currentWave, new WaveAdmission(tick, steps));
    ZtunnelChecks.uncordonStrays(tick);
    MigrationPhase before = input.status().phase();
    if (outcome.phase() != before) {
      tick.transitions.add(
          new Decision.Transition(
              null, before, outcome.phase(), outcome.reason(), outcome.message()));
    }
    return new Decision(
        status(tick, currentWave, outcome), tick.actions, tick.transitions, tick.holds);
  }

  /** rollbackScope: Migration sends every started namespace back once one of them goes back. */
  private static void rollBackEveryNamespace(TickContext tick, TargetSteps steps) {
    for (TargetState ns : tick.all()) {
      if ((ns.phase.isInFlight() || ns.phase == TargetPhase.Promoted)
          && ns.phase != TargetPhase.RollingBack) {
        steps.startRollback(
            ns,
            new Cause(
                Reason.MIGRATION_ROLLBACK,
                "another namespace of the migration is rolling back (rollbackScope: Migration)"));
      }
    }
  }

  /**
   * The ztunnel DaemonSet has one template for every node: once one node goes back, every node that
   * moved goes back with it, whatever {@code rollbackScope} says.
   */
  private static void rollBackEveryNode(TickContext tick, TargetSteps steps) {
    String going =
        tick.all().stream()
            .filter(t -> t.kind.section() == TargetKind.Section.NODES)
            .filter(t -> t.phase == TargetPhase.RollingBack || t.phase == TargetPhase.RolledBack)
            .map(t -> t.kind.describe(t.name))
            .findFirst()
            .orElseThrow();
    for (TargetState node : tick.all()) {
      if (node.kind.section() == TargetKind.Section.NODES
          && (node.phase.isInFlight() || node.phase == TargetPhase.Promoted)
          && node.phase != TargetPhase.RollingBack) {
        steps.startRollback(
            node,
            new Cause(
                Reason.MIGRATION_ROLLBACK,
                "the ztunnel DaemonSet goes back to its previous template, as "
                    + going
                    + " rolls back"));
      }
    }
  }

  private static List<TargetStatus> section(TickContext tick, TargetKind.Section section) {
    return tick.all().stream()
        .filter(t -> t.kind.section() == section)
        .map(TargetState::toStatus)
        .toList();
  }

  private static MigrationStatus status(
      TickContext tick, String currentWave, PhaseOutcome outcome) {
    List<TargetStatus> statuses = tick.all().stream().map(TargetState::toStatus).toList();
    long promoted = statuses.stream().filter(s -> s.phase() == TargetPhase.Promoted).count();
    TickInput in = tick.in;
    return new MigrationStatus(
        outcome.phase(),
        currentWave,
        promoted + "/" + statuses.size(),
        section(tick, TargetKind.Section.NAMESPACES),
        section(tick, TargetKind.Section.GATEWAYS),
        in.status().alerts(),
        Conditions.withHelmTag(
            Conditions.of(
                in.status().conditions(),
                outcome,
                in.observed().oldRevisionInUse(),
                Resolution.shown(tick.spec.fromRevision(), tick.from()),
                in.gate().values().stream().flatMap(List::stream).toList(),
                in.now(),
                in.generation()),
            in.status().conditions(),
            HelmTag.warning(tick),
            in.now(),
            in.generation()),
        in.generation(),
        tick.recordedRevisions(),
        section(tick, TargetKind.Section.NODES));
  }
}

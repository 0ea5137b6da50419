package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationPhasesTest {
  /** Waves one (a, b) and two (c); "a=Promoted b=Soaking", unnamed namespaces Pending. */
  static OneTick tick(
      String phases, MigrationSpec.RollbackScope scope, int maxRollbacks, boolean paused) {
    MigrationSpec base =
        FakeWorld.spec(
            List.of(
                FakeWorld.wave("one", Duration.ZERO, 2, false, "a", "b"),
                FakeWorld.wave("two", Duration.ZERO, 1, true, "c")));
    MigrationSpec spec = FakeWorld.with(base, base.onFailure(), scope, maxRollbacks, paused, false);
    OneTick tick = new OneTick(spec);
    tick.ns("a", "one", TargetPhase.Pending)
        .ns("b", "one", TargetPhase.Pending)
        .ns("c", "two", TargetPhase.Pending);
    if (!phases.isBlank()) {
      for (String entry : phases.split(" ")) {
        String[] p = entry.split("=");
        tick.ns(p[0], p[0].equals("c") ? "two" : "one", TargetPhase.valueOf(p[1]));
      }
    }
    return tick;
  }

  @ParameterizedTest(name = "[{0}] aborted={1} scope={2} maxRollbacks={3} paused={4}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # phases                                   | aborted | scope     | maxRollbacks | paused | phase       | reason       | message
          a=Promoted b=Promoted c=Promoted           | false   | Namespace | 1            | false  | Succeeded   | SUCCEEDED    | 3 namespaces promoted to 1-20-0
          a=Promoted b=Skipped c=Promoted            | true    | Namespace | 1            | true   | Succeeded   | SUCCEEDED    | 2 namespaces promoted to 1-20-0, 1 skipped (see their verdicts)
          a=Soaking                                  | true    | Namespace | 1            | false  | Progressing | ABORTING     | rolling back after abort
          a=RolledBack b=Promoted                    | true    | Namespace | 1            | false  | Failed      | ABORTED      | aborted; 1 namespace rolled back
          a=RollingBack b=Soaking                    | false   | Migration | 0            | false  | Progressing | ROLLING_BACK | rolling back every namespace (rollbackScope: Migration)
          a=RolledBack b=RolledBack                  | false   | Migration | 0            | false  | Failed      | ROLLED_BACK  | every namespace rolled back (rollbackScope: Migration)
          a=RolledBack b=Promoted c=Skipped          | false   | Namespace | 1            | false  | Failed      | ROLLED_BACK  | 1 namespace rolled back, the others promoted or skipped
          a=RolledBack b=Soaking                     | false   | Namespace | 1            | false  | Paused      | FLEET_BRAKE  | 1 namespace rolled back (maxRollbacks 1); resume after investigating
          a=RolledBack b=Soaking                     | false   | Namespace | 0            | false  | -           | -            | -
          a=RolledBack b=Soaking                     | false   | Namespace | 2            | false  | -           | -            | -
          a=Soaking                                  | false   | Namespace | 1            | true   | Paused      | PAUSED       | spec.paused is true
          a=Soaking                                  | false   | Namespace | 1            | false  | -           | -            | -
          ' '                                        | false   | Namespace | 1            | false  | -           | -            | -
          """)
  void statesThatSettleThePhaseBeforeAnyNamespaceMayStart(
      String phases,
      boolean aborted,
      MigrationSpec.RollbackScope scope,
      int maxRollbacks,
      boolean paused,
      MigrationPhase phase,
      Reason reason,
      String message) {
    OneTick tick = tick(phases, scope, maxRollbacks, paused);
    tick.aborted = aborted;

    PhaseOutcome outcome = MigrationPhases.settled(tick.context());

    assertThat(outcome).isEqualTo(phase == null ? null : new PhaseOutcome(phase, reason, message));
  }

  @ParameterizedTest(name = "[{0}] after {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # phases                      | admission         | blocker        | phase            | reason            | message
          a=Promoted b=RolledBack       | NOTHING_PENDING   | -              | Failed           | ROLLED_BACK       | wave one has rolled-back namespaces; later waves do not start
          a=Soaking b=RolledBack        | NOTHING_PENDING   | -              | Progressing      | PROGRESSING       | wave one
          a=Soaking b=Verifying         | NOTHING_PENDING   | -              | Progressing      | PROGRESSING       | wave one
          ' '                           | AWAITING_APPROVAL | -              | AwaitingApproval | AWAITING_APPROVAL | wave one waits for meshgate.io/approve: one
          ' '                           | CONSIDERED        | -              | Pending          | PENDING           | starting
          ' '                           | CONSIDERED        | OUTSIDE_WINDOW | Pending          | OUTSIDE_WINDOW    | OutsideWindow: closed
          a=Migrating                   | CONSIDERED        | -              | Progressing      | PROGRESSING       | wave one
          a=Skipped                     | CONSIDERED        | OUTSIDE_WINDOW | Progressing      | PROGRESSING       | wave one
          """)
  void afterAdmissionThePhaseFollowsWhatItDid(
      String phases,
      WaveAdmission.Outcome admission,
      Reason blocker,
      MigrationPhase phase,
      Reason reason,
      String message) {
    TickContext tick = tick(phases, MigrationSpec.RollbackScope.Namespace, 1, false).context();

    PhaseOutcome outcome =
        MigrationPhases.afterAdmission(
            tick,
            "one",
            new WaveAdmission.Admission(
                admission, blocker == null ? null : new Cause(blocker, "closed")));

    assertThat(outcome).isEqualTo(new PhaseOutcome(phase, reason, message));
  }
}

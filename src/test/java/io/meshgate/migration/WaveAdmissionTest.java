package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WaveAdmissionTest {
  /** Wave one (a, b, d; two at a time), wave two (c); unnamed namespaces Pending. */
  private static OneTick tick(boolean approval, String phases) {
    OneTick tick =
        new OneTick(
            FakeWorld.spec(
                List.of(
                    FakeWorld.wave("one", Duration.ZERO, 2, approval, "a", "b", "d"),
                    FakeWorld.wave("two", Duration.ZERO, 1, false, "c"))));
    for (String name : List.of("a", "b", "d")) {
      tick.ns(name, "one", TargetPhase.Pending);
    }
    tick.ns("c", "two", TargetPhase.Pending);
    for (String entry : phases.isBlank() ? new String[0] : phases.split(" ")) {
      String[] p = entry.split("=");
      tick.ns(p[0], p[0].equals("c") ? "two" : "one", TargetPhase.valueOf(p[1]));
    }
    return tick;
  }

  private static List<String> names(String list) {
    return list.isBlank() ? List.of() : Arrays.asList(list.split(" "));
  }

  @ParameterizedTest(name = "[{0}] approval={1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # phases                         | approval | condition         | outcome           | blocker              | started | waiting for a slot | held
          ' '                              | false    | -                 | CONSIDERED        | -                    | a b     | d                  | ' '
          a=Soaking                        | false    | -                 | CONSIDERED        | -                    | b       | d                  | ' '
          a=Soaking b=Held                 | false    | -                 | CONSIDERED        | -                    | ' '     | d                  | ' '
          a=Promoted b=RolledBack          | false    | -                 | CONSIDERED        | -                    | d       | ' '                | ' '
          ' '                              | false    | window closed     | CONSIDERED        | OUTSIDE_WINDOW       | ' '     | ' '                | a b d
          ' '                              | false    | target down       | CONSIDERED        | REVISION_UNAVAILABLE | ' '     | ' '                | a b d
          ' '                              | false    | rollback down     | CONSIDERED        | REVISION_UNAVAILABLE | ' '     | ' '                | a b d
          ' '                              | true     | -                 | AWAITING_APPROVAL | -                    | ' '     | ' '                | ' '
          ' '                              | true     | approved          | CONSIDERED        | -                    | a b     | d                  | ' '
          a=Soaking                        | true     | -                 | CONSIDERED        | -                    | b       | d                  | ' '
          ' '                              | false    | b missing         | CONSIDERED        | -                    | a d     | ' '                | ' '
          ' '                              | false    | hold alert on a   | CONSIDERED        | -                    | b d     | ' '                | a
          a=Soaking b=Soaking d=Verifying  | false    | -                 | NOTHING_PENDING   | -                    | ' '     | ' '                | ' '
          """)
  void startsWhatMayStartAndSaysWhyTheRestWaits(
      String phases,
      boolean approval,
      String condition,
      WaveAdmission.Outcome outcome,
      Reason blocker,
      String started,
      String waiting,
      String held) {
    OneTick given = tick(approval, phases);
    if (condition != null) {
      switch (condition) {
        case "window closed" -> given.windowOpen = false;
        case "target down" -> given.toAvailable = false;
        case "rollback down" -> given.fromAvailable = false;
        case "approved" -> given.approved.add("one");
        case "b missing" -> given.facts("b", Observed.TargetFacts.ABSENT);
        case "hold alert on a" ->
            given.alerts.add(
                new AlertRecord(
                    AlertAction.HOLD, "a", null, List.of("P99"), 1, null, Instant.EPOCH, null));
        default -> throw new IllegalArgumentException(condition);
      }
    }
    TickContext tick = given.context();

    WaveAdmission.Admission admission = new WaveAdmission(tick, new TargetSteps(tick)).admit("one");

    assertThat(admission.outcome()).isEqualTo(outcome);
    assertThat(admission.blocker() == null ? null : admission.blocker().reason())
        .isEqualTo(blocker);
    assertThat(tick.transitions)
        .filteredOn(t -> t.to() == TargetPhase.Migrating)
        .extracting(Decision.Transition::namespace)
        .containsExactlyElementsOf(names(started));
    assertThat(tick.actions)
        .filteredOn(Action.Flip.class::isInstance)
        .extracting(Action::namespace)
        .containsExactlyElementsOf(names(started));
    assertThat(verdicts(tick, "waiting for a slot in wave one (maxConcurrent 2)"))
        .containsExactlyElementsOf(names(waiting));
    assertThat(tick.holds)
        .extracting(Decision.Hold::namespace)
        .containsExactlyElementsOf(names(held));
    if (outcome == WaveAdmission.Outcome.AWAITING_APPROVAL) {
      assertThat(verdicts(tick, "awaiting approval of wave one")).containsExactly("a", "b", "d");
    }
    if (condition != null && condition.equals("b missing")) {
      assertThat(tick.targets.get("b").phase).isEqualTo(TargetPhase.Skipped);
    }
  }

  private static List<String> verdicts(TickContext tick, String reason) {
    return tick.all().stream()
        .filter(n -> n.lastVerdict != null && n.lastVerdict.reason().equals(reason))
        .map(n -> n.name)
        .toList();
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # phases                                   | current wave
          ' '                                        | one
          a=Promoted b=Promoted d=Soaking            | one
          a=Promoted b=Skipped d=Promoted            | two
          a=Promoted b=RolledBack d=Promoted         | one
          a=Promoted b=Promoted d=Promoted c=Promoted | -
          a=Promoted b=Promoted d=Promoted c=Skipped | -
          """)
  void theCurrentWaveIsTheFirstWithANamespaceNotDone(String phases, String wave) {
    assertThat(WaveAdmission.currentWave(tick(false, phases).context())).isEqualTo(wave);
  }

  @ParameterizedTest(name = "window closed, revisions unavailable: {0}")
  @CsvSource({"true", "false"})
  void theWindowIsNamedWhenItBlocks(boolean also) {
    OneTick given = tick(false, " ");
    given.windowOpen = false;
    given.toAvailable = !also;
    TickContext tick = given.context();

    new WaveAdmission(tick, new TargetSteps(tick)).admit("one");

    assertThat(tick.targets.get("a").lastVerdict.reason())
        .isEqualTo("OutsideWindow: outside the maintenance window 0 0 1 ? * MON-FRI (UTC)");
    assertThat(tick.holds.get(0).message())
        .isEqualTo("outside the maintenance window 0 0 1 ? * MON-FRI (UTC)");
  }
}

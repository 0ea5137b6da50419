package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {
  private static final Instant EARLIER = Instant.parse("2026-11-21T09:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

  @ParameterizedTest(name = "{0}, in use by [{1}]")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
# phase          | old revision used by | conditions
Progressing      | ' '                   | Ready=False Paused=False
Pending          | ' '                   | Ready=False Paused=False
Paused           | ' '                   | Ready=False Paused=True
AwaitingApproval | ' '                   | Ready=False Paused=False
Failed           | ' '                   | Ready=False Paused=False
Succeeded        | ' '                   | Ready=True Paused=False OldRevisionUnused=True
Succeeded        | b a                   | Ready=True Paused=False OldRevisionUnused=False
""")
  void eachPhaseGivesItsConditions(MigrationPhase phase, String inUse, String expected) {
    PhaseOutcome outcome = new PhaseOutcome(phase, Reason.PROGRESSING, "m");
    Set<String> used = inUse.isBlank() ? Set.of() : Set.of(inUse.split(" "));

    List<Condition> conditions =
        Conditions.of(List.of(), outcome, used, "1-19-0", List.of(), NOW, 4);

    assertThat(conditions)
        .extracting(c -> c.type() + "=" + c.status())
        .containsExactlyElementsOf(Arrays.asList(expected.split(" ")));
    assertThat(conditions)
        .allSatisfy(
            c -> {
              assertThat(c.lastTransitionTime()).isEqualTo(NOW);
              assertThat(c.observedGeneration()).isEqualTo(4);
            });
    if (!used.isEmpty()) {
      assertThat(conditions.get(2).message()).isEqualTo("1-19-0 still used by a, b");
      assertThat(conditions.get(2).reason()).isEqualTo("InUse");
    }
  }

  @ParameterizedTest(name = "Ready was {0}, is now {1}: since {2}")
  @CsvSource(
      textBlock =
          """
          False, Progressing, EARLIER
          False, Succeeded,   NOW
          True,  Succeeded,   EARLIER
          True,  Failed,      NOW
          """)
  void lastTransitionTimeMovesOnlyWhenTheStatusFlips(
      String before, MigrationPhase phase, String since) {
    List<Condition> previous =
        List.of(new Condition("Ready", before, "Progressing", "wave one", EARLIER, 3L));

    Condition ready =
        Conditions.of(
                previous,
                new PhaseOutcome(phase, Reason.PROGRESSING, "wave two"),
                Set.of(),
                "1-19-0",
                List.of(),
                NOW,
                4)
            .get(0);

    assertThat(ready.lastTransitionTime()).isEqualTo(since.equals("NOW") ? NOW : EARLIER);
    assertThat(ready.message()).isEqualTo("wave two");
    assertThat(ready.reason()).isEqualTo("Progressing");
  }
}

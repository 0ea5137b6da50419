package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Stepping one namespace through Migrating, Restarting and RollingBack, one row per path. */
class TargetStepsTest {
  private static final String TO = FakeWorld.TO;
  private static final String FROM = FakeWorld.FROM;

  /**
   * "flipped workloads=3 restarted=3 rolledOut=1 failed proxies=TO:4,FROM:1 absent" as facts; the
   * phase has been on for an hour (restart.timeout is 10 minutes).
   */
  private static Observed.TargetFacts facts(String spec) {
    List<String> words = spec.isBlank() ? List.of() : Arrays.asList(spec.split(" "));
    int workloads = intOf(words, "workloads", 1);
    Map<String, Integer> proxies = Map.of();
    for (String w : words) {
      if (w.startsWith("proxies=")) {
        proxies =
            Arrays.stream(w.substring(8).split(","))
                .map(p -> p.split(":"))
                .collect(
                    java.util.stream.Collectors.toMap(
                        p -> p[0].equals("TO") ? TO : FROM, p -> Integer.parseInt(p[1])));
      }
    }
    return new Observed.TargetFacts(
        !words.contains("absent"),
        words.contains("flipped"),
        workloads,
        intOf(words, "restarted", workloads),
        intOf(words, "rolledOut", workloads),
        words.contains("failed"),
        proxies);
  }

  private static int intOf(List<String> words, String key, int otherwise) {
    return words.stream()
        .filter(w -> w.startsWith(key + "="))
        .map(w -> Integer.parseInt(w.substring(key.length() + 1)))
        .findFirst()
        .orElse(otherwise);
  }

  @ParameterizedTest(name = "{0} [{1}] baseline={2} restartId={3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # phase     | facts (then Observing for Verifying on)                                             | baseline | restart id | to           | reason              | actions                  | verdict
          Migrating   | ' '                                               | false    | -          | Migrating    | -                   | CaptureBaseline          | HOLD
          Migrating   | ' '                                               | true     | -          | Migrating    | -                   | Flip                     | HOLD
          Migrating   | revisions-down                                    | true     | -          | Migrating    | -                   | ' '                      | HOLD
          Migrating   | flipped                                           | true     | -          | Restarting   | FLIPPED             | Restart                  | HOLD
          Migrating   | absent                                            | true     | -          | Skipped      | NAMESPACE_NOT_FOUND | ' '                      | HOLD
          Restarting  | flipped failed restarted=1 rolledOut=0            | true     | 1          | RollingBack  | ROLLOUT_FAILED      | RestoreLabels            | ROLLBACK
          Restarting  | flipped workloads=3 restarted=3 rolledOut=1       | true     | 1          | RollingBack  | ROLLOUT_TIMEOUT     | RestoreLabels            | ROLLBACK
          Restarting  | flipped workloads=3 restarted=1 rolledOut=1 young | true     | 1          | Restarting   | -                   | Restart                  | HOLD
          Restarting  | flipped proxies=TO:4 young                        | true     | 1          | Soaking      | CONVERGED           | ' '                      | HOLD
          Restarting  | flipped proxies=TO:4,FROM:1 young                 | true     | 1          | Verifying    | ROLLED_OUT          | ' '                      | HOLD
          RollingBack | flipped                                           | true     | 2          | RollingBack  | -                   | RestoreLabels            | -
          RollingBack | flipped rollback-down                             | true     | 2          | RollingBack  | -                   | ' '                      | ROLLBACK
          RollingBack | restarted=0 proxies=TO:4 young                    | true     | 2          | RollingBack  | -                   | Restart                  | -
          RollingBack | restarted=0 proxies=TO:4 young                    | true     | -          | RollingBack  | -                   | Restart                  | -
          RollingBack | proxies=TO:1,FROM:3 young                         | true     | 2          | RollingBack  | -                   | ' '                      | -
          RollingBack | proxies=FROM:4                                    | true     | 2          | RolledBack   | ROLLED_BACK         | ' '                      | -
          RollingBack | rolledOut=0 proxies=FROM:4 young                  | true     | 2          | RollingBack  | -                   | Restart                  | -
          RollingBack | rolledOut=0 proxies=FROM:4                        | true     | -          | RolledBack   | ROLLED_BACK         | ' '                      | -
          Soaking     | flipped proxies=TO:4 aborted                      | true     | 1          | RollingBack  | ABORTED             | RestoreLabels            | ROLLBACK
          Verifying   | flipped proxies=TO:4 rollback-alert               | true     | 1          | RollingBack  | ALERT_FIRING        | RestoreLabels            | ROLLBACK
          Promoted    | flipped proxies=TO:4 aborted                      | true     | 1          | Promoted     | -                   | ' '                      | -
          Pending     | aborted                                           | true     | -          | Pending      | -                   | ' '                      | -
          """)
  void stepsOneNamespace(
      TargetPhase phase,
      String facts,
      boolean baseline,
      String restartSuffix,
      TargetPhase to,
      Reason reason,
      String actions,
      Verdict verdict) {
    OneTick given =
        new OneTick(
            FakeWorld.spec(List.of(FakeWorld.wave("one", Duration.ZERO, 1, false, "payments"))));
    given.ns("payments", "one", phase);
    TargetStatus recorded = given.recorded.get("payments");
    given.recorded.put(
        "payments",
        new TargetStatus(
            "payments",
            "one",
            phase,
            facts.contains("young") ? OneTick.NOW.minusSeconds(30) : recorded.phaseSince(),
            baseline ? recorded.baseline() : null,
            Map.of(),
            null,
            Map.of(),
            0,
            0,
            null,
            restartSuffix == null ? null : "istio-1-20/payments/" + restartSuffix,
            recorded.onTargetAt()));
    given.facts("payments", facts(facts));
    given.toAvailable = !facts.contains("revisions-down");
    given.fromAvailable = !facts.contains("revisions-down") && !facts.contains("rollback-down");
    given.aborted = facts.contains("aborted");
    if (facts.contains("rollback-alert")) {
      given.alerts.add(
          new AlertRecord(
              AlertAction.ROLLBACK,
              "payments",
              null,
              List.of("IstioHigh5xx"),
              1,
              null,
              OneTick.NOW,
              OneTick.NOW));
    }
    given.gate.put("payments", FakeWorld.passing());
    TickContext tick = given.context();

    new TargetSteps(tick).step(tick.targets.get("payments"));

    TargetState ns = tick.targets.get("payments");
    assertThat(ns.phase).isEqualTo(to);
    assertThat(
            tick.transitions.isEmpty()
                ? null
                : tick.transitions.get(tick.transitions.size() - 1).reason())
        .as("the reason of the last move")
        .isEqualTo(reason);
    assertThat(tick.actions)
        .extracting(a -> a.getClass().getSimpleName())
        .containsExactlyElementsOf(actions.isBlank() ? List.of() : List.of(actions.split(" ")));
    assertThat(ns.lastVerdict == null ? null : ns.lastVerdict.verdict()).isEqualTo(verdict);
  }
}

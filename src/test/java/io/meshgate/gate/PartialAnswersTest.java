package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.P99;
import static io.meshgate.gate.Fixtures.value;
import static io.meshgate.gate.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 22, "partial answers are not evidence": an answer with warnings its rule does not accept (a
 * Thanos Querier with a store down, Mimir or Cortex with partial results) is ERROR, never PASS or
 * FAIL, whatever the value says.
 */
class PartialAnswersTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final Target TARGET =
      new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev");
  private static final String STORE_DOWN =
      "partial response: store 10.0.0.7:10901 (thanos-store-0) unavailable";
  private static final String HINT =
      " (not evidence; a rule may accept a known-harmless warning with acceptWarnings)";

  private static Rule accepting(Rule rule, String... regexes) {
    return Fixtures.rebuilt(rule, rule.window(), rule.onNoData(), List.of(regexes));
  }

  /** error-rate for payments at {@code rate} over 500 requests, answered with {@code warnings}. */
  private static NamespaceVerdict tick(Rule rule, double rate, String... warnings) {
    List<PlannedQuery> plan = GatePlan.tick(List.of(rule), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(
        q ->
            answers.put(
                q,
                new QueryResult.Success(
                    List.of(value("payments", rate), volume("payments", 500)), List.of(warnings))));
    return Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);
  }

  @ParameterizedTest(name = "error-rate {0} with a warning holds, never {1}")
  @CsvSource({"0.001, PROMOTE", "0.5, ROLLBACK", "0.0100001, ROLLBACK"})
  void aPartialAnswerIsAnErrorThatHoldsWhateverTheValue(double rate, Verdict never) {
    NamespaceVerdict verdict = tick(ERROR_RATE, rate, STORE_DOWN);

    RuleResult result = verdict.rules().get(0);
    assertThat(result.result()).isEqualTo(Result.ERROR);
    assertThat(result.value()).isNull();
    assertThat(result.reason()).isEqualTo("PartialResponse");
    assertThat(result.message())
        .isEqualTo("Prometheus answered with warnings: " + STORE_DOWN + HINT);
    assertThat(verdict.verdict()).isEqualTo(Verdict.HOLD).isNotEqualTo(never);
    assertThat(verdict.reasonCode()).isEqualTo("PartialResponse");
    assertThat(verdict.reason())
        .isEqualTo(
            "partial answer for error-rate: Prometheus answered with warnings: "
                + STORE_DOWN
                + HINT);
  }

  @ParameterizedTest(name = "error-rate {0} with an accepted warning: {1}")
  @CsvSource({"0.001, PASS, PROMOTE", "0.5, FAIL, ROLLBACK"})
  void anAcceptedWarningLeavesTheAnswerToBeJudgedAsIfItHadNone(
      double rate, Result result, Verdict verdict) {
    Rule rule =
        accepting(ERROR_RATE, "partial response: store .* \\(thanos-store-\\d+\\) unavailable");

    NamespaceVerdict v = tick(rule, rate, STORE_DOWN);

    assertThat(v.rules().get(0).result()).isEqualTo(result);
    assertThat(v.rules().get(0).value()).isEqualTo(rate);
    assertThat(v.verdict()).isEqualTo(verdict);
  }

  @Test
  void oneAcceptedWarningDoesNotExcuseAnother() {
    Rule rule = accepting(ERROR_RATE, "PromQL warning: .*");

    NamespaceVerdict v =
        tick(rule, 0.001, "PromQL warning: encountered a mix of histograms and floats", STORE_DOWN);

    assertThat(v.rules().get(0).result()).isEqualTo(Result.ERROR);
    assertThat(v.rules().get(0).message())
        .as("only the warning the rule does not accept is named")
        .isEqualTo("Prometheus answered with warnings: " + STORE_DOWN + HINT);
    assertThat(v.verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void aRegexMatchesTheWholeWarningNotAPartOfIt() {
    Rule rule = accepting(ERROR_RATE, "partial response", "store .*");

    assertThat(rule.unacceptedWarnings(List.of(STORE_DOWN))).containsExactly(STORE_DOWN);
    assertThat(tick(rule, 0.001, STORE_DOWN).verdict()).isEqualTo(Verdict.HOLD);
    assertThat(accepting(ERROR_RATE, ".*store.*").unacceptedWarnings(List.of(STORE_DOWN)))
        .isEmpty();
  }

  @Test
  void manyOrLongWarningsAreShortenedInTheMessage() {
    String longWarning = "partial response: " + "x".repeat(400);

    RuleResult result =
        tick(ERROR_RATE, 0.001, longWarning, "second", "third", "fourth", "fifth").rules().get(0);

    assertThat(result.message())
        .isEqualTo(
            "Prometheus answered with warnings: "
                + longWarning.substring(0, 300)
                + "...; second; third (and 2 more)"
                + HINT);
  }

  @Test
  void twoRulesAnsweredPartiallyAreNamedOnceTogether() {
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE, P99), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(
        q ->
            answers.put(
                q,
                new QueryResult.Success(
                    List.of(value("payments", 0.001), volume("payments", 500)),
                    List.of(STORE_DOWN))));

    NamespaceVerdict v = Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(v.reason())
        .isEqualTo(
            "partial answer for error-rate, p99-latency: Prometheus answered with warnings: "
                + STORE_DOWN
                + HINT);
  }

  @Test
  void noBaselineIsTakenFromAPartialAnswer() {
    List<PlannedQuery> plan = GatePlan.baseline(List.of(P99), TARGET, NOW, Duration.ofMinutes(30));
    Map<PlannedQuery, QueryResult> partial =
        Map.of(
            plan.get(0),
            new QueryResult.Success(List.of(value("payments", 87)), List.of(STORE_DOWN)));

    assertThat(Gate.baselines(plan, partial))
        .as("null: the capture waits, as when Prometheus cannot be asked")
        .isNull();

    Rule accepting = accepting(P99, "partial response: store .* unavailable");
    List<PlannedQuery> acceptedPlan =
        GatePlan.baseline(List.of(accepting), TARGET, NOW, Duration.ofMinutes(30));
    assertThat(
            Gate.baselines(
                acceptedPlan,
                Map.of(
                    acceptedPlan.get(0),
                    new QueryResult.Success(List.of(value("payments", 87)), List.of(STORE_DOWN)))))
        .isEqualTo(Map.of("payments", Map.of("p99-latency", 87.0)));
  }

  @Test
  void infosAreNeverJudged() {
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(
            plan.get(0),
            new QueryResult.Success(
                List.of(value("payments", 0.001), volume("payments", 500)),
                List.of(),
                List.of("PromQL info: metric might not be a counter")));

    NamespaceVerdict v = Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(v.verdict()).isEqualTo(Verdict.PROMOTE);
  }

  @Test
  void aReplayedRangeAnswerWithAWarningMakesEveryStepOfItsQueryAnError() {
    Replay.Window window = new Replay.Window(NOW, NOW.plusSeconds(60), Duration.ofSeconds(30));
    Replay.Plan plan =
        Replay.plan(List.of(ERROR_RATE), TARGET, window, EvidenceWindows.unclipped());
    TreeMap<Long, Double> values = new TreeMap<>();
    TreeMap<Long, Double> volumes = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      values.put(NOW.getEpochSecond() + 30L * i, 0.5);
      volumes.put(NOW.getEpochSecond() + 30L * i, 500.0);
    }
    RangeResult.Success answer =
        new RangeResult.Success(
            List.of(
                new RangeResult.RangeSeries(value("payments", 0).labels(), values),
                new RangeResult.RangeSeries(volume("payments", 0).labels(), volumes)),
            List.of(STORE_DOWN),
            List.of());

    Replay.Report report =
        Replay.run(
            TARGET,
            plan,
            Map.of(plan.queries().get(0).query(), answer),
            Map.of(),
            window,
            new Replay.Streaks(1, 1));

    Replay.Timeline payments = report.namespaces().get(0);
    assertThat(payments.steps())
        .hasSize(3)
        .allSatisfy(
            s -> {
              assertThat(s.verdict()).isEqualTo(Verdict.HOLD);
              assertThat(s.rules().get(0).result()).isEqualTo(Result.ERROR);
              assertThat(s.reason())
                  .isEqualTo(
                      "partial answer for error-rate: Prometheus answered with warnings: "
                          + STORE_DOWN
                          + HINT);
            });
    assertThat(payments.firstRollback()).as("a 0.5 error rate, but not evidence").isNull();
    assertThat(report.verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void anInvalidRegexIsAProblemOfTheFieldNamingTheRegexAndWhatIsWrong() {
    assertThatThrownBy(() -> accepting(ERROR_RATE, "store (.*", "fine"))
        .isInstanceOf(Rule.InvalidRuleException.class)
        .hasMessage(
            "rule error-rate: field 'acceptWarnings' entry 1 is \"store (.*\", not a valid"
                + " regular expression: Unclosed group near index 9; expected a regex matching a"
                + " whole warning, such as \"partial response: .*\"");
  }
}

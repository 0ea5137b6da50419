package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.CONVERGENCE;
import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.P99;
import static io.meshgate.gate.Fixtures.XDS_REJECTS;
import static io.meshgate.gate.Fixtures.control;
import static io.meshgate.gate.Fixtures.revisionValue;
import static io.meshgate.gate.Fixtures.revisionVolume;
import static io.meshgate.gate.Fixtures.value;
import static io.meshgate.gate.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GateTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final Target TARGET =
      new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev");
  private static final Target NO_FROM =
      new Target(List.of("payments"), "1-20-0", null, "istio_io_rev");

  /** Evaluates one rule for "payments" with the given series as Prometheus' answer. */
  private static RuleResult judge(Rule rule, Target target, Double baseline, List<Series> series) {
    List<PlannedQuery> plan = GatePlan.tick(List.of(rule), target, NOW);
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(q -> answers.put(q, new QueryResult.Success(series)));
    Map<String, Map<String, Double>> baselines =
        baseline == null ? Map.of() : Map.of("payments", Map.of(rule.name(), baseline));
    return Gate.evaluate(target, NOW, plan, answers, baselines).namespaces().get(0).rules().get(0);
  }

  static Stream<Arguments> namespaceRuleCases() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    return Stream.of(
        // rule, value (null = no series), volume (null = no series), baseline, result, bound
        Arguments.of(ERROR_RATE, 0.005, 500.0, null, Result.PASS, 0.01),
        Arguments.of(ERROR_RATE, 0.01, 500.0, null, Result.PASS, 0.01),
        Arguments.of(ERROR_RATE, 0.0100001, 500.0, null, Result.FAIL, 0.01),
        Arguments.of(ERROR_RATE, 0.0, 100.0, null, Result.PASS, 0.01),
        Arguments.of(ERROR_RATE, 0.5, 99.0, null, Result.NO_DATA, null),
        Arguments.of(ERROR_RATE, 0.5, null, null, Result.NO_DATA, null),
        Arguments.of(ERROR_RATE, 0.5, nan, null, Result.NO_DATA, null),
        Arguments.of(ERROR_RATE, nan, 500.0, null, Result.NO_DATA, null),
        Arguments.of(ERROR_RATE, null, 500.0, null, Result.NO_DATA, null),
        Arguments.of(ERROR_RATE, inf, 500.0, null, Result.FAIL, 0.01),
        Arguments.of(P99, 140.0, null, 100.0, Result.PASS, 150.0),
        Arguments.of(P99, 150.0, null, 100.0, Result.PASS, 150.0),
        Arguments.of(P99, 151.0, null, 100.0, Result.FAIL, 150.0),
        Arguments.of(P99, 15.0, null, 0.0, Result.PASS, 15.0),
        Arguments.of(P99, 16.0, null, 0.0, Result.FAIL, 15.0),
        Arguments.of(P99, 16.0, null, 4.0, Result.FAIL, 15.0),
        Arguments.of(P99, 900.0, null, null, Result.PASS, 1000.0),
        Arguments.of(P99, 900.0, null, nan, Result.PASS, 1000.0),
        Arguments.of(P99, 1000.5, null, null, Result.FAIL, 1000.0),
        Arguments.of(P99, 1100.0, null, 900.0, Result.FAIL, 1000.0),
        Arguments.of(P99, inf, null, 100.0, Result.FAIL, 1000.0),
        Arguments.of(P99, Double.NEGATIVE_INFINITY, null, 100.0, Result.PASS, 150.0));
  }

  @ParameterizedTest(name = "{0} value={1} volume={2} baseline={3} -> {4}")
  @MethodSource("namespaceRuleCases")
  void judgesNamespaceRuleAgainstAbsoluteAndRelativeBounds(
      Rule rule, Double value, Double volume, Double baseline, Result expected, Double bound) {
    List<Series> series = new ArrayList<>();
    if (value != null) {
      series.add(value("payments", value));
    }
    if (volume != null) {
      series.add(volume("payments", volume));
    }
    RuleResult result = judge(rule, TARGET, baseline, series);

    assertThat(result.result()).isEqualTo(expected);
    assertThat(result.bound()).isEqualTo(bound);
    assertThat(result.query()).contains("payments").doesNotContain("{{");
  }

  @Test
  void failMessageShowsValueBoundAndBaseline() {
    RuleResult result = judge(P99, TARGET, 100.0, List.of(value("payments", 410)));

    assertThat(result.message()).isEqualTo("p99-latency 410 > 150 (baseline 100 +50%)");
    assertThat(result.baseline()).isEqualTo(100.0);
    assertThat(result.reason()).isEqualTo("ThresholdExceeded");
  }

  @Test
  void zeroBaselineIsRaisedToTheFloorAndSaysSo() {
    RuleResult result = judge(P99, TARGET, 0.0, List.of(value("payments", 16)));

    assertThat(result.message()).isEqualTo("p99-latency 16 > 15 (baseline 0, floored to 10 +50%)");
  }

  @Test
  void relativeBoundWithoutBaselineIsSkippedVisibly() {
    RuleResult result = judge(P99, TARGET, null, List.of(value("payments", 900)));

    assertThat(result.result()).isEqualTo(Result.PASS);
    assertThat(result.baseline()).isNull();
    assertThat(result.message())
        .isEqualTo("p99-latency 900 <= 1000 (maxIncrease not checked: no baseline)");
  }

  @Test
  void underVolumeIsNoDataWithVolumeAndHint() {
    RuleResult result =
        judge(ERROR_RATE, TARGET, null, List.of(value("payments", 0.5), volume("payments", 12)));

    assertThat(result.result()).isEqualTo(Result.NO_DATA);
    assertThat(result.message())
        .isEqualTo("volume 12 in 5m < minVolume 100, probably not receiving traffic");
  }

  @Test
  void twoSeriesForOneNamespaceIsAnAmbiguousError() {
    Series a = new Series(Map.of(Fixtures.NS_LABEL, "payments", "pod", "a"), 0.1);
    Series b = new Series(Map.of(Fixtures.NS_LABEL, "payments", "pod", "b"), 0.2);

    RuleResult result = judge(P99, TARGET, null, List.of(a, b));

    assertThat(result.result()).isEqualTo(Result.ERROR);
    assertThat(result.message())
        .startsWith("2 series for namespace payments (")
        .endsWith("); ambiguous, aggregate the query by destination_workload_namespace");
  }

  @Test
  void seriesOfOtherNamespacesAreIgnored() {
    RuleResult result =
        judge(
            ERROR_RATE,
            TARGET,
            null,
            List.of(value("orders", 0.9), volume("orders", 1000), volume("payments", 500)));

    assertThat(result.result()).isEqualTo(Result.NO_DATA);
  }

  static Stream<Arguments> revisionRuleCases() {
    return Stream.of(
        // rule, target, value, guard, control, result, bound, baseline
        Arguments.of(CONVERGENCE, TARGET, 2.0, 1.0, 1.0, Result.PASS, 2.0, 1.0),
        Arguments.of(CONVERGENCE, TARGET, 2.5, 1.0, 1.0, Result.FAIL, 2.0, 1.0),
        Arguments.of(CONVERGENCE, TARGET, 4.0, 2.0, null, Result.PASS, 5.0, null),
        Arguments.of(CONVERGENCE, NO_FROM, 4.0, 1.0, 1.0, Result.PASS, 5.0, null),
        Arguments.of(CONVERGENCE, TARGET, 6.0, 1.0, 10.0, Result.FAIL, 5.0, 10.0),
        Arguments.of(CONVERGENCE, TARGET, 2.0, 0.0, 1.0, Result.NO_DATA, null, 1.0),
        Arguments.of(CONVERGENCE, TARGET, 2.0, null, 1.0, Result.NO_DATA, null, 1.0),
        Arguments.of(CONVERGENCE, TARGET, null, 1.0, 1.0, Result.NO_DATA, null, 1.0),
        Arguments.of(XDS_REJECTS, TARGET, 0.0, 1.0, null, Result.PASS, 0.0, null),
        Arguments.of(XDS_REJECTS, TARGET, 0.4, 1.0, null, Result.FAIL, 0.0, null),
        Arguments.of(XDS_REJECTS, TARGET, 3.0, 0.0, null, Result.NO_DATA, null, null));
  }

  @ParameterizedTest(name = "{0} value={2} guard={3} control={4} -> {5}")
  @MethodSource("revisionRuleCases")
  void judgesRevisionRuleAgainstTheOldRevisionAsControlGroup(
      Rule rule,
      Target target,
      Double value,
      Double guard,
      Double controlValue,
      Result expected,
      Double bound,
      Double baseline) {
    List<Series> series = new ArrayList<>();
    if (value != null) {
      series.add(revisionValue(value));
    }
    if (guard != null) {
      series.add(revisionVolume(guard));
    }
    if (controlValue != null) {
      series.add(control(controlValue));
    }
    RuleResult result = judge(rule, target, null, series);

    assertThat(result.result()).isEqualTo(expected);
    assertThat(result.bound()).isEqualTo(bound);
    assertThat(result.baseline()).isEqualTo(baseline);
  }

  @Test
  void revisionGuardNoDataHintsAtTheRevisionLabel() {
    RuleResult result = judge(XDS_REJECTS, TARGET, null, List.of(revisionValue(0)));

    assertThat(result.message())
        .isEqualTo(
            "volume 0 in 5m < minVolume 1, is the istiod of revision 1-20-0 up and scraped with"
                + " label istio_io_rev?");
  }

  @Test
  void prometheusFailureIsAnErrorThatHoldsNeverPromotes() {
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(plan.get(0), new QueryResult.Failure("unreachable", "connection refused", true));

    NamespaceVerdict verdict =
        Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(verdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(verdict.reason())
        .isEqualTo("prometheus unavailable for error-rate: connection refused");
    assertThat(verdict.reasonCode()).isEqualTo("PrometheusUnavailable");
    assertThat(verdict.rules().get(0).result()).isEqualTo(Result.ERROR);
  }

  @Test
  void refusedQueryIsAnErrorNamingTheQueryProblem() {
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(plan.get(0), new QueryResult.Failure("bad_data", "parse error at char 3", false));

    NamespaceVerdict verdict =
        Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(verdict.reason()).isEqualTo("query error in error-rate: parse error at char 3");
    assertThat(verdict.reasonCode()).isEqualTo("QueryFailed");
  }

  static Stream<Arguments> onNoDataCases() {
    return Stream.of(
        Arguments.of(NoDataPolicy.HOLD, Result.NO_DATA, Verdict.HOLD),
        Arguments.of(NoDataPolicy.PASS, Result.PASS, Verdict.PROMOTE),
        Arguments.of(NoDataPolicy.FAIL, Result.FAIL, Verdict.ROLLBACK));
  }

  @ParameterizedTest(name = "onNoData {0} -> {1}, {2}")
  @MethodSource("onNoDataCases")
  void onNoDataDecidesWhatMissingDataMeans(NoDataPolicy policy, Result result, Verdict verdict) {
    Rule rule =
        new Rule(
            "no-data",
            "",
            Scope.NAMESPACE,
            "x{ns=~\"{{namespaces}}\"}",
            Fixtures.NS_LABEL,
            Duration.ofMinutes(1),
            1.0,
            null,
            null,
            null,
            null,
            null,
            Severity.CRITICAL,
            policy);
    List<PlannedQuery> plan = GatePlan.tick(List.of(rule), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(plan.get(0), new QueryResult.Success(List.of()));

    NamespaceVerdict v = Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(v.rules().get(0).result()).isEqualTo(result);
    assertThat(v.verdict()).isEqualTo(verdict);
  }

  @Test
  void onNoDataDoesNotTurnAPrometheusErrorIntoAPass() {
    Rule lenient =
        new Rule(
            "lenient",
            "",
            Scope.NAMESPACE,
            "x{ns=~\"{{namespaces}}\"}",
            Fixtures.NS_LABEL,
            Duration.ofMinutes(1),
            1.0,
            null,
            null,
            null,
            null,
            null,
            Severity.CRITICAL,
            NoDataPolicy.PASS);
    List<PlannedQuery> plan = GatePlan.tick(List.of(lenient), TARGET, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(plan.get(0), new QueryResult.Failure("timeout", "timed out after 10s", true));

    NamespaceVerdict v = Gate.evaluate(TARGET, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(v.verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void templateThatCannotBeRenderedIsAnErrorNotACrash() {
    Rule needsFrom =
        new Rule(
            "compare",
            "",
            Scope.REVISION,
            "x{rev=\"{{revision}}\"} / x{rev=\"{{fromRevision}}\"}",
            null,
            Duration.ofMinutes(1),
            2.0,
            null,
            null,
            null,
            null,
            null,
            Severity.CRITICAL,
            NoDataPolicy.HOLD);
    List<PlannedQuery> plan = GatePlan.tick(List.of(needsFrom), NO_FROM, NOW);

    NamespaceVerdict v = Gate.evaluate(NO_FROM, NOW, plan, Map.of(), Map.of()).namespaces().get(0);

    assertThat(plan.get(0).isSendable()).isFalse();
    assertThat(v.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(v.rules().get(0).message())
        .isEqualTo("query not sent: placeholder {{fromRevision}} has no value in this context");
  }

  @Test
  void baselinesAreReadPerNamespaceAndSkipNamespacesWithoutData() {
    Target two = new Target(List.of("payments", "orders"), "1-20-0", null, "istio_io_rev");
    List<PlannedQuery> plan =
        GatePlan.baseline(List.of(P99, CONVERGENCE), two, NOW, Duration.ofMinutes(30));
    Map<PlannedQuery, QueryResult> answers =
        Map.of(plan.get(0), new QueryResult.Success(List.of(value("payments", 87))));

    assertThat(plan).hasSize(1);
    assertThat(plan.get(0).promql()).contains("[30m]");
    assertThat(Gate.baselines(plan, answers))
        .isEqualTo(Map.of("payments", Map.of("p99-latency", 87.0)));
  }

  /** A baseline is kept for the whole migration: none is taken while Prometheus cannot answer. */
  @Test
  void noBaselineIsTakenWhilePrometheusCannotAnswer() {
    List<PlannedQuery> plan = GatePlan.baseline(List.of(P99), TARGET, NOW, Duration.ofMinutes(30));
    Map<PlannedQuery, QueryResult> down =
        Map.of(plan.get(0), new QueryResult.Failure("timeout", "query timed out", true));
    Map<PlannedQuery, QueryResult> refused =
        Map.of(plan.get(0), new QueryResult.Failure("bad_data", "parse error", false));

    assertThat(Gate.baselines(plan, down)).isNull();
    assertThat(Gate.baselines(plan, refused)).as("a refused query never answers").isEmpty();
  }
}

package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.P99;
import static io.meshgate.gate.Fixtures.value;
import static io.meshgate.gate.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A failing namespace held against the control cohort, through the whole gate: the cohort's series
 * come back in the same query; healthy, degraded, absent, under volume or NaN, it turns a FAIL into
 * HOLD (GlobalDegradation) only when it degraded as much.
 */
class CohortTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final List<String> COHORT = List.of("orders", "search", "catalog");

  /**
   * Evaluates {@code rule} for payments with cohort members' values given as {@code
   * orders=0.05,search=0.04} (a member without volume: {@code orders=0.05/0}).
   */
  private static RuleResult judge(
      Rule rule,
      double value,
      Double baseline,
      String cohort,
      Double cohortBaseline,
      List<String> members) {
    Target target = new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev", members);
    List<PlannedQuery> plan = GatePlan.tick(List.of(rule), target, NOW);
    List<Series> series =
        new ArrayList<>(List.of(value("payments", value), volume("payments", 500)));
    if (!cohort.isBlank()) {
      for (String member : cohort.split(",")) {
        String[] nameAndValue = member.split("=");
        String[] valueAndVolume = nameAndValue[1].split("/");
        series.add(value(nameAndValue[0], Double.parseDouble(valueAndVolume[0])));
        series.add(
            volume(
                nameAndValue[0],
                valueAndVolume.length > 1 ? Double.parseDouble(valueAndVolume[1]) : 500));
      }
    }
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(q -> answers.put(q, new QueryResult.Success(series)));
    Map<String, Double> baselines = new HashMap<>();
    if (baseline != null) {
      baselines.put(rule.name(), baseline);
    }
    if (cohortBaseline != null) {
      baselines.put(Cohort.baselineKey(rule.name()), cohortBaseline);
    }
    return Gate.evaluate(target, NOW, plan, answers, Map.of("payments", baselines))
        .namespaces()
        .get(0)
        .rules()
        .get(0);
  }

  @ParameterizedTest(name = "{0} {1} (baseline {2}) vs cohort [{3}] (baseline {4}) -> {5}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
# rule       | value | baseline | cohort                                       | cohort baseline | result  | cohort value | message ends with
# a regression on the new revision only still fails
error-rate   | 0.05  | -        | orders=0.001,search=0.002,catalog=0.0015     | -               | FAIL    | 0.0015       | the cohort on 1-19-0 (3 namespaces) at 0.0015: the new revision only
# the cohort breaches the same bound: a mesh-wide incident
error-rate   | 0.05  | -        | orders=0.05,search=0.048,catalog=0.001       | -               | HOLD    | 0.048        | the cohort on 1-19-0 (3 namespaces) at 0.048 breaches it too: shared by 1-19-0, not the new revision
# the median: one sick member does not make a degradation
error-rate   | 0.05  | -        | orders=0.05,search=0.002,catalog=0.001       | -               | FAIL    | 0.002        | the new revision only
# members under volume are left out; none left is no cohort
error-rate   | 0.05  | -        | orders=0.05/10,search=0.05/10                | -               | FAIL    | NaN          | error-rate 0.05 > max 0.01
error-rate   | 0.05  | -        | orders=0.05/10,search=0.048                  | -               | HOLD    | 0.048        | the cohort on 1-19-0 (1 namespace) at 0.048 breaches it too: shared by 1-19-0, not the new revision
# no cohort at all (the last wave), or only NaN
error-rate   | 0.05  | -        | ' '                                          | -               | FAIL    | NaN          | error-rate 0.05 > max 0.01
error-rate   | 0.05  | -        | orders=NaN,search=NaN                        | -               | FAIL    | NaN          | error-rate 0.05 > max 0.01
# relative bound: the cohort's change since the namespace's baseline window
p99-latency  | 300   | 100      | orders=180,search=170,catalog=190            | 10              | HOLD    | 180          | degraded as much: shared by 1-19-0, not the new revision
p99-latency  | 300   | 100      | orders=120,search=110,catalog=130            | 90              | FAIL    | 120          | the new revision only
# within the margin: 80% of the namespace's change is enough (200 * 0.8 = 160)
p99-latency  | 300   | 100      | orders=170,search=170,catalog=170            | 10              | HOLD    | 170          | degraded as much: shared by 1-19-0, not the new revision
p99-latency  | 300   | 100      | orders=169,search=169,catalog=169            | 10              | FAIL    | 169          | the new revision only
# no cohort baseline (captured before the cohort existed): the bound alone decides
p99-latency  | 300   | 100      | orders=180,search=170,catalog=190            | -               | FAIL    | 180          | (3 namespaces) at 180: the new revision only
# a passing namespace is not compared, but shows the cohort
error-rate   | 0.001 | -        | orders=0.05,search=0.048,catalog=0.049       | -               | PASS    | 0.049        | <= 0.01
""")
  void comparesAFailingNamespaceWithTheCohort(
      String rule,
      double value,
      Double baseline,
      String cohort,
      Double cohortBaseline,
      Result result,
      Double cohortValue,
      String messageEnd) {
    Rule r = rule.equals("error-rate") ? ERROR_RATE : P99;
    RuleResult judged = judge(r, value, baseline, cohort, cohortBaseline, COHORT);

    assertThat(judged.result()).isEqualTo(result);
    assertThat(judged.cohort()).isEqualTo(cohortValue);
    if (result == Result.HOLD) {
      assertThat(judged.reason()).isEqualTo("GlobalDegradation");
    }
    assertThat(judged.message()).endsWith(messageEnd);
    assertThat(judged.value()).isEqualTo(value);
  }

  @Test
  void aGlobalDegradationHoldsTheVerdictWithBothValues() {
    Target target =
        new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev", List.of("orders"));
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), target, NOW);
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(
        q ->
            answers.put(
                q,
                new QueryResult.Success(
                    List.of(
                        value("payments", 0.05),
                        volume("payments", 500),
                        value("orders", 0.04),
                        volume("orders", 500)))));

    NamespaceVerdict verdict =
        Gate.evaluate(target, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(verdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(verdict.reasonCode()).isEqualTo("GlobalDegradation");
    assertThat(verdict.reason())
        .isEqualTo(
            "GlobalDegradation in error-rate: error-rate 0.05 > max 0.01, and the cohort on"
                + " 1-19-0 (1 namespace) at 0.04 breaches it too: shared by 1-19-0, not the new"
                + " revision");
  }

  /** Issue 22: a missing cohort is said once (condition, Slack, evaluate), never in a reason. */
  @Test
  void withoutACohortTheReasonIsTheNamespacesOwnAndTheResultIsMarkedUnmeasured() {
    Target target = new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev", List.of());
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), target, NOW);
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(
        q ->
            answers.put(
                q,
                new QueryResult.Success(
                    List.of(value("payments", 0.05), volume("payments", 500)))));

    NamespaceVerdict verdict =
        Gate.evaluate(target, NOW, plan, answers, Map.of()).namespaces().get(0);

    assertThat(verdict.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(verdict.reason())
        .isEqualTo("critical rule error-rate failed: error-rate 0.05 > max 0.01");
    RuleResult result = verdict.rules().get(0);
    assertThat(Cohort.unmeasured(result)).isTrue();
    assertThat(Cohort.measured(result)).isFalse();
    assertThat(Cohort.unmeasuredRules(verdict.rules())).containsExactly("error-rate");
    assertThat(Cohort.unmeasuredText("1-19-0", List.of("error-rate", "p99-latency"), NOW))
        .isEqualTo(
            "nothing of the control cohort on 1-19-0 carried volume for error-rate, p99-latency at"
                + " 2026-11-21T10:00:00Z: failures are judged on bounds and baselines only");
  }

  @Test
  void aRuleThatDoesNotCompareIsNeitherMeasuredNorUnmeasured() {
    RuleResult judged = judge(errorRate(CohortMode.OFF, null), 0.05, null, " ", null, COHORT);

    assertThat(judged.cohort()).isNull();
    assertThat(Cohort.unmeasured(judged)).isFalse();
    assertThat(Cohort.measured(judged)).isFalse();
  }

  /** error-rate with max 0.01 and no volume guard, compared with a cohort as told. */
  private static Rule errorRate(CohortMode cohort, Double margin) {
    return new Rule(
        "error-rate",
        "",
        Scope.NAMESPACE,
        ERROR_RATE.query(),
        Fixtures.NS_LABEL,
        ERROR_RATE.window(),
        0.01,
        null,
        null,
        null,
        null,
        null,
        Severity.CRITICAL,
        NoDataPolicy.HOLD,
        cohort,
        margin);
  }

  @Test
  void theCohortRidesInTheSameQueryAndOnlyForRulesThatCompare() {
    Target target =
        new Target(
            List.of("payments", "cart"), "1-20-0", "1-19-0", "istio_io_rev", List.of("orders"));
    Rule off = errorRate(CohortMode.OFF, null);

    List<PlannedQuery> compared = GatePlan.tick(List.of(ERROR_RATE), target, NOW);
    List<PlannedQuery> alone = GatePlan.tick(List.of(off), target, NOW);

    assertThat(compared).hasSize(1);
    assertThat(compared.get(0).promql()).contains("payments|cart|orders");
    assertThat(compared.get(0).namespaces()).containsExactly("payments", "cart");
    assertThat(alone.get(0).promql()).contains("payments|cart\"").doesNotContain("orders");
  }

  @Test
  void theBaselineCapturesTheCohortOverTheSameWindow() {
    Target target =
        new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev", List.of("a", "b"));
    List<PlannedQuery> plan =
        GatePlan.baseline(List.of(P99), target, NOW, java.time.Duration.ofMinutes(30));
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(
        q ->
            answers.put(
                q,
                new QueryResult.Success(
                    List.of(value("payments", 100), value("a", 80), value("b", 90)))));

    Map<String, Map<String, Double>> baselines = Gate.baselines(plan, answers, target);

    assertThat(baselines.get("payments"))
        .containsEntry("p99-latency", 100.0)
        .containsEntry("cohort/p99-latency", 85.0);
  }

  @Test
  void theMedianOfTheMembers() {
    assertThat(Cohort.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Cohort.Value(2.0, 3));
    assertThat(Cohort.of(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(new Cohort.Value(2.5, 4));
    assertThat(Cohort.of(List.of(Double.NaN, 1.0))).isEqualTo(new Cohort.Value(1.0, 1));
    assertThat(Cohort.of(List.of())).isNull();
    assertThat(Cohort.of(List.of(Double.NaN))).isNull();
  }

  @Test
  void aMarginOutsideZeroToOneIsRefusedNamingTheField() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> errorRate(CohortMode.AUTO, 1.5))
        .hasMessageContaining("field 'cohortMargin' is 1.5; expected a number from 0 up to");
  }
}

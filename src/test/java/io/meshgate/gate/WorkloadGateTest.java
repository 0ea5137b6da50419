package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.CONVERGENCE;
import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.GATEWAY_ERROR_RATE;
import static io.meshgate.gate.Fixtures.GATEWAY_P99;
import static io.meshgate.gate.Fixtures.P99;
import static io.meshgate.gate.Fixtures.WAYPOINT_ERROR_RATE;
import static io.meshgate.gate.Fixtures.WAYPOINT_P99;
import static io.meshgate.gate.Fixtures.XDS_REJECTS;
import static io.meshgate.gate.Fixtures.control;
import static io.meshgate.gate.Fixtures.revisionValue;
import static io.meshgate.gate.Fixtures.revisionVolume;
import static io.meshgate.gate.Fixtures.value;
import static io.meshgate.gate.Fixtures.volume;
import static io.meshgate.gate.Fixtures.workloadPart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 25: gateways and waypoints judged by the rules of their scope, one value per workload read
 * by two labels, with the namespaces' semantics (no data, volume guard, baseline, cohort, evidence
 * window, partial answers) and still one query per rule and window.
 */
class WorkloadGateTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final Workload INGRESS =
      new Workload(
          Scope.GATEWAY,
          "Deployment/istio-ingress/istio-ingressgateway",
          "istio-ingress",
          "istio-ingressgateway");
  private static final Workload PUBLIC =
      new Workload(Scope.GATEWAY, "Gateway/shop/public", "shop", "public-istio");
  private static final Workload WAYPOINT =
      new Workload(Scope.WAYPOINT, "Gateway/shop/waypoint", "shop", "waypoint");
  private static final String WAYPOINT_HINT =
      " with labels namespace and gateway_networking_k8s_io_gateway_name (gate.waypointLabels)";

  private static Target target(
      List<String> namespaces, List<Workload> workloads, List<Workload> cohort) {
    return new Target(
        namespaces,
        "1-20-0",
        "1-19-0",
        "istio_io_rev",
        List.of(),
        workloads,
        cohort,
        WaypointLabels.DEFAULT);
  }

  private static Target target(Workload... workloads) {
    return target(List.of(), List.of(workloads), List.of());
  }

  private static Map<PlannedQuery, QueryResult> answering(
      List<PlannedQuery> plan, List<Series> series) {
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(q -> answers.put(q, new QueryResult.Success(series)));
    return answers;
  }

  /** Each query answered with the series of its rule's scope, as Prometheus would. */
  private static Map<PlannedQuery, QueryResult> answeringByScope(
      List<PlannedQuery> plan, Map<Scope, List<Series>> series) {
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(q -> answers.put(q, new QueryResult.Success(series.get(q.rule().scope()))));
    return answers;
  }

  private static NamespaceVerdict verdictOf(TickReport report, String key) {
    return report.namespaces().stream()
        .filter(v -> v.namespace().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no verdict for " + key + " in " + report));
  }

  /** Evaluates one rule for {@code w} alone with {@code series} as Prometheus' answer. */
  private static RuleResult judge(Rule rule, Workload w, Double baseline, List<Series> series) {
    Target target = target(w);
    List<PlannedQuery> plan = GatePlan.tick(List.of(rule), target, NOW);
    Map<String, Map<String, Double>> baselines =
        baseline == null ? Map.of() : Map.of(w.key(), Map.of(rule.name(), baseline));
    TickReport report = Gate.evaluate(target, NOW, plan, answering(plan, series), baselines);
    return verdictOf(report, w.key()).rules().get(0);
  }

  static Stream<Arguments> workloadRuleCases() {
    double nan = Double.NaN;
    List<Arguments> cases = new ArrayList<>();
    for (Workload w : List.of(INGRESS, WAYPOINT)) {
      Rule errorRate = w == INGRESS ? GATEWAY_ERROR_RATE : WAYPOINT_ERROR_RATE;
      Rule p99 = w == INGRESS ? GATEWAY_P99 : WAYPOINT_P99;
      // rule, workload, value (null = no series), volume (null = no series), baseline, result,
      // bound
      cases.addAll(
          List.of(
              Arguments.of(errorRate, w, 0.005, 500.0, null, Result.PASS, 0.01),
              Arguments.of(errorRate, w, 0.01, 500.0, null, Result.PASS, 0.01),
              Arguments.of(errorRate, w, 0.0100001, 500.0, null, Result.FAIL, 0.01),
              Arguments.of(errorRate, w, 0.5, 99.0, null, Result.NO_DATA, null),
              Arguments.of(errorRate, w, 0.5, null, null, Result.NO_DATA, null),
              Arguments.of(errorRate, w, nan, 500.0, null, Result.NO_DATA, null),
              Arguments.of(errorRate, w, null, 500.0, null, Result.NO_DATA, null),
              Arguments.of(p99, w, 140.0, null, 100.0, Result.PASS, 150.0),
              Arguments.of(p99, w, 151.0, null, 100.0, Result.FAIL, 150.0),
              Arguments.of(p99, w, 16.0, null, 0.0, Result.FAIL, 15.0),
              Arguments.of(p99, w, 900.0, null, null, Result.PASS, 1000.0),
              Arguments.of(p99, w, 1100.0, null, 900.0, Result.FAIL, 1000.0),
              Arguments.of(p99, w, null, null, 100.0, Result.NO_DATA, null)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} value={2} volume={3} baseline={4} -> {5}")
  @MethodSource("workloadRuleCases")
  void judgesGatewayAndWaypointRulesAgainstAbsoluteAndRelativeBounds(
      Rule rule,
      Workload w,
      Double value,
      Double volume,
      Double baseline,
      Result expected,
      Double bound) {
    List<Series> series = new ArrayList<>();
    if (value != null) {
      series.add(value(w, value));
    }
    if (volume != null) {
      series.add(volume(w, volume));
    }

    RuleResult result = judge(rule, w, baseline, series);

    assertThat(result.result()).isEqualTo(expected);
    assertThat(result.bound()).isEqualTo(bound);
    assertThat(result.query()).contains("\"" + w.name() + "\"").doesNotContain("{{");
  }

  @Test
  void missingDataNamesTheWorkloadAndForAWaypointTheLabelsItWasReadBy() {
    assertThat(judge(GATEWAY_P99, INGRESS, null, List.of()).message())
        .isEqualTo(
            "no series for gateway istio-ingress/istio-ingressgateway in 5m, probably not"
                + " receiving traffic or not scraped");
    assertThat(judge(WAYPOINT_P99, WAYPOINT, null, List.of()).message())
        .isEqualTo(
            "no series for waypoint shop/waypoint in 5m, probably not receiving traffic or not"
                + " scraped"
                + WAYPOINT_HINT);
    assertThat(
            judge(
                    GATEWAY_ERROR_RATE,
                    INGRESS,
                    null,
                    List.of(value(INGRESS, 0.5), volume(INGRESS, 12)))
                .message())
        .isEqualTo("volume 12 in 5m < minVolume 100, probably not receiving traffic");
    assertThat(
            judge(
                    WAYPOINT_ERROR_RATE,
                    WAYPOINT,
                    null,
                    List.of(value(WAYPOINT, 0.5), volume(WAYPOINT, 12)))
                .message())
        .isEqualTo(
            "volume 12 in 5m < minVolume 100, probably not receiving traffic, or not scraped"
                + WAYPOINT_HINT);
  }

  @Test
  void relativeBoundSaysTheWorkloadsBaseline() {
    RuleResult result = judge(GATEWAY_P99, INGRESS, 100.0, List.of(value(INGRESS, 410)));

    assertThat(result.message()).isEqualTo("gateway-p99-latency 410 > 150 (baseline 100 +50%)");
    assertThat(result.baseline()).isEqualTo(100.0);
  }

  @Test
  void twoSeriesForOneGatewayIsAnAmbiguousErrorNeverASilentPick() {
    Series a =
        workloadPart(INGRESS, WaypointLabels.DEFAULT, GatePlan.VALUE, 0.1, "pod", "ingress-a");
    Series b =
        workloadPart(INGRESS, WaypointLabels.DEFAULT, GatePlan.VALUE, 0.2, "pod", "ingress-b");

    RuleResult result = judge(GATEWAY_P99, INGRESS, null, List.of(a, b));

    assertThat(result.result()).isEqualTo(Result.ERROR);
    assertThat(result.message())
        .startsWith("2 series for gateway istio-ingress/istio-ingressgateway ({pod=ingress-a,")
        .endsWith(
            "); ambiguous, aggregate the query by source_workload_namespace, source_workload");
  }

  @Test
  void twoSeriesForOneWaypointNameTheLabelsItWasReadBy() {
    Series a = workloadPart(WAYPOINT, WaypointLabels.DEFAULT, GatePlan.VALUE, 9, "pod", "a");
    Series b = workloadPart(WAYPOINT, WaypointLabels.DEFAULT, GatePlan.VALUE, 9, "pod", "b");

    assertThat(judge(WAYPOINT_P99, WAYPOINT, null, List.of(a, b)).message())
        .startsWith("2 series for waypoint shop/waypoint (")
        .endsWith(
            "); ambiguous, aggregate the query by namespace,"
                + " gateway_networking_k8s_io_gateway_name");
  }

  @Test
  void aNameInAnotherWorkloadsNamespaceIsNotThatWorkloadsSeries() {
    Workload other = new Workload(Scope.GATEWAY, "other", "shop", "istio-ingressgateway");

    RuleResult result =
        judge(GATEWAY_P99, INGRESS, null, List.of(value(other, 2000), value(PUBLIC, 3000)));

    assertThat(result.result()).isEqualTo(Result.NO_DATA);
  }

  @Test
  void aPartialAnswerIsNoEvidenceForAWorkloadAndNoBaseline() {
    String storeDown = "partial response: store 10.0.0.7:10901 unavailable";
    Target target = target(INGRESS);
    List<PlannedQuery> plan = GatePlan.tick(List.of(GATEWAY_ERROR_RATE), target, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(
            plan.get(0),
            new QueryResult.Success(
                List.of(value(INGRESS, 0.5), volume(INGRESS, 500)), List.of(storeDown)));

    NamespaceVerdict verdict =
        verdictOf(Gate.evaluate(target, NOW, plan, answers, Map.of()), INGRESS.key());
    List<PlannedQuery> baseline =
        GatePlan.baseline(List.of(GATEWAY_P99), target, NOW, Duration.ofMinutes(30));

    assertThat(verdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(verdict.reasonCode()).isEqualTo(Gate.PARTIAL_RESPONSE);
    assertThat(verdict.reason())
        .isEqualTo(
            "partial answer for gateway-error-rate: Prometheus answered with warnings: "
                + storeDown
                + " (not evidence; a rule may accept a known-harmless warning with"
                + " acceptWarnings)");
    assertThat(
            Gate.baselines(
                baseline,
                Map.of(
                    baseline.get(0),
                    new QueryResult.Success(List.of(value(INGRESS, 87)), List.of(storeDown))),
                target))
        .isNull();
  }

  @Test
  void baselinesAreKeyedByTheWorkloadsKeyWithTheCohortOfItsScope() {
    Workload oldGateway = new Workload(Scope.GATEWAY, "old", "legacy", "legacy-ingress");
    Target target = target(List.of("payments"), List.of(INGRESS, WAYPOINT), List.of(oldGateway));
    List<PlannedQuery> plan =
        GatePlan.baseline(
            List.of(P99, GATEWAY_P99, WAYPOINT_P99), target, NOW, Duration.ofMinutes(30));
    List<Series> series =
        List.of(
            value("payments", 40), value(INGRESS, 87), value(oldGateway, 80), value(WAYPOINT, 12));

    Map<String, Map<String, Double>> baselines =
        Gate.baselines(plan, answering(plan, series), target);

    assertThat(plan).hasSize(3);
    assertThat(plan.get(1).workloads()).containsExactly(INGRESS);
    assertThat(plan.get(1).promql())
        .contains("[30m]")
        .contains("istio-ingressgateway|legacy-ingress");
    assertThat(baselines)
        .isEqualTo(
            Map.of(
                "payments",
                Map.of("p99-latency", 40.0),
                INGRESS.key(),
                Map.of("gateway-p99-latency", 87.0, "cohort/gateway-p99-latency", 80.0),
                WAYPOINT.key(),
                Map.of("waypoint-p99-latency", 12.0)));
  }

  @Test
  void aGatewaysBreachTheGatewaysOnTheOldRevisionShareHoldsAsGlobalDegradation() {
    Workload oldA = new Workload(Scope.GATEWAY, "old-a", "edge", "edge-ingress");
    Workload oldB = new Workload(Scope.GATEWAY, "old-b", "partners", "partners-ingress");
    Workload oldWaypoint = new Workload(Scope.WAYPOINT, "old-w", "legacy", "waypoint");
    Target target = target(List.of(), List.of(INGRESS, PUBLIC), List.of(oldA, oldB, oldWaypoint));
    List<PlannedQuery> plan = GatePlan.tick(List.of(GATEWAY_ERROR_RATE), target, NOW);
    List<Series> series = new ArrayList<>();
    for (Workload w : List.of(INGRESS, oldA, oldB)) {
      series.add(value(w, 0.05));
      series.add(volume(w, 500));
    }
    series.add(value(PUBLIC, 0.001));
    series.add(volume(PUBLIC, 500));

    TickReport report = Gate.evaluate(target, NOW, plan, answering(plan, series), Map.of());

    assertThat(plan).hasSize(1);
    assertThat(plan.get(0).promql())
        .contains(
            "source_workload=~\"istio-ingressgateway|public-istio|edge-ingress|partners-ingress\"")
        .contains("source_workload_namespace=~\"istio-ingress|shop|edge|partners\"")
        .doesNotContain("legacy");
    assertThat(plan.get(0).workloads()).containsExactly(INGRESS, PUBLIC);
    assertThat(report.namespaces())
        .as("cohort members are measured, never judged")
        .extracting(NamespaceVerdict::namespace)
        .containsExactly(INGRESS.key(), PUBLIC.key());
    RuleResult ingress = verdictOf(report, INGRESS.key()).rules().get(0);
    assertThat(ingress.result()).isEqualTo(Result.HOLD);
    assertThat(ingress.reason()).isEqualTo(Cohort.REASON);
    assertThat(ingress.message())
        .isEqualTo(
            "gateway-error-rate 0.05 > max 0.01, and the cohort on 1-19-0 (2 gateways) at 0.05"
                + " breaches it too: shared by 1-19-0, not the new revision");
    RuleResult healthy = verdictOf(report, PUBLIC.key()).rules().get(0);
    assertThat(healthy.result()).isEqualTo(Result.PASS);
    assertThat(healthy.cohort()).isEqualTo(0.05);
  }

  @Test
  void aBreachOnTheNewRevisionOnlyStillFailsAgainstTheCohort() {
    Workload old = new Workload(Scope.WAYPOINT, "old", "legacy", "waypoint");
    Target target = target(List.of(), List.of(WAYPOINT), List.of(old));
    List<PlannedQuery> plan = GatePlan.tick(List.of(WAYPOINT_ERROR_RATE), target, NOW);
    List<Series> series =
        List.of(value(WAYPOINT, 0.05), volume(WAYPOINT, 500), value(old, 0.001), volume(old, 500));

    NamespaceVerdict verdict =
        verdictOf(
            Gate.evaluate(target, NOW, plan, answering(plan, series), Map.of()), WAYPOINT.key());

    assertThat(verdict.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(verdict.reason())
        .isEqualTo(
            "critical rule waypoint-error-rate failed: waypoint-error-rate 0.05 > max 0.01; the"
                + " cohort on 1-19-0 (1 waypoint) at 0.001: the new revision only");
  }

  @Test
  void eachWorkloadWaitsForItsOwnEvidenceWindowByItsKey() {
    Target target = target(INGRESS, PUBLIC);
    EvidenceWindows windows =
        EvidenceWindows.since(
            Map.of(INGRESS.key(), NOW.minusSeconds(40), PUBLIC.key(), NOW.minusSeconds(3600)),
            Duration.ofMinutes(1),
            Duration.ofSeconds(30),
            "1-20-0");

    List<PlannedQuery> plan = GatePlan.tick(List.of(GATEWAY_ERROR_RATE), target, NOW, windows);
    TickReport report =
        Gate.evaluate(
            target,
            NOW,
            plan,
            answering(plan, List.of(value(PUBLIC, 0.001), volume(PUBLIC, 500))),
            Map.of());

    assertThat(plan).hasSize(2);
    assertThat(plan.get(0).workloads()).containsExactly(PUBLIC);
    assertThat(plan.get(0).isSendable()).isTrue();
    assertThat(plan.get(1).workloads()).containsExactly(INGRESS);
    assertThat(plan.get(1).isSendable()).isFalse();
    RuleResult waiting = verdictOf(report, INGRESS.key()).rules().get(0);
    assertThat(waiting.isWaitingForWindow()).isTrue();
    assertThat(waiting.message()).isEqualTo("window since rollout 40s < 1m");
    assertThat(verdictOf(report, PUBLIC.key()).verdict()).isEqualTo(Verdict.PROMOTE);
  }

  @Test
  void aWorkloadNotYetOnTheTargetHasNoWindowAndAClippedOneSaysSo() {
    Target target = target(INGRESS, WAYPOINT);
    EvidenceWindows windows =
        EvidenceWindows.since(
            Map.of(WAYPOINT.key(), NOW.minusSeconds(95)),
            Duration.ofMinutes(1),
            Duration.ofSeconds(30),
            "1-20-0");

    List<PlannedQuery> plan =
        GatePlan.tick(List.of(GATEWAY_P99, WAYPOINT_P99), target, NOW, windows);
    TickReport report =
        Gate.evaluate(target, NOW, plan, answering(plan, List.of(value(WAYPOINT, 20))), Map.of());

    assertThat(verdictOf(report, INGRESS.key()).rules().get(0).message())
        .isEqualTo(
            "no window since rollout yet: proxies not all on 1-20-0 with every rollout complete");
    RuleResult clipped = verdictOf(report, WAYPOINT.key()).rules().get(0);
    assertThat(clipped.window()).isEqualTo(Duration.ofSeconds(90));
    assertThat(clipped.message())
        .isEqualTo(
            "waypoint-p99-latency 20 <= 1000 (maxIncrease not"
                + " checked: no baseline) over 90s since rollout");
    assertThat(clipped.query()).contains("[90s]");
  }

  @Test
  void oneQueryPerRuleWhateverTheNumberOfGatewaysAndWaypoints() {
    List<Workload> workloads = new ArrayList<>();
    IntStream.range(0, 200)
        .forEach(
            i ->
                workloads.add(
                    new Workload(Scope.GATEWAY, "gw-" + i, "ns-" + (i % 20), "ingress-" + i)));
    IntStream.range(0, 50)
        .forEach(
            i -> workloads.add(new Workload(Scope.WAYPOINT, "wp-" + i, "ns-" + i, "waypoint")));
    Target target = target(List.of("payments", "orders"), workloads, List.of());
    List<Rule> rules =
        List.of(
            ERROR_RATE,
            P99,
            CONVERGENCE,
            XDS_REJECTS,
            GATEWAY_ERROR_RATE,
            GATEWAY_P99,
            WAYPOINT_ERROR_RATE,
            WAYPOINT_P99);

    List<PlannedQuery> plan = GatePlan.tick(rules, target, NOW);

    assertThat(plan).hasSize(8);
    Map<String, PlannedQuery> byRule =
        plan.stream().collect(Collectors.toMap(q -> q.rule().name(), Function.identity()));
    assertThat(byRule.get("gateway-error-rate").workloads()).hasSize(200);
    assertThat(byRule.get("gateway-error-rate").promql())
        .contains("ingress-0|ingress-1|")
        .contains("|ingress-199\"")
        .contains("source_workload_namespace=~\"ns-0|ns-1|");
    assertThat(byRule.get("waypoint-p99-latency").workloads()).hasSize(50);
    assertThat(byRule.get("waypoint-p99-latency").promql())
        .contains("gateway_networking_k8s_io_gateway_name=~\"waypoint\", namespace=~\"ns-0|");
    assertThat(byRule.get("convergence-time").namespaces()).containsExactly("payments", "orders");
    assertThat(byRule.get("convergence-time").workloads()).hasSize(250);
  }

  @Test
  void staggeredWorkloadsShareAFewQueriesPerRule() {
    List<Workload> gateways = new ArrayList<>();
    Map<String, Instant> onTargetAt = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      Workload w = new Workload(Scope.GATEWAY, "gw-" + i, "edge", "ingress-" + i);
      gateways.add(w);
      // one rollout finished every 3 s over the last 15 minutes
      onTargetAt.put(w.key(), NOW.minusSeconds(3L * i));
    }
    EvidenceWindows windows =
        EvidenceWindows.since(onTargetAt, Duration.ofMinutes(1), Duration.ofSeconds(30), "1-20-0");

    List<PlannedQuery> plan =
        GatePlan.tick(
            List.of(GATEWAY_ERROR_RATE), target(List.of(), gateways, List.of()), NOW, windows);

    assertThat(plan.stream().filter(PlannedQuery::isSendable))
        .as("1m, 90s, ... 4m30s and 5m")
        .hasSize(9);
    assertThat(plan.stream().mapToInt(q -> q.workloads().size()).sum()).isEqualTo(300);
  }

  @Test
  void aRuleJudgesTheTargetsOfItsScopeOnlyAndRevisionRulesJudgeThemAll() {
    Target target = target(List.of("payments"), List.of(INGRESS, WAYPOINT), List.of());
    List<Rule> rules =
        List.of(
            ERROR_RATE,
            P99,
            CONVERGENCE,
            XDS_REJECTS,
            GATEWAY_ERROR_RATE,
            GATEWAY_P99,
            WAYPOINT_ERROR_RATE,
            WAYPOINT_P99);
    List<PlannedQuery> plan = GatePlan.tick(rules, target, NOW);
    Map<Scope, List<Series>> series =
        Map.of(
            Scope.NAMESPACE,
            List.of(value("payments", 0.001), Fixtures.volume("payments", 500)),
            Scope.GATEWAY,
            List.of(value(INGRESS, 0.001), volume(INGRESS, 500)),
            Scope.WAYPOINT,
            List.of(value(WAYPOINT, 0.001), volume(WAYPOINT, 500)),
            Scope.REVISION,
            List.of(revisionValue(0), revisionVolume(1), control(0)));

    TickReport report = Gate.evaluate(target, NOW, plan, answeringByScope(plan, series), Map.of());

    Map<String, List<String>> rulesByTarget =
        report.namespaces().stream()
            .collect(
                Collectors.toMap(
                    NamespaceVerdict::namespace,
                    v -> v.rules().stream().map(RuleResult::rule).toList()));
    assertThat(rulesByTarget)
        .containsOnly(
            Map.entry(
                "payments",
                List.of("error-rate", "p99-latency", "convergence-time", "xds-rejects")),
            Map.entry(
                INGRESS.key(),
                List.of(
                    "convergence-time",
                    "xds-rejects",
                    "gateway-error-rate",
                    "gateway-p99-latency")),
            Map.entry(
                WAYPOINT.key(),
                List.of(
                    "convergence-time",
                    "xds-rejects",
                    "waypoint-error-rate",
                    "waypoint-p99-latency")));
    assertThat(report.verdict()).isEqualTo(Verdict.PROMOTE);
  }

  @Test
  void workloadRulesCostNoQueryAndChangeNothingForANamespaceOnlyTarget() {
    Target namespaces =
        new Target(List.of("payments", "orders"), "1-20-0", "1-19-0", "istio_io_rev");
    List<Rule> before = List.of(ERROR_RATE, P99, CONVERGENCE, XDS_REJECTS);
    List<Rule> all = new ArrayList<>(before);
    all.addAll(List.of(GATEWAY_ERROR_RATE, GATEWAY_P99, WAYPOINT_ERROR_RATE, WAYPOINT_P99));

    assertThat(GatePlan.tick(all, namespaces, NOW))
        .isEqualTo(GatePlan.tick(before, namespaces, NOW))
        .hasSize(4);
    assertThat(GatePlan.baseline(all, namespaces, NOW, Duration.ofMinutes(30)))
        .isEqualTo(GatePlan.baseline(before, namespaces, NOW, Duration.ofMinutes(30)));
  }

  @Test
  void namespaceRulesCostNoQueryForAWorkloadOnlyTarget() {
    List<PlannedQuery> plan =
        GatePlan.tick(List.of(ERROR_RATE, GATEWAY_ERROR_RATE), target(INGRESS), NOW);

    assertThat(plan).extracting(q -> q.rule().name()).containsExactly("gateway-error-rate");
    assertThat(GatePlan.baseline(List.of(P99), target(INGRESS), NOW, Duration.ofMinutes(30)))
        .isEmpty();
  }

  @Test
  void theDisplayQueryOfAWorkloadShowsItsOwnNamesAndADotMatchesOnlyADot() {
    Workload dotted = new Workload(Scope.GATEWAY, "dotted", "edge", "ingress.v2");
    Target target = target(INGRESS, dotted);
    List<PlannedQuery> plan = GatePlan.tick(List.of(GATEWAY_P99), target, NOW);

    TickReport report =
        Gate.evaluate(
            target,
            NOW,
            plan,
            answering(plan, List.of(value(INGRESS, 10), value(dotted, 10))),
            Map.of());

    assertThat(plan.get(0).promql())
        .contains("source_workload=~\"istio-ingressgateway|ingress[.]v2\"");
    assertThat(verdictOf(report, dotted.key()).rules().get(0).query())
        .isEqualTo(
            "histogram_quantile(0.99, x{reporter=\"source\", source_workload=~\"ingress[.]v2\","
                + " source_workload_namespace=~\"edge\"}[5m])");
    assertThat(verdictOf(report, dotted.key()).verdict()).isEqualTo(Verdict.PROMOTE);
  }

  @Test
  void waypointsAreReadByTheLabelsTheScrapeNamesThem() {
    WaypointLabels labels = new WaypointLabels("k8s_namespace", "gateway_name");
    Target target =
        new Target(
            List.of(),
            "1-20-0",
            null,
            "istio_io_rev",
            List.of(),
            List.of(WAYPOINT),
            List.of(),
            labels);
    List<PlannedQuery> plan = GatePlan.tick(List.of(WAYPOINT_P99), target, NOW);
    Series asConfigured = workloadPart(WAYPOINT, labels, GatePlan.VALUE, 20);
    Series asDefault = value(WAYPOINT, 5000);

    RuleResult result =
        verdictOf(
                Gate.evaluate(
                    target, NOW, plan, answering(plan, List.of(asConfigured, asDefault)), Map.of()),
                WAYPOINT.key())
            .rules()
            .get(0);

    assertThat(plan.get(0).promql())
        .isEqualTo(
            "histogram_quantile(0.99, x{reporter=\"waypoint\", gateway_name=~\"waypoint\","
                + " k8s_namespace=~\"shop\"}[5m])");
    assertThat(plan.get(0).rule().groupBy()).containsExactly("k8s_namespace", "gateway_name");
    assertThat(result.result()).isEqualTo(Result.PASS);
    assertThat(result.value()).isEqualTo(20.0);
  }

  @Test
  void aReplayKeepsATimelinePerWorkloadKey() {
    Target target = target(List.of("payments"), List.of(INGRESS), List.of());
    Replay.Window window = new Replay.Window(NOW.minusSeconds(60), NOW, Duration.ofSeconds(30));
    Replay.Plan plan =
        Replay.plan(List.of(P99, GATEWAY_P99), target, window, EvidenceWindows.unclipped());
    Map<PlannedQuery, RangeResult> answers = new HashMap<>();
    for (Replay.RangeQuery q : plan.queries()) {
      Series s =
          q.query().rule().scope() == Scope.GATEWAY ? value(INGRESS, 2000) : value("payments", 20);
      TreeMap<Long, Double> samples = new TreeMap<>();
      window.times().forEach(t -> samples.put(t.getEpochSecond(), s.value()));
      answers.put(
          q.query(),
          new RangeResult.Success(List.of(new RangeResult.RangeSeries(s.labels(), samples))));
    }

    Replay.Report report =
        Replay.run(target, plan, answers, Map.of(), window, new Replay.Streaks(3, 3));

    assertThat(report.namespaces())
        .extracting(Replay.Timeline::namespace, Replay.Timeline::outcome)
        .containsExactly(
            tuple("payments", Verdict.PROMOTE), tuple(INGRESS.key(), Verdict.ROLLBACK));
  }
}

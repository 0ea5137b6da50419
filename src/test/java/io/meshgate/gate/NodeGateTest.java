package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.CONVERGENCE;
import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.GATEWAY_ERROR_RATE;
import static io.meshgate.gate.Fixtures.XDS_REJECTS;
import static io.meshgate.gate.Fixtures.control;
import static io.meshgate.gate.Fixtures.revisionValue;
import static io.meshgate.gate.Fixtures.revisionVolume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 27: the nodes of a ztunnel wave judged by node-scoped rules, one value per node read by the
 * one label the scrape puts on ztunnel's metrics ({@code node}), with the namespaces' semantics (no
 * data, volume guard, baseline, cohort, evidence window, partial answers) and one query per rule
 * and window.
 */
class NodeGateTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final Workload WORKER_1 = Workload.node("Node/worker-1", "worker-1");
  private static final Workload WORKER_2 = Workload.node("Node/worker-2", "worker-2");
  private static final String BY_NODE = "sum by (node) ";
  private static final String SCRAPE_HINT =
      " with label node (relabelled from __meta_kubernetes_pod_node_name on ztunnel's pods)";

  /** The shape of the shipped ztunnel-connection-failures rule. */
  static final Rule FAILURES =
      new Rule(
          "ztunnel-connection-failures",
          "",
          Scope.NODE,
          BY_NODE
              + "(rate(istio_tcp_connections_failed_total{node=~\"{{nodes}}\"}[{{window}}]))"
              + " / "
              + BY_NODE
              + "(rate(istio_tcp_connections_opened_total{node=~\"{{nodes}}\"}[{{window}}]))",
          List.of("node"),
          Duration.ofMinutes(5),
          0.05,
          null,
          null,
          null,
          100.0,
          BY_NODE
              + "(increase(istio_tcp_connections_opened_total{node=~\"{{nodes}}\"}[{{window}}]))",
          Severity.CRITICAL,
          NoDataPolicy.HOLD,
          null,
          null,
          null);

  private static Target target(
      List<String> namespaces, List<Workload> nodes, List<Workload> cohort) {
    return new Target(
        namespaces,
        "1-20-0",
        "1-19-0",
        "istio_io_rev",
        List.of(),
        nodes,
        cohort,
        WaypointLabels.DEFAULT);
  }

  private static Series part(Workload node, String part, double v, String... extra) {
    Map<String, String> labels = new HashMap<>();
    labels.put(GatePlan.PART_LABEL, part);
    labels.put("node", node.name());
    for (int i = 0; i + 1 < extra.length; i += 2) {
      labels.put(extra[i], extra[i + 1]);
    }
    return new Series(labels, v);
  }

  private static Series value(Workload node, double v) {
    return part(node, GatePlan.VALUE, v);
  }

  private static Series volume(Workload node, double v) {
    return part(node, GatePlan.VOLUME, v);
  }

  private static Map<PlannedQuery, QueryResult> answering(
      List<PlannedQuery> plan, List<Series> series) {
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    plan.forEach(q -> answers.put(q, new QueryResult.Success(series)));
    return answers;
  }

  private static NamespaceVerdict verdictOf(TickReport report, String key) {
    return report.namespaces().stream()
        .filter(v -> v.namespace().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no verdict for " + key + " in " + report));
  }

  private static RuleResult judge(Workload node, Double baseline, List<Series> series) {
    Target target = target(List.of(), List.of(node), List.of());
    List<PlannedQuery> plan = GatePlan.tick(List.of(FAILURES), target, NOW);
    Map<String, Map<String, Double>> baselines =
        baseline == null ? Map.of() : Map.of(node.key(), Map.of(FAILURES.name(), baseline));
    return verdictOf(
            Gate.evaluate(target, NOW, plan, answering(plan, series), baselines), node.key())
        .rules()
        .get(0);
  }

  static Stream<Arguments> nodeCases() {
    // value (null = no series), volume (null = no series), result
    return Stream.of(
        Arguments.of(0.0, 500.0, Result.PASS),
        Arguments.of(0.05, 500.0, Result.PASS),
        Arguments.of(0.06, 500.0, Result.FAIL),
        Arguments.of(0.5, 99.0, Result.NO_DATA),
        Arguments.of(0.5, null, Result.NO_DATA),
        Arguments.of(Double.NaN, 500.0, Result.NO_DATA),
        Arguments.of(null, 500.0, Result.NO_DATA));
  }

  @ParameterizedTest(name = "value={0} volume={1} -> {2}")
  @MethodSource("nodeCases")
  void judgesANodeByItsBoundAndVolumeGuard(Double value, Double volume, Result expected) {
    List<Series> series = new ArrayList<>();
    if (value != null) {
      series.add(value(WORKER_1, value));
    }
    if (volume != null) {
      series.add(volume(WORKER_1, volume));
    }

    RuleResult result = judge(WORKER_1, null, series);

    assertThat(result.result()).isEqualTo(expected);
    assertThat(result.query())
        .contains("node=~\"worker-1\"")
        .doesNotContain("{{")
        .doesNotContain("\u0000");
  }

  @Test
  void aQuietNodeIsNoDataNamingTheNodeAndTheLabelTheScrapeMustSet() {
    assertThat(judge(WORKER_1, null, List.of(value(WORKER_1, 0), volume(WORKER_1, 12))).message())
        .isEqualTo(
            "volume 12 in 5m < minVolume 100, probably not receiving traffic, or not scraped"
                + SCRAPE_HINT);
    assertThat(judge(WORKER_1, null, List.of(volume(WORKER_1, 500))).message())
        .isEqualTo(
            "no series for node worker-1 in 5m, probably not receiving traffic or not scraped"
                + SCRAPE_HINT);
  }

  @Test
  void twoSeriesForOneNodeIsAnAmbiguousErrorNeverASilentPick() {
    List<Series> series =
        List.of(
            part(WORKER_1, GatePlan.VALUE, 0.1, "pod", "ztunnel-a"),
            part(WORKER_1, GatePlan.VALUE, 0.2, "pod", "ztunnel-b"),
            volume(WORKER_1, 500));

    RuleResult result = judge(WORKER_1, null, series);

    assertThat(result.result()).isEqualTo(Result.ERROR);
    assertThat(result.message())
        .startsWith("2 series for node worker-1 ({")
        .endsWith("); ambiguous, aggregate the query by node");
  }

  @Test
  void oneQueryPerRuleSelectsEveryNodeAndItsCohortByAnAlternationOfNames() {
    Workload dotted = Workload.node("Node/ip-10-0-1-7.ec2.internal", "ip-10-0-1-7.ec2.internal");
    List<Workload> nodes = new ArrayList<>(List.of(WORKER_1, dotted));
    IntStream.range(3, 200).forEach(i -> nodes.add(Workload.node("Node/w-" + i, "w-" + i)));
    Workload old = Workload.node("Node/worker-9", "worker-9");

    List<PlannedQuery> plan =
        GatePlan.tick(List.of(FAILURES), target(List.of(), nodes, List.of(old)), NOW);

    assertThat(plan).hasSize(1);
    assertThat(plan.get(0).workloads()).hasSize(199);
    assertThat(plan.get(0).rule().groupBy()).containsExactly("node");
    assertThat(plan.get(0).promql())
        .contains("node=~\"worker-1|ip-10-0-1-7[.]ec2[.]internal|w-3|")
        .contains("|w-199|worker-9\"")
        .contains("label_replace((sum by (node) (increase(istio_tcp_connections_opened_total{")
        .doesNotContain("{{");
  }

  @Test
  void theDisplayQueryOfANodeShowsItsOwnName() {
    Target target = target(List.of(), List.of(WORKER_1, WORKER_2), List.of());
    List<PlannedQuery> plan = GatePlan.tick(List.of(FAILURES), target, NOW);
    List<Series> series =
        List.of(value(WORKER_1, 0), volume(WORKER_1, 500), value(WORKER_2, 0), volume(WORKER_2, 9));

    TickReport report = Gate.evaluate(target, NOW, plan, answering(plan, series), Map.of());

    assertThat(verdictOf(report, WORKER_2.key()).rules().get(0).query())
        .isEqualTo(
            "sum by (node) (rate(istio_tcp_connections_failed_total{node=~\"worker-2\"}[5m])) /"
                + " sum by (node) (rate(istio_tcp_connections_opened_total{node=~\"worker-2\"}[5m]))");
    assertThat(verdictOf(report, WORKER_1.key()).verdict()).isEqualTo(Verdict.PROMOTE);
    assertThat(verdictOf(report, WORKER_2.key()).verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void aNodesBreachTheNodesOnTheOldZtunnelShareHoldsAsGlobalDegradation() {
    Workload oldA = Workload.node("Node/old-a", "old-a");
    Workload oldB = Workload.node("Node/old-b", "old-b");
    Target target = target(List.of(), List.of(WORKER_1, WORKER_2), List.of(oldA, oldB));
    List<PlannedQuery> plan = GatePlan.tick(List.of(FAILURES), target, NOW);
    List<Series> series = new ArrayList<>();
    for (Workload n : List.of(WORKER_1, oldA, oldB)) {
      series.add(value(n, 0.2));
      series.add(volume(n, 500));
    }
    series.add(value(WORKER_2, 0.2));
    series.add(volume(WORKER_2, 500));
    List<Series> onlyNew =
        List.of(
            value(WORKER_1, 0.2),
            volume(WORKER_1, 500),
            value(oldA, 0.001),
            volume(oldA, 500),
            value(oldB, 0.002),
            volume(oldB, 500));

    RuleResult shared =
        verdictOf(
                Gate.evaluate(target, NOW, plan, answering(plan, series), Map.of()), WORKER_1.key())
            .rules()
            .get(0);
    NamespaceVerdict regression =
        verdictOf(
            Gate.evaluate(target, NOW, plan, answering(plan, onlyNew), Map.of()), WORKER_1.key());

    assertThat(plan.get(0).promql()).contains("node=~\"worker-1|worker-2|old-a|old-b\"");
    assertThat(shared.result()).isEqualTo(Result.HOLD);
    assertThat(shared.reason()).isEqualTo(Cohort.REASON);
    assertThat(shared.message())
        .isEqualTo(
            "ztunnel-connection-failures 0.2 > max 0.05, and the cohort on the old ztunnel (2"
                + " nodes) at 0.2 breaches it too: shared by the old ztunnel, not the new"
                + " revision");
    assertThat(regression.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(regression.reason())
        .isEqualTo(
            "critical rule ztunnel-connection-failures failed: ztunnel-connection-failures 0.2 >"
                + " max 0.05; the cohort on the old ztunnel (2 nodes) at 0.0015: the new revision"
                + " only");
  }

  @Test
  void baselinesAreKeyedByTheNodesKeyWithItsCohort() {
    Workload old = Workload.node("Node/old-a", "old-a");
    Target target = target(List.of("payments"), List.of(WORKER_1), List.of(old));
    List<PlannedQuery> plan =
        GatePlan.baseline(List.of(ERROR_RATE, FAILURES), target, NOW, Duration.ofMinutes(30));
    List<Series> series =
        List.of(value(WORKER_1, 0.01), volume(WORKER_1, 500), value(old, 0.02), volume(old, 500));

    Map<String, Map<String, Double>> baselines =
        Gate.baselines(
            plan,
            Map.of(
                plan.get(0), new QueryResult.Success(List.of()),
                plan.get(1), new QueryResult.Success(series)),
            target);

    assertThat(plan.get(1).promql()).contains("[30m]").contains("node=~\"worker-1|old-a\"");
    assertThat(baselines)
        .isEqualTo(
            Map.of(
                WORKER_1.key(),
                Map.of(
                    "ztunnel-connection-failures",
                    0.01,
                    "cohort/ztunnel-connection-failures",
                    0.02)));
  }

  @Test
  void eachNodeWaitsForItsOwnEvidenceWindowByItsKey() {
    Target target = target(List.of(), List.of(WORKER_1, WORKER_2), List.of());
    EvidenceWindows windows =
        EvidenceWindows.since(
            Map.of(WORKER_1.key(), NOW.minusSeconds(40), WORKER_2.key(), NOW.minusSeconds(3600)),
            Duration.ofMinutes(1),
            Duration.ofSeconds(30),
            "1-20-0");

    List<PlannedQuery> plan = GatePlan.tick(List.of(FAILURES), target, NOW, windows);

    assertThat(plan).hasSize(2);
    assertThat(plan.get(0).workloads()).containsExactly(WORKER_2);
    assertThat(plan.get(1).workloads()).containsExactly(WORKER_1);
    assertThat(plan.get(1).waiting()).isEqualTo("window since rollout 40s < 1m");
  }

  @Test
  void aPartialAnswerIsNoEvidenceForANode() {
    Target target = target(List.of(), List.of(WORKER_1), List.of());
    List<PlannedQuery> plan = GatePlan.tick(List.of(FAILURES), target, NOW);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(
            plan.get(0),
            new QueryResult.Success(
                List.of(value(WORKER_1, 0), volume(WORKER_1, 500)),
                List.of("partial response: store down")));

    NamespaceVerdict verdict =
        verdictOf(Gate.evaluate(target, NOW, plan, answers, Map.of()), WORKER_1.key());

    assertThat(verdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(verdict.reasonCode()).isEqualTo(Gate.PARTIAL_RESPONSE);
  }

  @Test
  void nodeRulesJudgeNodesOnlyAndOtherScopesRulesNeverJudgeANode() {
    Workload ingress = new Workload(Scope.GATEWAY, "gw", "istio-ingress", "istio-ingressgateway");
    Target target = target(List.of("payments"), List.of(ingress, WORKER_1), List.of());
    List<Rule> rules = List.of(ERROR_RATE, GATEWAY_ERROR_RATE, CONVERGENCE, XDS_REJECTS, FAILURES);
    List<PlannedQuery> plan = GatePlan.tick(rules, target, NOW);
    Map<PlannedQuery, QueryResult> answers = new HashMap<>();
    for (PlannedQuery q : plan) {
      List<Series> series =
          switch (q.rule().scope()) {
            case NAMESPACE ->
                List.of(Fixtures.value("payments", 0.001), Fixtures.volume("payments", 500));
            case GATEWAY -> List.of(Fixtures.value(ingress, 0.001), Fixtures.volume(ingress, 500));
            case NODE -> List.of(value(WORKER_1, 0.001), volume(WORKER_1, 500));
            default -> List.of(revisionValue(0), revisionVolume(1), control(0));
          };
      answers.put(q, new QueryResult.Success(series));
    }

    TickReport report = Gate.evaluate(target, NOW, plan, answers, Map.of());

    Map<String, List<String>> rulesByTarget =
        report.namespaces().stream()
            .collect(
                Collectors.toMap(
                    NamespaceVerdict::namespace,
                    v -> v.rules().stream().map(RuleResult::rule).toList()));
    assertThat(plan).filteredOn(q -> q.rule() == FAILURES).singleElement();
    assertThat(rulesByTarget.get(WORKER_1.key()))
        .containsExactly("convergence-time", "xds-rejects", "ztunnel-connection-failures");
    assertThat(rulesByTarget.get("payments"))
        .containsExactly("error-rate", "convergence-time", "xds-rejects");
    assertThat(rulesByTarget.get("gw"))
        .containsExactly("gateway-error-rate", "convergence-time", "xds-rejects");
    assertThat(report.verdict()).isEqualTo(Verdict.PROMOTE);
    assertThat(
            GatePlan.tick(
                List.of(FAILURES), target(List.of("payments"), List.of(), List.of()), NOW))
        .as("a node rule costs a migration without nodes no query")
        .isEmpty();
  }

  @Test
  void aNodeHasNoNamespaceAndAValidatedName() {
    assertThatThrownBy(() -> new Workload(Scope.NODE, "Node/w", "kube-system", "w"))
        .hasMessage("node namespace is \"kube-system\"; a node is cluster-scoped and has none");
    assertThatThrownBy(() -> Workload.node("Node/x", "w|.*"))
        .hasMessageStartingWith("node name is \"w|.*\"; expected a DNS-1123 subdomain");
    assertThat(WORKER_1.displayName()).isEqualTo("node worker-1");
    assertThatThrownBy(
            () ->
                target(
                    List.of(),
                    List.of(WORKER_1, Workload.node("Node/again", "worker-1")),
                    List.of()))
        .hasMessage(
            "node worker-1 is given twice (keys \"Node/worker-1\" and \"Node/again\"); its series"
                + " cannot tell them apart");
  }
}

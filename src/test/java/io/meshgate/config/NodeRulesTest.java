package io.meshgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.GatePlan;
import io.meshgate.gate.PlannedQuery;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Scope;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Target;
import io.meshgate.gate.WaypointLabels;
import io.meshgate.gate.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 27: rules of scope node, and the shipped ztunnel-connection-failures. */
class NodeRulesTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @TempDir Path dir;

  private static final String NODE =
      """
      name: ztunnel-failures
      scope: node
      groupBy: [node]
      window: 5m
      query: sum by (node) (rate(istio_tcp_connections_failed_total{node=~"{{nodes}}"}[{{window}}]))
      max: 0.05
      severity: critical
      """;

  private static final String EXPECTED =
      "a node-scoped rule names the one label holding the node, as the scrape of ztunnel sets it:"
          + " [node]";

  private static Rule shipped() {
    return RuleLoader.loadDirectory(Path.of("rules")).stream()
        .filter(r -> r.name().equals("ztunnel-connection-failures"))
        .findFirst()
        .orElseThrow();
  }

  private List<String> problemsOf(String text) throws IOException {
    Files.writeString(dir.resolve("rule.yaml"), text);
    Problems problems = new Problems();
    RuleLoader.loadDirectory(dir, problems);
    return problems.list().stream()
        .map(p -> p.substring((dir.resolve("rule.yaml") + ": ").length()))
        .toList();
  }

  @Test
  void theShippedRuleIsZtunnelsFailedOverOpenedConnectionsPerNodeGuardedByTheOpenedOnes() {
    Rule rule = shipped();

    assertThat(rule.scope()).isEqualTo(Scope.NODE);
    assertThat(rule.groupBy()).containsExactly("node");
    assertThat(rule.query())
        .contains(
            "sum by (node) (rate(istio_tcp_connections_failed_total{app=\"ztunnel\","
                + " node=~\"{{nodes}}\", response_flags!=\"DENY\"}[{{window}}]))")
        .contains(
            "sum by (node) (rate(istio_tcp_connections_opened_total{app=\"ztunnel\","
                + " node=~\"{{nodes}}\"}[{{window}}]))")
        .contains("* 0");
    assertThat(rule.volumeQuery())
        .isEqualTo(
            "sum by (node) (increase(istio_tcp_connections_opened_total{app=\"ztunnel\","
                + " node=~\"{{nodes}}\"}[{{window}}]))");
    assertThat(List.of(rule.max(), rule.minVolume())).containsExactly(0.05, 100.0);
    assertThat(rule.maxIncrease()).isNull();
    assertThat(rule.window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(rule.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(rule.description()).contains("src/proxy/metrics.rs");
  }

  @Test
  void theShippedRuleSelectsTheNodesAndTheirCohortInOneQueryAndCostsOtherTargetsNone() {
    List<Rule> all = RuleLoader.loadDirectory(Path.of("rules"));
    Workload worker = Workload.node("Node/worker-1", "worker-1");
    Workload old = Workload.node("Node/ip-10-0-0-9.ec2.internal", "ip-10-0-0-9.ec2.internal");
    Target nodes =
        new Target(
            List.of(),
            "1-20-0",
            "1-19-0",
            "istio_io_rev",
            List.of(),
            List.of(worker),
            List.of(old),
            WaypointLabels.DEFAULT);
    Target namespaces = new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev");

    List<PlannedQuery> plan = GatePlan.tick(all, nodes, NOW);

    assertThat(plan)
        .filteredOn(q -> q.rule().scope() == Scope.NODE)
        .singleElement()
        .satisfies(
            q ->
                assertThat(q.promql())
                    .contains("node=~\"worker-1|ip-10-0-0-9[.]ec2[.]internal\"")
                    .contains("[5m]")
                    .doesNotContain("{{"));
    assertThat(GatePlan.tick(all, namespaces, NOW)).noneMatch(q -> q.rule().scope() == Scope.NODE);
  }

  @Test
  void loadsANodeRuleWithItsOneLabelWrittenAsAListOrAString() throws IOException {
    Files.writeString(dir.resolve("list.yaml"), NODE);
    Files.writeString(
        dir.resolve("string.yaml"),
        NODE.replace("ztunnel-failures", "plain").replace("groupBy: [node]", "groupBy: node"));

    List<Rule> rules = RuleLoader.loadDirectory(dir);

    assertThat(rules).allSatisfy(r -> assertThat(r.groupBy()).containsExactly("node"));
    assertThat(rules).extracting(Rule::scope).containsOnly(Scope.NODE);
  }

  static Stream<Arguments> badNodeRules() {
    return Stream.of(
        Arguments.of(
            "without groupBy",
            NODE.replace("groupBy: [node]\n", ""),
            List.of("field 'groupBy' is missing; " + EXPECTED)),
        Arguments.of(
            "with two labels",
            NODE.replace("groupBy: [node]", "groupBy: [namespace, node]"),
            List.of("field 'groupBy' is [namespace, node]; " + EXPECTED)),
        Arguments.of(
            "with a label that is no label name",
            NODE.replace("groupBy: [node]", "groupBy: [kubernetes.io/hostname]"),
            List.of(
                "field 'groupBy' is \"kubernetes.io/hostname\"; expected a label name; "
                    + EXPECTED)),
        Arguments.of(
            "not selecting {{nodes}}",
            NODE.replace("{{nodes}}", "worker-1"),
            List.of(
                "field 'query' does not use {{nodes}}; a node-scoped rule must select the nodes"
                    + " under evaluation")),
        Arguments.of(
            "selecting {{workloads}}",
            NODE.replace("{{nodes}}", "{{nodes}}\", w=~\"{{workloads}}"),
            List.of(
                "field 'query' uses {{namespaces}}, {{namespace}}, {{workloads}} or"
                    + " {{workloadNamespaces}} in a node-scoped rule; use {{nodes}}")),
        Arguments.of(
            "a namespace rule selecting {{nodes}}",
            """
            name: error-rate
            scope: namespace
            groupBy: destination_workload_namespace
            window: 5m
            query: x{ns=~"{{namespaces}}", node=~"{{nodes}}"}
            max: 0.01
            severity: critical
            """,
            List.of(
                "field 'query' uses {{nodes}} in a namespace-scoped rule; only a node-scoped rule"
                    + " judges nodes (scope: node)")),
        Arguments.of(
            "a gateway rule selecting {{nodes}} in its volume query",
            """
            name: gw
            scope: gateway
            groupBy: [source_workload_namespace, source_workload]
            window: 5m
            query: x{w=~"{{workloads}}"}
            max: 0.01
            minVolume: 1
            volumeQuery: y{node=~"{{nodes}}"}
            severity: critical
            """,
            List.of(
                "field 'volumeQuery' uses {{nodes}} in a gateway-scoped rule; only a node-scoped"
                    + " rule judges nodes (scope: node)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badNodeRules")
  void aNodeRuleNamesOneLabelAndSelectsNodesOnly(
      String description, String text, List<String> expected) throws IOException {
    assertThat(problemsOf(text)).containsExactlyElementsOf(expected);
  }
}

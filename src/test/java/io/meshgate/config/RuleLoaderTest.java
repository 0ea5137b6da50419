package io.meshgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshgate.gate.GatePlan;
import io.meshgate.gate.NoDataPolicy;
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
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleLoaderTest {
  @TempDir Path dir;

  private static final String VALID =
      """
      name: error-rate
      scope: namespace
      groupBy: destination_workload_namespace
      window: 5m
      query: sum by (destination_workload_namespace) (x{ns=~"{{namespaces}}"})
      max: 0.01
      severity: critical
      """;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private List<String> problemsOf(String text) throws IOException {
    write("rule.yaml", text);
    Problems problems = new Problems();
    RuleLoader.loadDirectory(dir, problems);
    return problems.list();
  }

  @Test
  void shippedRulesAreExactlyTheDesignedOnes() {
    Map<String, Rule> rules =
        RuleLoader.loadDirectory(Path.of("rules")).stream()
            .collect(Collectors.toMap(Rule::name, Function.identity()));

    assertThat(rules)
        .containsOnlyKeys(
            "error-rate",
            "p99-latency",
            "convergence-time",
            "xds-rejects",
            "gateway-error-rate",
            "gateway-p99-latency",
            "waypoint-error-rate",
            "waypoint-p99-latency",
            "ztunnel-connection-failures");
    Rule errorRate = rules.get("error-rate");
    assertThat(errorRate.scope()).isEqualTo(Scope.NAMESPACE);
    assertThat(errorRate.groupBy()).containsExactly("destination_workload_namespace");
    assertThat(errorRate.max()).isEqualTo(0.01);
    assertThat(errorRate.minVolume()).isEqualTo(100.0);
    assertThat(errorRate.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(errorRate.query())
        .contains("reporter=\"destination\"")
        .contains("response_code=~\"5..\"");
    Rule p99 = rules.get("p99-latency");
    assertThat(p99.query())
        .contains("histogram_quantile(0.99")
        .contains("istio_request_duration_milliseconds_bucket")
        .contains(", le)");
    assertThat(List.of(p99.max(), p99.maxIncrease(), p99.baselineFloor(), p99.minVolume()))
        .containsExactly(1000.0, 0.5, 10.0, 100.0);
    Rule convergence = rules.get("convergence-time");
    assertThat(convergence.scope()).isEqualTo(Scope.REVISION);
    assertThat(convergence.query())
        .contains("pilot_proxy_convergence_time_bucket{{{revisionLabel}}=\"{{revision}}\"}");
    assertThat(List.of(convergence.max(), convergence.maxIncrease())).containsExactly(5.0, 1.0);
    assertThat(convergence.volumeQuery())
        .isEqualTo("sum(up{app=\"istiod\", {{revisionLabel}}=\"{{revision}}\"})");
    assertThat(convergence.severity()).isEqualTo(Severity.WARNING);
    Rule rejects = rules.get("xds-rejects");
    assertThat(rejects.query()).contains("pilot_total_xds_rejects").endsWith("or vector(0)");
    assertThat(rejects.max()).isEqualTo(0.0);
    assertThat(rejects.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(rules.values())
        .allSatisfy(
            r -> {
              assertThat(r.window()).isEqualTo(Duration.ofMinutes(5));
              assertThat(r.onNoData()).isEqualTo(NoDataPolicy.HOLD);
            });
  }

  /** Issue 25: the gateway and waypoint rules are the namespace rules' twins on their labels. */
  @Test
  void shippedGatewayAndWaypointRulesReadTheirTargetsByTwoLabels() {
    Map<String, Rule> rules =
        RuleLoader.loadDirectory(Path.of("rules")).stream()
            .collect(Collectors.toMap(Rule::name, Function.identity()));

    for (String name : List.of("gateway-error-rate", "gateway-p99-latency")) {
      Rule rule = rules.get(name);
      assertThat(rule.scope()).as(name).isEqualTo(Scope.GATEWAY);
      assertThat(rule.groupBy())
          .as(name)
          .containsExactly("source_workload_namespace", "source_workload");
      assertThat(rule.query())
          .as(name)
          .contains(
              "reporter=\"source\", source_workload=~\"{{workloads}}\","
                  + " source_workload_namespace=~\"{{workloadNamespaces}}\"")
          .doesNotContain("destination");
    }
    for (String name : List.of("waypoint-error-rate", "waypoint-p99-latency")) {
      Rule rule = rules.get(name);
      assertThat(rule.scope()).as(name).isEqualTo(Scope.WAYPOINT);
      assertThat(rule.groupBy())
          .as(name)
          .containsExactly("{{waypointNamespaceLabel}}", "{{waypointNameLabel}}");
      assertThat(rule.query())
          .as(name)
          .contains(
              "reporter=\"waypoint\", {{waypointNameLabel}}=~\"{{workloads}}\","
                  + " {{waypointNamespaceLabel}}=~\"{{workloadNamespaces}}\"");
    }
    for (String kind : List.of("gateway", "waypoint")) {
      Rule errorRate = rules.get(kind + "-error-rate");
      assertThat(errorRate.query()).contains("response_code=~\"5..\"").contains("* 0");
      assertThat(List.of(errorRate.max(), errorRate.minVolume())).containsExactly(0.01, 100.0);
      assertThat(errorRate.volumeQuery()).contains("increase(istio_requests_total{");
      Rule p99 = rules.get(kind + "-p99-latency");
      assertThat(p99.query())
          .startsWith("histogram_quantile(0.99, sum by (")
          .contains(", le) (rate(istio_request_duration_milliseconds_bucket{");
      assertThat(List.of(p99.max(), p99.maxIncrease(), p99.baselineFloor(), p99.minVolume()))
          .containsExactly(1000.0, 0.5, 10.0, 100.0);
      assertThat(p99.volumeQuery()).isEqualTo(errorRate.volumeQuery());
      assertThat(List.of(errorRate.severity(), p99.severity())).containsOnly(Severity.CRITICAL);
    }
  }

  /**
   * Issue 25: a migration without gates is gated by every loaded rule, the gateway and waypoint
   * ones too; they judge gateways and waypoints only, so a migration of namespaces sends the same
   * four queries as before they shipped.
   */
  @Test
  void theShippedGatewayAndWaypointRulesCostAMigrationOfNamespacesNoQuery() {
    List<Rule> shipped = RuleLoader.loadDirectory(Path.of("rules"));
    List<Rule> before = shipped.stream().filter(r -> !r.scope().isWorkload()).toList();
    Instant now = Instant.parse("2026-11-21T10:00:00Z");
    Target namespaces =
        new Target(
            List.of("payments", "orders"), "1-20-0", "1-19-0", "istio_io_rev", List.of("catalog"));
    Workload ingress = new Workload(Scope.GATEWAY, "gw", "istio-ingress", "istio-ingressgateway");
    Workload waypoint = new Workload(Scope.WAYPOINT, "wp", "shop", "waypoint");
    Target everything =
        new Target(
            List.of("payments"),
            "1-20-0",
            "1-19-0",
            "istio_io_rev",
            List.of(),
            List.of(ingress, waypoint),
            List.of(),
            WaypointLabels.DEFAULT);

    assertThat(before).hasSize(4);
    assertThat(GatePlan.tick(shipped, namespaces, now))
        .hasSize(4)
        .isEqualTo(GatePlan.tick(before, namespaces, now));
    assertThat(GatePlan.baseline(shipped, namespaces, now, Duration.ofMinutes(30)))
        .hasSize(2)
        .isEqualTo(GatePlan.baseline(before, namespaces, now, Duration.ofMinutes(30)));
    List<PlannedQuery> plan = GatePlan.tick(shipped, everything, now);
    assertThat(plan).hasSize(8);
    assertThat(plan)
        .filteredOn(q -> q.rule().scope() == Scope.GATEWAY)
        .allSatisfy(
            q ->
                assertThat(q.promql())
                    .contains(
                        "source_workload=~\"istio-ingressgateway\","
                            + " source_workload_namespace=~\"istio-ingress\""));
    assertThat(plan)
        .filteredOn(q -> q.rule().scope() == Scope.WAYPOINT)
        .allSatisfy(
            q ->
                assertThat(q.promql())
                    .contains(
                        "gateway_networking_k8s_io_gateway_name=~\"waypoint\","
                            + " namespace=~\"shop\"")
                    .doesNotContain("{{"));
  }

  private static final String GATEWAY =
      """
      name: gateway-error-rate
      scope: gateway
      groupBy: [source_workload_namespace, source_workload]
      window: 5m
      query: sum by (source_workload_namespace, source_workload) (x{source_workload=~"{{workloads}}", source_workload_namespace=~"{{workloadNamespaces}}"})
      max: 0.01
      severity: critical
      """;

  private static final String WAYPOINT =
      """
      name: waypoint-error-rate
      scope: waypoint
      groupBy: ["{{waypointNamespaceLabel}}", "{{waypointNameLabel}}"]
      window: 5m
      query: sum by ({{waypointNamespaceLabel}}, {{waypointNameLabel}}) (x{{{waypointNameLabel}}=~"{{workloads}}"})
      max: 0.01
      severity: critical
      """;

  @Test
  void loadsGatewayAndWaypointRulesWithTheirTwoLabelsAndANamespaceRuleWithAOneElementList()
      throws IOException {
    write("gateway.yaml", GATEWAY);
    write("waypoint.yaml", WAYPOINT);
    write(
        "literal.yaml",
        WAYPOINT
            .replace("waypoint-error-rate", "literal")
            .replace(
                "[\"{{waypointNamespaceLabel}}\", \"{{waypointNameLabel}}\"]",
                "[ns, gateway_name]"));
    write(
        "error-rate.yaml",
        VALID.replace(
            "groupBy: destination_workload_namespace",
            "groupBy: [destination_workload_namespace]"));

    Map<String, Rule> rules =
        RuleLoader.loadDirectory(dir).stream()
            .collect(Collectors.toMap(Rule::name, Function.identity()));

    assertThat(rules.get("gateway-error-rate").scope()).isEqualTo(Scope.GATEWAY);
    assertThat(rules.get("gateway-error-rate").groupBy())
        .containsExactly("source_workload_namespace", "source_workload");
    assertThat(rules.get("waypoint-error-rate").groupBy())
        .containsExactly("{{waypointNamespaceLabel}}", "{{waypointNameLabel}}");
    assertThat(rules.get("literal").groupBy()).containsExactly("ns", "gateway_name");
    assertThat(rules.get("error-rate").groupBy()).containsExactly("destination_workload_namespace");
  }

  private static final String GATEWAY_EXPECTED =
      "a gateway-scoped rule names two labels, the namespace and the workload:"
          + " [source_workload_namespace, source_workload]";

  private static final String WAYPOINT_EXPECTED =
      "a waypoint-scoped rule names two labels, the namespace and the waypoint's name:"
          + " [\"{{waypointNamespaceLabel}}\", \"{{waypointNameLabel}}\"] (the scrape's labels,"
          + " daemon config gate.waypointLabels)";

  static Stream<Arguments> badScopedRules() {
    String gatewayGroupBy = "groupBy: [source_workload_namespace, source_workload]";
    String waypointGroupBy = "groupBy: [\"{{waypointNamespaceLabel}}\", \"{{waypointNameLabel}}\"]";
    String gatewayQuery =
        "x{source_workload=~\"{{workloads}}\", source_workload_namespace=~\"{{workloadNamespaces}}\"})";
    return Stream.of(
        Arguments.of(
            "a gateway rule's groupBy as one label",
            GATEWAY.replace(gatewayGroupBy, "groupBy: x"),
            List.of("field 'groupBy' is \"x\"; " + GATEWAY_EXPECTED)),
        Arguments.of(
            "a gateway rule without groupBy",
            GATEWAY.replace(gatewayGroupBy + "\n", ""),
            List.of("field 'groupBy' is missing; " + GATEWAY_EXPECTED)),
        Arguments.of(
            "a gateway rule with three labels",
            GATEWAY.replace(gatewayGroupBy, "groupBy: [a, b, c]"),
            List.of("field 'groupBy' is [a, b, c]; " + GATEWAY_EXPECTED)),
        Arguments.of(
            "a gateway rule's label that is no label name",
            GATEWAY.replace(
                gatewayGroupBy, "groupBy: [source_workload_namespace, source-workload]"),
            List.of("field 'groupBy' entry 2 is \"source-workload\"; expected a label name")),
        Arguments.of(
            "a waypoint placeholder in a gateway rule's groupBy",
            GATEWAY.replace(
                gatewayGroupBy, "groupBy: [\"{{waypointNamespaceLabel}}\", source_workload]"),
            List.of(
                "field 'groupBy' entry 1 is \"{{waypointNamespaceLabel}}\"; expected a label"
                    + " name")),
        Arguments.of(
            "one label twice",
            GATEWAY.replace(gatewayGroupBy, "groupBy: [source_workload, source_workload]"),
            List.of(
                "field 'groupBy' is [source_workload, source_workload]; the namespace and the"
                    + " name are two different labels")),
        Arguments.of(
            "a gateway rule not selecting {{workloads}}",
            GATEWAY.replace("source_workload=~\"{{workloads}}\", ", ""),
            List.of(
                "field 'query' does not use {{workloads}}; a gateway-scoped rule must select the"
                    + " gateways under evaluation")),
        Arguments.of(
            "a gateway rule selecting {{namespaces}}",
            GATEWAY.replace("{{workloadNamespaces}}", "{{namespaces}}"),
            List.of(
                "field 'query' uses {{namespaces}} or {{namespace}} in a gateway-scoped rule; use"
                    + " {{workloadNamespaces}} for the gateways' namespaces")),
        Arguments.of(
            "a waypoint rule's label that is neither a label nor its placeholder",
            WAYPOINT.replace(waypointGroupBy, "groupBy: [\"{{revisionLabel}}\", name]"),
            List.of(
                "field 'groupBy' entry 1 is \"{{revisionLabel}}\"; expected a label name or"
                    + " \"{{waypointNamespaceLabel}}\" / \"{{waypointNameLabel}}\"")),
        Arguments.of(
            "a waypoint rule's labels the wrong way round",
            WAYPOINT.replace(
                waypointGroupBy,
                "groupBy: [\"{{waypointNameLabel}}\", \"{{waypointNamespaceLabel}}\"]"),
            List.of(
                "field 'groupBy' is [{{waypointNameLabel}}, {{waypointNamespaceLabel}}]; the"
                    + " namespace's label comes first: "
                    + WAYPOINT_EXPECTED)),
        Arguments.of(
            "a waypoint rule with one label",
            WAYPOINT.replace(waypointGroupBy, "groupBy: gateway_networking_k8s_io_gateway_name"),
            List.of(
                "field 'groupBy' is \"gateway_networking_k8s_io_gateway_name\"; "
                    + WAYPOINT_EXPECTED)),
        Arguments.of(
            "a waypoint rule selecting {{namespace}} in its volume query",
            WAYPOINT
                + "minVolume: 1\nvolumeQuery: sum by (namespace) (x{namespace=\"{{namespace}}\"})\n",
            List.of(
                "field 'volumeQuery' uses {{namespaces}} or {{namespace}} in a waypoint-scoped"
                    + " rule; use {{workloadNamespaces}} for the waypoints' namespaces")),
        Arguments.of(
            "a namespace rule selecting {{workloads}}",
            VALID.replace("{{namespaces}}\"}", "{{namespaces}}\", w=~\"{{workloads}}\"}"),
            List.of(
                "field 'query' uses {{workloads}} or {{workloadNamespaces}} in a namespace-scoped"
                    + " rule; use {{namespaces}}, or scope gateway or waypoint")),
        Arguments.of(
            "a namespace rule with two labels",
            VALID.replace(
                "groupBy: destination_workload_namespace",
                "groupBy: [destination_workload_namespace, destination_workload]"),
            List.of(
                "field 'groupBy' is [destination_workload_namespace, destination_workload]; a"
                    + " namespace-scoped rule names the result label holding the namespace, e.g."
                    + " destination_workload_namespace")),
        Arguments.of(
            "a namespace rule's label that is no label name",
            VALID.replace("groupBy: destination_workload_namespace", "groupBy: a.b"),
            List.of("field 'groupBy' is \"a.b\"; expected a label name")),
        Arguments.of(
            "a revision rule selecting {{workloadNamespaces}}",
            """
            name: rejects
            scope: revision
            window: 5m
            query: x{rev="{{revision}}", ns=~"{{workloadNamespaces}}"}
            max: 0
            severity: critical
            """,
            List.of(
                "field 'query' uses {{workloads}} or {{workloadNamespaces}} in a revision-scoped"
                    + " rule; use {{revision}}")),
        Arguments.of(
            "a revision rule with groupBy",
            """
            name: rejects
            scope: revision
            groupBy: [a, b]
            window: 5m
            query: x{rev="{{revision}}"}
            max: 0
            severity: critical
            """,
            List.of(
                "field 'groupBy' is set on a revision-scoped rule; it applies to scopes"
                    + " namespace, gateway, waypoint and node")),
        Arguments.of(
            "groupBy neither a label nor a list",
            GATEWAY.replace(gatewayGroupBy, "groupBy: {namespace: a, name: b}"),
            List.of(
                "field 'groupBy' is a mapping; expected a label name, or a list of one or two"
                    + " label names")),
        Arguments.of(
            "unquoted placeholders in a YAML list",
            WAYPOINT.replace(
                waypointGroupBy, "groupBy: [{{waypointNamespaceLabel}}, {{waypointNameLabel}}]"),
            List.of(
                "is not valid YAML at line 3, column 13: Expected a field name (Scalar value in"
                    + " YAML), got this instead: <org.yaml.snakeyaml.events.MappingStartEvent(anchor=null,"
                    + " tag=null, implicit=true)>; a placeholder inside [ ] or { } is written in"
                    + " quotes, such as [\"{{waypointNamespaceLabel}}\", \"{{waypointNameLabel}}\"]")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badScopedRules")
  void aGatewayOrWaypointRuleNamesTwoLabelsAndSelectsWorkloadsOnly(
      String what, String text, List<String> problems) throws IOException {
    assertThat(problemsOf(text))
        .containsExactlyElementsOf(
            problems.stream().map(p -> dir.resolve("rule.yaml") + ": " + p).toList());
  }

  @Test
  void loadsAValidRuleWithDefaults() throws IOException {
    write("error-rate.yaml", VALID);

    Rule rule = RuleLoader.loadDirectory(dir).get(0);

    assertThat(rule.onNoData()).isEqualTo(NoDataPolicy.HOLD);
    assertThat(rule.description()).isEmpty();
  }

  @Test
  void unknownFieldNamesTheNearestKnownOne() throws IOException {
    assertThat(problemsOf(VALID + "maxIncreas: 0.5\n"))
        .containsExactly(
            dir.resolve("rule.yaml")
                + ": field 'maxIncreas' is unknown; did you mean 'maxIncrease'?");
  }

  @Test
  void wrongTypesAreAllReportedWithFileFieldAndExpectation() throws IOException {
    String text =
        VALID
            .replace("max: 0.01", "max: fast")
            .replace("window: 5m", "window: soon")
            .replace("scope: namespace", "scope: cluster");

    assertThat(problemsOf(text))
        .containsExactly(
            dir.resolve("rule.yaml") + ": field 'max' is \"fast\"; expected a number",
            dir.resolve("rule.yaml")
                + ": field 'scope' is \"cluster\"; expected one of namespace, revision, gateway,"
                + " waypoint, node",
            dir.resolve("rule.yaml")
                + ": field 'window' is \"soon\"; expected a duration such as 30s, 5m or 1h30m");
  }

  @Test
  void brokenYamlSaysWhere() throws IOException {
    assertThat(problemsOf("name: x\nquery: [unclosed\n"))
        .singleElement()
        .asString()
        .isEqualTo(
            dir.resolve("rule.yaml")
                + ": is not valid YAML at line 2, column 17: while parsing a flow sequence");
  }

  @Test
  void unknownPlaceholderIsReported() throws IOException {
    assertThat(problemsOf(VALID.replace("{{namespaces}}", "{{namespace_list}}")))
        .contains(
            dir.resolve("rule.yaml")
                + ": field 'query' uses unknown placeholder {{namespace_list}}; known placeholders:"
                + " {{namespaces}}, {{namespace}}, {{workloads}}, {{workloadNamespaces}},"
                + " {{nodes}}, {{revision}}, {{fromRevision}}, {{window}}, {{revisionLabel}},"
                + " {{waypointNamespaceLabel}}, {{waypointNameLabel}}");
  }

  @Test
  void missingRequiredFieldsAreEachNamed() throws IOException {
    assertThat(problemsOf("description: nothing else\n"))
        .containsExactly(
            dir.resolve("rule.yaml")
                + ": field 'name' is missing; expected a DNS-1123 rule name such as error-rate",
            dir.resolve("rule.yaml") + ": field 'query' is missing; expected a PromQL template",
            dir.resolve("rule.yaml")
                + ": field 'scope' is missing; expected one of namespace, revision, gateway,"
                + " waypoint, node",
            dir.resolve("rule.yaml")
                + ": field 'severity' is missing; expected one of critical, warning",
            dir.resolve("rule.yaml")
                + ": field 'window' is missing; expected a duration such as 30s, 5m or 1h30m");
  }

  @Test
  void semanticProblemsAreReportedWithTheField() throws IOException {
    assertThat(problemsOf(VALID + "minVolume: -1\n"))
        .containsExactly(
            dir.resolve("rule.yaml")
                + ": field 'minVolume' is -1; expected a number >= 0 (the smallest volume that is data)",
            dir.resolve("rule.yaml")
                + ": field 'volumeQuery' is missing; minVolume needs a volumeQuery");
  }

  @Test
  void duplicateNamesAcrossFilesAreAnError() throws IOException {
    write("a.yaml", VALID);
    write("b.yaml", VALID);

    assertThatThrownBy(() -> RuleLoader.loadDirectory(dir))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            dir.resolve("b.yaml")
                + ": field 'name' is \"error-rate\", already used by "
                + dir.resolve("a.yaml"));
  }

  @Test
  void missingOrEmptyDirectoryIsAnError() {
    assertThatThrownBy(() -> RuleLoader.loadDirectory(dir.resolve("nope")))
        .hasMessage(
            "rules directory "
                + dir.resolve("nope")
                + " does not exist; pass --rules DIR or set rulesDir");
    assertThatThrownBy(() -> RuleLoader.loadDirectory(dir))
        .hasMessage("rules directory " + dir + " has no rule files (*.yaml, *.yml)");
  }

  @Test
  void emptyFileAndNonMappingAreErrors() throws IOException {
    write("empty.yaml", "");
    write("list.yaml", "- a\n- b\n");
    Problems problems = new Problems();

    RuleLoader.loadDirectory(dir, problems);

    assertThat(problems.list())
        .containsExactly(
            dir.resolve("empty.yaml") + ": is empty",
            dir.resolve("list.yaml") + ": is not a YAML mapping of fields");
  }

  @Test
  void acceptWarningsIsAListOfRegularExpressions() throws IOException {
    write(
        "error-rate.yaml",
        VALID
            + """
            acceptWarnings:
              - 'partial response: store .* \\(eu-archive\\) unavailable'
              - 'PromQL warning: .*'
            """);

    Rule rule = RuleLoader.loadDirectory(dir).get(0);

    assertThat(rule.acceptWarnings())
        .containsExactly(
            "partial response: store .* \\(eu-archive\\) unavailable", "PromQL warning: .*");
    assertThat(
            rule.unacceptedWarnings(
                List.of(
                    "partial response: store 10.0.0.7:10901 (eu-archive) unavailable",
                    "partial response: store 10.0.0.8:10901 (eu-recent) unavailable")))
        .containsExactly("partial response: store 10.0.0.8:10901 (eu-recent) unavailable");
    assertThat(RuleLoader.loadDirectory(Path.of("rules")))
        .allSatisfy(r -> assertThat(r.acceptWarnings()).as(r.name()).isEmpty());
  }

  @Test
  void anInvalidRegexInAcceptWarningsNamesTheFileTheFieldAndTheProblemAndLoadsNothing()
      throws IOException {
    write("error-rate.yaml", VALID + "acceptWarnings: ['partial response: store [0-9']\n");
    Problems problems = new Problems();

    List<Rule> loaded = RuleLoader.loadDirectory(dir, problems);

    assertThat(loaded).isEmpty();
    assertThat(problems.list())
        .containsExactly(
            dir.resolve("error-rate.yaml")
                + ": field 'acceptWarnings' entry 1 is \"partial response: store [0-9\", not a"
                + " valid regular expression: Unclosed character class near index 27; expected a"
                + " regex matching a whole warning, such as \"partial response: .*\"");
    assertThatThrownBy(() -> RuleLoader.loadDirectory(dir))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("field 'acceptWarnings' entry 1");
  }

  @Test
  void acceptWarningsThatIsNotAListOfTextsIsAShapeError() throws IOException {
    assertThat(problemsOf(VALID + "acceptWarnings: 'partial response: .*'\n"))
        .containsExactly(
            dir.resolve("rule.yaml")
                + ": field 'acceptWarnings' is \"partial response: .*\"; expected a list");
    assertThat(problemsOf(VALID + "acceptWarnings: ['']\n"))
        .containsExactly(
            dir.resolve("rule.yaml")
                + ": field 'acceptWarnings[0]' is \"\"; expected a regular expression");
  }
}

package io.meshgate.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EvaluateCommandTest {
  @RegisterExtension
  static WireMockExtension prometheus =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir static Path dir;

  private static String[] evaluate(Stream<String[]> parts) {
    return evaluate(parts.flatMap(Stream::of).toArray(String[]::new));
  }

  private static String[] evaluate(String... extra) {
    String[] base = {"evaluate", "--prometheus", prometheus.baseUrl(), "--to-revision", "1-20-0"};
    return Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
  }

  /** Prometheus answers every instant query with an empty vector. */
  private static void answerEveryQueryWithNothing() {
    prometheus.stubFor(
        post("/api/v1/query")
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")));
  }

  static Stream<Arguments> badInputs() throws IOException {
    Path emptyRules = Files.createDirectories(dir.resolve("empty"));
    Path brokenRules = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(brokenRules.resolve("bad.yaml"), "name: x\nquery: [unclosed\n");
    Path unknownField = Files.createDirectories(dir.resolve("unknown"));
    Files.writeString(
        unknownField.resolve("r.yaml"),
        Files.readString(Path.of("rules/error-rate.yaml")) + "treshold: 3\n");
    return Stream.of(
        Arguments.of(new String[] {"evaluate", "--frobnicate"}, "Unknown option: '--frobnicate'"),
        Arguments.of(
            new String[] {"evaluate", "--prometheus", "http://p:9090", "-n", "a"},
            "Missing required option: '--to-revision=R'"),
        Arguments.of(
            evaluate(),
            "no target given; pass --namespace NS, --gateway NS/NAME, --waypoint NS/NAME or"
                + " --node NAME"),
        Arguments.of(
            evaluate("--node", "worker-1\"}) or vector(1"),
            "--node worker-1\"}) or vector(1: node name is \"worker-1\"}) or vector(1\";"
                + " expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each"
                + " part between dots starting and ending with a letter or digit); expected a"
                + " node's name"),
        Arguments.of(
            evaluate("--node", "worker-1", "--node", "worker-1"),
            "node worker-1 is given twice (keys \"node:worker-1\" and \"node:worker-1\"); its"
                + " series cannot tell them apart"),
        Arguments.of(
            evaluate("--gateway", "istio-ingressgateway"),
            "--gateway is \"istio-ingressgateway\"; expected NAMESPACE/NAME, such as"
                + " istio-ingress/istio-ingressgateway"),
        Arguments.of(
            evaluate("--waypoint", "shop/Way_Point"),
            "--waypoint shop/Way_Point: waypoint name is \"Way_Point\"; expected a DNS-1123"
                + " subdomain (lower-case letters, digits, '-' and '.', each part between dots"
                + " starting and ending with a letter or digit)"),
        Arguments.of(
            evaluate("-n", "a", "--time", "yesterday"),
            "Invalid value for option '--time': 'yesterday' is not a time; expected RFC 3339"
                + " (2026-11-21T10:00:00Z) or Unix seconds"),
        Arguments.of(
            evaluate("-n", "a", "--baseline-window", "0s"),
            "Invalid value for option '--baseline-window': '0s' is not a positive duration"),
        Arguments.of(
            evaluate("-n", "a", "--output", "yaml"),
            "Invalid value for option '--output': expected one of [table, json, html]"),
        Arguments.of(
            evaluate("-n", "Payments"), "namespace is \"Payments\"; expected a DNS-1123 label"),
        Arguments.of(
            evaluate("-n", "a\"}) or vector(1"),
            "namespace is \"a\"}) or vector(1\"; expected a DNS-1123 label"),
        Arguments.of(
            evaluate("-n", "a", "--from-revision", "1-20-0"),
            "from revision equals the target revision \"1-20-0\""),
        Arguments.of(
            evaluate("-n", "a", "--from-revision", "1-19-0", "--cohort", "Orders"),
            "--cohort namespace is \"Orders\"; expected a DNS-1123 label"),
        Arguments.of(
            evaluate("-n", "a", "--cohort", "orders"),
            "--cohort needs --from-revision: the cohort is the namespaces still on it"),
        Arguments.of(evaluate("-n", "a", "--replay"), "--replay needs --from and --to"),
        Arguments.of(
            evaluate(
                "-n",
                "a",
                "--replay",
                "--from",
                "2026-11-21T10:00:00Z",
                "--to",
                "2026-11-21T09:00:00Z"),
            "--to 2026-11-21T09:00:00Z is not after --from 2026-11-21T10:00:00Z"),
        Arguments.of(
            evaluate(
                "-n",
                "a",
                "--replay",
                "--from",
                "2026-11-01T00:00:00Z",
                "--to",
                "2026-11-21T00:00:00Z",
                "--step",
                "30s"),
            "is 57601 steps; Prometheus answers at most 11000 per series: use a larger --step"),
        Arguments.of(
            evaluate(
                "-n",
                "a",
                "--replay",
                "--from",
                "2026-11-21T09:00:00Z",
                "--to",
                "2026-11-21T10:00:00Z",
                "--failure-limit",
                "0"),
            "--failure-limit is 0; expected at least 1"),
        Arguments.of(
            evaluate("-n", "a", "--from", "2026-11-21T09:00:00Z"),
            "--from and --to replay history; add --replay"),
        Arguments.of(
            evaluate("-n", "a", "--output", "html"),
            "--output html is a replay's report; add --replay"),
        Arguments.of(
            evaluate("-n", "a", "--rules", dir.resolve("missing").toString()),
            "rules directory " + dir.resolve("missing") + " does not exist"),
        Arguments.of(evaluate("-n", "a", "--rules", emptyRules.toString()), "has no rule files"),
        Arguments.of(
            evaluate("-n", "a", "--rules", brokenRules.toString()),
            brokenRules.resolve("bad.yaml") + ": is not valid YAML at line 2"),
        Arguments.of(
            evaluate("-n", "a", "--rules", unknownField.toString()),
            unknownField.resolve("r.yaml") + ": field 'treshold' is unknown"),
        Arguments.of(
            new String[] {
              "evaluate", "--prometheus", "localhost:9090", "--to-revision", "r", "-n", "a"
            },
            "--prometheus is \"localhost:9090\"; expected an http(s) URL"),
        Arguments.of(
            new String[] {"evaluate", "--to-revision", "r", "-n", "a"},
            "no Prometheus given; pass --prometheus URL or --config FILE"),
        Arguments.of(
            new String[] {
              "evaluate",
              "--config",
              dir.resolve("nope.yaml").toString(),
              "--to-revision",
              "r",
              "-n",
              "a"
            },
            dir.resolve("nope.yaml") + ": does not exist"),
        Arguments.of(new String[] {"nonsense"}, "Unmatched argument at index 0: 'nonsense'"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badInputs")
  void badInputExits64NamingWhatIsWrongAndQueriesNothing(String[] args, String message) {
    Cli result = Cli.run(args);

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).contains(message);
    assertThat(result.out()).isEmpty();
    prometheus.verify(0, postRequestedFor(urlEqualTo("/api/v1/query")));
  }

  @Test
  void printsTheDesignedJsonAndExitsWithTheVerdict() throws IOException {
    answerEveryQueryWithNothing();

    Cli result =
        Cli.run(
            evaluate(
                "-n", "payments", "--namespace", "orders", "--time", "1795255200", "-o", "json"));

    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(json.path("time").asText()).isEqualTo("2026-11-21T10:00:00Z");
    assertThat(json.path("verdict").asText()).isEqualTo("HOLD");
    assertThat(json.path("namespaces")).hasSize(2);
    JsonNode payments = json.path("namespaces").get(0);
    assertThat(payments.path("namespace").asText()).isEqualTo("payments");
    assertThat(payments.path("reason").asText()).startsWith("no data for ");
    JsonNode rule = payments.path("rules").get(1);
    assertThat(rule.path("rule").asText()).isEqualTo("error-rate");
    assertThat(rule.path("result").asText()).isEqualTo("NO_DATA");
    assertThat(rule.has("value") && rule.path("value").isNull()).isTrue();
    assertThat(rule.has("bound") && rule.has("baseline")).isTrue();
    assertThat(rule.path("query").asText())
        .contains("destination_workload_namespace=~\"payments\"");
    prometheus.verify(4, postRequestedFor(urlEqualTo("/api/v1/query")));
  }

  @Test
  void tableOutputShowsEveryRule() {
    answerEveryQueryWithNothing();

    Cli result = Cli.run(evaluate("-n", "payments"));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out())
        .contains("payments  HOLD  no data for")
        .contains("error-rate")
        .contains("p99-latency")
        .contains("convergence-time")
        .contains("xds-rejects");
  }

  /** Issue 25: a gateway and a waypoint are judged by their scope's rules and the revision's. */
  @Test
  void evaluatesGatewaysAndWaypointsKeyedByKindAndName() throws IOException {
    answerEveryQueryWithNothing();

    Cli result =
        Cli.run(
            evaluate(
                "--gateway",
                "istio-ingress/istio-ingressgateway",
                "--waypoint",
                "shop/waypoint",
                "--time",
                "1795255200",
                "-o",
                "json"));

    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(json.path("namespaces").findValuesAsText("namespace"))
        .containsExactly("gateway:istio-ingress/istio-ingressgateway", "waypoint:shop/waypoint");
    assertThat(json.path("namespaces").get(0).path("rules").findValuesAsText("rule"))
        .containsExactly(
            "convergence-time", "gateway-error-rate", "gateway-p99-latency", "xds-rejects");
    assertThat(json.path("namespaces").get(1).path("rules").findValuesAsText("rule"))
        .containsExactly(
            "convergence-time", "waypoint-error-rate", "waypoint-p99-latency", "xds-rejects");
    assertThat(json.path("namespaces").get(1).path("rules").get(1).path("query").asText())
        .contains("gateway_networking_k8s_io_gateway_name=~\"waypoint\", namespace=~\"shop\"");
    prometheus.verify(6, postRequestedFor(urlEqualTo("/api/v1/query")));
  }

  /** Issue 27: a node is judged by the node-scoped rules and the revision's, keyed by its name. */
  @Test
  void evaluatesNodesByTheNodeRulesKeyedByName() throws IOException {
    answerEveryQueryWithNothing();

    Cli result =
        Cli.run(
            evaluate(
                "--node",
                "worker-1,ip-10-0-1-7.ec2.internal",
                "--time",
                "1795255200",
                "-o",
                "json"));

    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(json.path("namespaces").findValuesAsText("namespace"))
        .containsExactly("node:worker-1", "node:ip-10-0-1-7.ec2.internal");
    JsonNode worker = json.path("namespaces").get(0);
    assertThat(worker.path("rules").findValuesAsText("rule"))
        .containsExactly("convergence-time", "xds-rejects", "ztunnel-connection-failures");
    assertThat(worker.path("rules").get(2).path("query").asText())
        .contains("istio_tcp_connections_failed_total{app=\"ztunnel\", node=~\"worker-1\"");
    assertThat(worker.path("rules").get(2).path("message").asText())
        .isEqualTo(
            "volume 0 in 5m < minVolume 100, probably not receiving traffic, or not scraped with"
                + " label node (relabelled from __meta_kubernetes_pod_node_name on ztunnel's"
                + " pods)");
    prometheus.verify(3, postRequestedFor(urlEqualTo("/api/v1/query")));
  }

  /**
   * payments fails error-rate (5% errors over 500 requests); orders, the cohort when asked for,
   * carries too little volume to count. Every other query answers nothing.
   */
  private static void errorRateFailsWithoutACohort() {
    errorRateFails("3");
  }

  /** payments fails error-rate; orders has 0.1% errors over {@code ordersVolume} requests. */
  private static void errorRateFails(String ordersVolume) {
    answerEveryQueryWithNothing();
    String series =
        """
        {"metric": {"destination_workload_namespace": "%s", "meshgate_part": "%s"},
         "value": [1795255200, "%s"]}""";
    prometheus.stubFor(
        post("/api/v1/query")
            .withRequestBody(containing("response_code"))
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                        + String.join(
                            ",",
                            series.formatted("payments", "value", "0.05"),
                            series.formatted("payments", "volume", "500"),
                            series.formatted("orders", "value", "0.001"),
                            series.formatted("orders", "volume", ordersVolume))
                        + "]}}")));
  }

  /** Issue 22: a missing cohort is said once per report, not in every rule's reason. */
  @Test
  void aMissingCohortIsSaidOnceInTheJsonNotInTheReasons() throws IOException {
    errorRateFailsWithoutACohort();

    Cli result =
        Cli.run(
            evaluate(
                "-n",
                "payments",
                "--from-revision",
                "1-19-0",
                "--cohort",
                "orders",
                "--time",
                "1795255200",
                "-o",
                "json"));

    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(result.exitCode()).isEqualTo(2);
    JsonNode payments = json.path("namespaces").get(0);
    assertThat(payments.path("reason").asText())
        .isEqualTo("critical rule error-rate failed: error-rate 0.05 > max 0.01");
    assertThat(payments.path("rules").findValuesAsText("message"))
        .noneMatch(m -> m.contains("cohort"));
    assertThat(payments.path("rules").findValues("cohort")).allMatch(JsonNode::isNull);
    assertThat(json.path("cohort").path("unmeasured").toString())
        .isEqualTo("[\"error-rate\",\"p99-latency\"]");
    assertThat(json.path("cohort").path("message").asText())
        .isEqualTo(
            "nothing of the control cohort on 1-19-0 carried volume for error-rate, p99-latency: failures are"
                + " judged on bounds and baselines only");
  }

  @Test
  void aMissingCohortIsOneLineUnderTheTable() {
    errorRateFailsWithoutACohort();

    Cli result = Cli.run(evaluate("-n", "payments", "--from-revision", "1-19-0"));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out())
        .endsWith(
            "\nCohort: none given (--cohort NS...): failures of error-rate, p99-latency are judged"
                + " on bounds and baselines only\n")
        .containsOnlyOnce("Cohort:")
        .doesNotContain("baseline only");
  }

  @Test
  void aMeasuredCohortIsNotMentioned() throws IOException {
    errorRateFails("500");
    Path rules = Files.createDirectories(dir.resolve("error-rate-only"));
    Files.copy(Path.of("rules/error-rate.yaml"), rules.resolve("error-rate.yaml"));
    String[] args = {"-n", "payments", "--from-revision", "1-19-0", "--cohort", "orders"};
    String[] rulesOption = {"--rules", rules.toString()};

    Cli json = Cli.run(evaluate(Stream.of(args, rulesOption, new String[] {"-o", "json"})));
    Cli table = Cli.run(evaluate(Stream.of(args, rulesOption)));

    JsonNode report = new ObjectMapper().readTree(json.out());
    assertThat(json.exitCode()).isEqualTo(2);
    assertThat(report.has("cohort") && report.path("cohort").isNull()).isTrue();
    assertThat(report.at("/namespaces/0/rules/0/cohort").asDouble()).isEqualTo(0.001);
    assertThat(table.out()).doesNotContain("Cohort:");
  }

  @Test
  void helpExitsZero() {
    Cli result = Cli.run("evaluate", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("--baseline-time")
        .contains("Exit code: 0 PROMOTE, 1 HOLD, 2 ROLLBACK");
  }

  /** Issue 22: {@code --since} clips namespace-scoped windows as the daemon does. */
  @Test
  void sinceClipsEveryNamespaceScopedWindowToTheTimeSinceTheRollout() throws IOException {
    answerEveryQueryWithNothing();

    Cli result =
        Cli.run(
            evaluate(
                "-n", "payments", "--time", "1795255200", "--since", "1795255110", "-o", "json"));

    JsonNode rules =
        new ObjectMapper().readTree(result.out()).path("namespaces").get(0).path("rules");
    for (JsonNode rule : rules) {
      String expected =
          rule.path("rule").asText().equals("error-rate")
                  || rule.path("rule").asText().equals("p99-latency")
              ? "90s"
              : "5m";
      assertThat(rule.path("window").asText()).as(rule.path("rule").asText()).isEqualTo(expected);
    }
    prometheus.verify(
        postRequestedFor(urlEqualTo("/api/v1/query"))
            .withRequestBody(containing("istio_requests_total"))
            .withRequestBody(containing("%5B90s%5D")));
  }

  @Test
  void sinceUnderTheMinimumWindowHoldsWithoutAskingForNamespaceRules() {
    answerEveryQueryWithNothing();

    Cli result =
        Cli.run(evaluate("-n", "payments", "--time", "1795255200", "--since", "1795255160"));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out())
        .contains("no data for error-rate, p99-latency: window since rollout 40s < 1m");
    prometheus.verify(
        0,
        postRequestedFor(urlEqualTo("/api/v1/query"))
            .withRequestBody(containing("istio_requests_total")));
  }

  @Test
  void aReplaySinceARolloutSendsEachWindowOnceOverTheStepsUsingIt() {
    prometheus.stubFor(
        post("/api/v1/query_range")
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}")));

    // from the rollout to 10 minutes after, every 30 s: 0s..30s wait, 1m..4m30s clipped, 5m+ whole
    Cli result =
        Cli.run(
            evaluate(
                "-n",
                "payments",
                "--replay",
                "--since",
                "1795255200",
                "--from",
                "1795255200",
                "--to",
                "1795255800",
                "-o",
                "json"));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("replayed 21 steps of 1 targets with 20 range queries");
    // error-rate and p99-latency over 90s, at the one step that has that window
    prometheus.verify(
        2,
        postRequestedFor(urlEqualTo("/api/v1/query_range"))
            .withRequestBody(containing("%5B90s%5D"))
            .withRequestBody(containing("start=1795255290"))
            .withRequestBody(containing("end=1795255290")));
  }
}

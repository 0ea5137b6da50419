package io.meshgate.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.meshgate.config.RuleLoader;
import io.meshgate.controller.GateSubjects;
import io.meshgate.gate.Result;
import io.meshgate.gate.Rule;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.WaypointLabels;
import io.meshgate.migration.MigrationSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 27: a migration's nodes reach Prometheus as the node-scoped rules' targets, keyed by their
 * node key, and a ztunnel wave is gated by the node rules even when its gates name none.
 */
class PrometheusGatePortTest {
  @RegisterExtension
  static WireMockExtension prometheus =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final List<Rule> SHIPPED = RuleLoader.loadDirectory(Path.of("rules"));
  private static final MigrationSpec.Wave APPS =
      new MigrationSpec.Wave("apps", List.of("payments"), Map.of(), Duration.ZERO, 1, false);
  private static final MigrationSpec.Wave ZTUNNEL =
      new MigrationSpec.Wave(
          "ztunnel",
          List.of(),
          Map.of(),
          List.of(),
          Map.of(),
          Duration.ofMinutes(5),
          1,
          false,
          new MigrationSpec.Ztunnel(
              "istio-system", "ztunnel", Map.of(), 1, MigrationSpec.Ztunnel.DEFAULT_DRAIN_TIMEOUT));

  private static MigrationSpec spec(List<MigrationSpec.Wave> waves, String... gates) {
    return new MigrationSpec(
        "1-19-0",
        "1-20-0",
        waves,
        List.of(gates).stream()
            .map(g -> new MigrationSpec.GateRef(g, null, null, null, null, null))
            .toList(),
        Duration.ofSeconds(30),
        3,
        3,
        10,
        Duration.ofMinutes(30),
        MigrationSpec.OnFailure.Rollback,
        MigrationSpec.RollbackScope.Namespace,
        1,
        MigrationSpec.Restart.DEFAULT,
        null,
        false,
        false,
        null);
  }

  private static List<String> names(List<Rule> rules) {
    return rules.stream().map(Rule::name).toList();
  }

  @Test
  void aZtunnelWaveWhoseGatesNameNoNodeRuleIsGatedByTheNodeRulesOfTheRulesDirectory() {
    assertThat(
            names(PrometheusGatePort.resolve(spec(List.of(APPS, ZTUNNEL), "error-rate"), SHIPPED)))
        .containsExactly("error-rate", "ztunnel-connection-failures");
    assertThat(names(PrometheusGatePort.resolve(spec(List.of(APPS), "error-rate"), SHIPPED)))
        .as("no ztunnel wave: the gates as written")
        .containsExactly("error-rate");
    assertThat(PrometheusGatePort.resolve(spec(List.of(ZTUNNEL)), SHIPPED))
        .as("no gates: every loaded rule, the node rule once")
        .isEqualTo(SHIPPED);
  }

  @Test
  void gatesNamingANodeRuleAreTakenAsWrittenWithTheirBounds() {
    MigrationSpec spec =
        new MigrationSpec(
            "1-19-0",
            "1-20-0",
            List.of(ZTUNNEL),
            List.of(
                new MigrationSpec.GateRef(
                    "ztunnel-connection-failures", 0.01, null, null, null, 50.0)),
            Duration.ofSeconds(30),
            3,
            3,
            10,
            Duration.ofMinutes(30),
            MigrationSpec.OnFailure.Rollback,
            MigrationSpec.RollbackScope.Namespace,
            1,
            MigrationSpec.Restart.DEFAULT,
            null,
            false,
            false,
            null);

    List<Rule> resolved = PrometheusGatePort.resolve(spec, SHIPPED);

    assertThat(resolved)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.name()).isEqualTo("ztunnel-connection-failures");
              assertThat(List.of(r.max(), r.minVolume())).containsExactly(0.01, 50.0);
            });
  }

  @Test
  void aNodeIsJudgedUnderItsKeyWithItsCohortInTheSameQuery() {
    prometheus.stubFor(
        post("/api/v1/query")
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                        + series("value", "worker-1", "0.004")
                        + ","
                        + series("volume", "worker-1", "600")
                        + ","
                        + series("value", "worker-9", "0.001")
                        + ","
                        + series("volume", "worker-9", "900")
                        + "]}}")));
    PrometheusGatePort port =
        new PrometheusGatePort(
            new PrometheusGate(
                new PrometheusClient(
                    PrometheusSettings.of(URI.create(prometheus.baseUrl())),
                    new OkHttpClient(),
                    new ObjectMapper())),
            () -> SHIPPED,
            "istio_io_rev",
            Duration.ofMinutes(1),
            WaypointLabels.DEFAULT);
    GateSubjects subjects =
        new GateSubjects(
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(GateSubjects.Node.named("worker-1")),
            List.of(GateSubjects.Node.named("worker-9")));

    Map<String, List<RuleResult>> results =
        port.evaluate(
            spec(List.of(ZTUNNEL), "ztunnel-connection-failures"),
            subjects,
            Map.of("Node/worker-1", NOW.minus(Duration.ofHours(1))),
            Map.of(),
            NOW);

    assertThat(results).containsOnlyKeys("Node/worker-1");
    RuleResult failures = results.get("Node/worker-1").get(0);
    assertThat(failures.rule()).isEqualTo("ztunnel-connection-failures");
    assertThat(failures.result()).isEqualTo(Result.PASS);
    assertThat(failures.value()).isEqualTo(0.004);
    assertThat(failures.cohort()).isEqualTo(0.001);
    assertThat(prometheus.getAllServeEvents())
        .singleElement()
        .satisfies(
            e ->
                assertThat(
                        URLDecoder.decode(e.getRequest().getBodyAsString(), StandardCharsets.UTF_8))
                    .contains("node=~\"worker-1|worker-9\""));
  }

  private static String series(String part, String node, String value) {
    return "{\"metric\":{\"meshgate_part\":\""
        + part
        + "\",\"node\":\""
        + node
        + "\"},\"value\":[1796637600,\""
        + value
        + "\"]}";
  }
}

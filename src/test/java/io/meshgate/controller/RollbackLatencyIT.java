package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.app.Daemon;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.Series;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.Traffic;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end: real Prometheus scraping the mesh simulator, the cluster simulator as API
 * server, Quartz ticks every second. A 5xx spike after the flip must flip the label back; the time
 * from the spike being visible in Prometheus to the flip back is printed.
 */
class RollbackLatencyIT {
  @TempDir Path dir;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @Test
  void criticalFailureSeenInPrometheusFlipsTheLabelBackWithinAFewTicks() throws Exception {
    MeshSimulator mesh = new MeshSimulator(3);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision(FROM, ControlPlane.healthy("1.19.0"))
        .revision(TO, ControlPlane.healthy("1.20.0"));
    Path rules = Files.createDirectories(dir.resolve("rules"));
    try (Stream<Path> shipped = Files.list(Path.of("rules"))) {
      for (Path rule : shipped.toList()) {
        Files.writeString(
            rules.resolve(rule.getFileName()),
            Files.readString(rule).replace("window: 5m", "window: 10s"));
      }
    }
    OkHttpClient http = new OkHttpClient();
    try (MeshSimulator ignored = mesh;
        PrometheusProcess prometheus = startPrometheus(mesh);
        Harness harness = new Harness()) {
      harness.sim.namespace("payments", Map.of("istio.io/rev", FROM));
      harness.sim.deployment("payments", "payments-web", 2);
      PrometheusSettings settings = PrometheusSettings.of(prometheus.url());
      try (Daemon daemon = harness.startDaemon(prometheus.url(), rules, "latency-test")) {
        harness
            .sim
            .client()
            .resources(RevisionMigration.class)
            .load(new ByteArrayInputStream(MIGRATION.getBytes(StandardCharsets.UTF_8)))
            .create();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    TO.equals(label(harness))
                        && harness.sim.census("payments").byRevision().containsKey(TO));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> daemon.controller() != null && soaking(harness));

        mesh.updateNamespace("payments", t -> t.withErrorShare(0.5));
        PrometheusClient probe = new PrometheusClient(settings, http, new ObjectMapper());
        Instant seen = awaitErrorRateAboveBound(probe);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> FROM.equals(label(harness)));
        Duration latency = Duration.between(seen, Instant.now());

        System.out.printf(
            "%nFIGURE rollback latency: 5xx share above 0.01 in Prometheus -> istio.io/rev=%s again: %d ms (interval 1s, failureLimit 3)%n%n",
            FROM, latency.toMillis());
        assertThat(latency).isLessThan(Duration.ofSeconds(30));
      }
    } finally {
      http.dispatcher().executorService().shutdown();
    }
  }

  private static final String MIGRATION =
      """
      apiVersion: meshgate.io/v1alpha1
      kind: RevisionMigration
      metadata: {name: latency}
      spec:
        fromRevision: "1-19-0"
        toRevision: "1-20-0"
        interval: 1s
        failureLimit: 3
        passStreak: 1000
        baselineWindow: 10s
        gates: [{rule: error-rate}]
        waves: [{name: all, namespaces: [payments], soak: 0s}]
      """;

  private PrometheusProcess startPrometheus(MeshSimulator mesh) throws Exception {
    mesh.start();
    Path work = Files.createTempDirectory("meshgate-latency");
    return release().start(work, PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null));
  }

  private static String label(Harness harness) {
    return harness.labels("payments").get("istio.io/rev");
  }

  private static boolean soaking(Harness harness) {
    RevisionMigration rm =
        harness.sim.client().resources(RevisionMigration.class).withName("latency").get();
    return rm.getStatus() != null
        && rm.getStatus().namespaces() != null
        && rm.getStatus().namespaces().stream().anyMatch(n -> "Soaking".equals(n.phase()));
  }

  private static Instant awaitErrorRateAboveBound(PrometheusClient probe) {
    String query =
        "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"payments\",response_code=~\"5..\"}[10s]))"
            + " / sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"payments\"}[10s]))";
    Instant[] seen = new Instant[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              QueryResult result = probe.query(query, Instant.now());
              if (result instanceof QueryResult.Success s && !s.series().isEmpty()) {
                List<Series> series = s.series();
                if (series.get(0).value() > 0.01) {
                  seen[0] = Instant.now();
                  return true;
                }
              }
              return false;
            });
    return seen[0];
  }
}

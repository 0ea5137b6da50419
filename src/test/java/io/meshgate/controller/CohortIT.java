package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.app.Daemon;
import io.meshgate.gate.QueryResult;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationStatus;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.Traffic;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad revision told from a bad day, end to end: real Prometheus scraping the mesh simulator, the
 * daemon ticking every second. Mid-migration every namespace, old revision and new, starts
 * answering 5% 5xx: the migrating namespace holds with GlobalDegradation (the namespaces still on
 * the old revision, measured in the same query, are as bad) and is not rolled back; the incident
 * ends and the migration completes. A regression on the new revision only still rolls back.
 */
class CohortIT {
  private static final List<String> ALL = List.of("payments", "orders", "search");

  @TempDir Path dir;

  private Path rules() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    try (Stream<Path> shipped = Files.list(Path.of("rules"))) {
      for (Path rule : shipped.toList()) {
        Files.writeString(
            rules.resolve(rule.getFileName()),
            Files.readString(rule).replace("window: 5m", "window: 10s"));
      }
    }
    return rules;
  }

  private static String migration(String name, String soak) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata: {name: %s}
        spec:
          fromRevision: "1-19-0"
          toRevision: "1-20-0"
          interval: 1s
          failureLimit: 3
          passStreak: 3
          baselineWindow: 10s
          maxRollbacks: 0
          gates: [{rule: error-rate}]
          waves:
            - {name: first, namespaces: [payments], soak: %s}
            - {name: rest, namespaces: [orders, search], soak: 1s}
        """
        .formatted(name, soak);
  }

  /** Runs {@code body} with the mesh, Prometheus, the simulated cluster and the daemon up. */
  private void withDaemon(String name, String soak, Scenario body) throws Exception {
    MeshSimulator mesh = new MeshSimulator(7);
    ALL.forEach(ns -> mesh.namespace(ns, Traffic.HEALTHY));
    mesh.revision(FROM, ControlPlane.healthy("1.19.0"))
        .revision(TO, ControlPlane.healthy("1.20.0"));
    mesh.start();
    try (MeshSimulator ignored = mesh;
        PrometheusProcess prometheus =
            PrometheusProcess.start(
                Files.createTempDirectory("meshgate-cohort"),
                PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null));
        Harness harness = new Harness()) {
      for (String ns : ALL) {
        harness.sim.namespace(ns, Map.of("istio.io/rev", FROM));
        harness.sim.deployment(ns, ns + "-web", 2);
      }
      awaitTrafficIn(prometheus);
      try (Daemon daemon = harness.startDaemon(prometheus.url(), rules(), "cohort-test")) {
        harness
            .sim
            .client()
            .resources(RevisionMigration.class)
            .load(new ByteArrayInputStream(migration(name, soak).getBytes(StandardCharsets.UTF_8)))
            .create();
        body.run(mesh, harness);
      }
    }
  }

  /** Until Prometheus holds a baseline window of traffic for every namespace. */
  private static void awaitTrafficIn(PrometheusProcess prometheus) {
    OkHttpClient http = new OkHttpClient();
    try {
      PrometheusClient probe =
          new PrometheusClient(PrometheusSettings.of(prometheus.url()), http, new ObjectMapper());
      String volume =
          "sum by (destination_workload_namespace)"
              + " (increase(istio_requests_total{reporter=\"destination\"}[10s])) > 100";
      await("10 s of traffic in Prometheus")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  probe.query(volume, Instant.now()) instanceof QueryResult.Success s
                      && s.series().size() == ALL.size());
    } finally {
      http.dispatcher().executorService().shutdown();
    }
  }

  private interface Scenario {
    void run(MeshSimulator mesh, Harness harness);
  }

  private static Optional<RevisionMigrationStatus.Namespace> namespace(
      Harness harness, String migration, String ns) {
    RevisionMigration rm =
        harness.sim.client().resources(RevisionMigration.class).withName(migration).get();
    if (rm == null || rm.getStatus() == null || rm.getStatus().namespaces() == null) {
      return Optional.empty();
    }
    return rm.getStatus().namespaces().stream().filter(n -> ns.equals(n.name())).findFirst();
  }

  private static String phase(Harness harness, String migration) {
    RevisionMigration rm =
        harness.sim.client().resources(RevisionMigration.class).withName(migration).get();
    return rm == null || rm.getStatus() == null ? null : rm.getStatus().phase();
  }

  @Test
  void aMeshWideIncidentHoldsWithGlobalDegradationAndTheMigrationCompletesAfterIt()
      throws Exception {
    withDaemon(
        "incident",
        "40s",
        (mesh, harness) -> {
          await("payments soaking on the new revision")
              .atMost(Duration.ofSeconds(90))
              .until(
                  () ->
                      namespace(harness, "incident", "payments")
                          .map(n -> "Soaking".equals(n.phase()))
                          .orElse(false));
          assertThat(namespace(harness, "incident", "payments").orElseThrow().baseline())
              .as("the cohort's baseline captured with the namespace's")
              .containsKeys("error-rate", "cohort/error-rate");

          ALL.forEach(ns -> mesh.updateNamespace(ns, t -> t.withErrorShare(0.05)));

          RevisionMigrationStatus.Namespace held =
              await("payments holds for a mesh-wide degradation")
                  .atMost(Duration.ofSeconds(60))
                  .until(
                      () -> namespace(harness, "incident", "payments").orElse(null),
                      n ->
                          n != null
                              && n.lastVerdict() != null
                              && n.lastVerdict().reason().startsWith("GlobalDegradation in"));
          assertThat(held.lastVerdict().verdict()).isEqualTo("HOLD");
          assertThat(held.lastVerdict().reason())
              .contains(
                  "> max 0.01, and the cohort on 1-19-0 (2 namespaces) at 0.0", "breaches it too");
          await("ten more ticks of the incident, never a rollback")
              .pollDelay(Duration.ofSeconds(10))
              .atMost(Duration.ofSeconds(15))
              .untilAsserted(
                  () -> {
                    RevisionMigrationStatus.Namespace now =
                        namespace(harness, "incident", "payments").orElseThrow();
                    assertThat(now.phase()).isIn("Soaking", "Verifying");
                    assertThat(now.failureStreaks()).isNullOrEmpty();
                  });
          assertThat(harness.labels("payments")).containsEntry("istio.io/rev", TO);

          ALL.forEach(ns -> mesh.updateNamespace(ns, t -> t.withErrorShare(0)));

          await("the incident over, the migration completes")
              .atMost(Duration.ofSeconds(150))
              .until(() -> "Succeeded".equals(phase(harness, "incident")));
          for (String ns : ALL) {
            assertThat(harness.labels(ns)).as(ns).containsEntry("istio.io/rev", TO);
          }
        });
  }

  @Test
  void aRegressionOnTheNewRevisionOnlyStillRollsBack() throws Exception {
    withDaemon(
        "regression",
        "10m",
        (mesh, harness) -> {
          await("payments soaking on the new revision")
              .atMost(Duration.ofSeconds(90))
              .until(
                  () ->
                      namespace(harness, "regression", "payments")
                          .map(n -> "Soaking".equals(n.phase()))
                          .orElse(false));

          mesh.updateNamespace("payments", t -> t.withErrorShare(0.05));

          RevisionMigrationStatus.Namespace rolledBack =
              await("payments rolls back")
                  .atMost(Duration.ofSeconds(60))
                  .until(
                      () -> namespace(harness, "regression", "payments").orElse(null),
                      n -> n != null && "RolledBack".equals(n.phase()));
          assertThat(rolledBack.lastVerdict().reason())
              .contains(
                  "> max 0.01; the cohort on 1-19-0 (2 namespaces) at 0", "the new revision only");
          assertThat(harness.labels("payments")).containsEntry("istio.io/rev", FROM);
        });
  }
}

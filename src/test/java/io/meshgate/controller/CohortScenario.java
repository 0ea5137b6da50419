package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.gate.QueryResult;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationStatus;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;

/**
 * A bad revision told from a bad day, on whichever cluster runs the pods ({@link CohortIT} on the
 * simulated one, {@link CohortRealClusterIT} on the real control plane with Istio's istiod): real
 * Prometheus scraping the mesh simulator, the daemon ticking every second. Mid-migration every
 * namespace, old revision and new, starts answering 5% 5xx: the migrating namespace holds with
 * GlobalDegradation (the namespaces still on the old revision, measured in the same query, are as
 * bad) and is not rolled back; the incident ends and the migration completes. A regression on the
 * new revision only still rolls back.
 */
final class CohortScenario implements AutoCloseable {
  static final List<String> ALL = List.of("payments", "orders", "search");

  /** What the scenario reads of the cluster the daemon works on. */
  interface Cluster {
    Optional<RevisionMigration> migration(String name);

    Map<String, String> labels(String namespace);
  }

  final MeshSimulator mesh;
  final PrometheusProcess prometheus;
  final Path rules;

  private CohortScenario(MeshSimulator mesh, PrometheusProcess prometheus, Path rules) {
    this.mesh = mesh;
    this.prometheus = prometheus;
    this.rules = rules;
  }

  /**
   * The mesh of {@link #ALL}, healthy, scraped every second by a Prometheus of {@code release}; the
   * shipped rules at 10 s.
   */
  static CohortScenario start(Path dir, PrometheusRelease release) throws Exception {
    MeshSimulator mesh = new MeshSimulator(7);
    ALL.forEach(ns -> mesh.namespace(ns, Traffic.HEALTHY));
    mesh.revision(FROM, ControlPlane.healthy("1.19.0"))
        .revision(TO, ControlPlane.healthy("1.20.0"));
    mesh.start();
    try {
      PrometheusProcess prometheus =
          release.start(
              Files.createTempDirectory("meshgate-cohort"),
              PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null));
      return new CohortScenario(mesh, prometheus, rules(dir));
    } catch (Exception e) {
      mesh.close();
      throw e;
    }
  }

  static Path rules(Path dir) throws Exception {
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

  static String migration(String name, String soak) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata: {name: %s}
        spec:
          fromRevision: "%s"
          toRevision: "%s"
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
        .formatted(name, FROM, TO, soak);
  }

  /** Until Prometheus holds a baseline window of traffic for every namespace. */
  void awaitTraffic() {
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

  /**
   * Migration {@code name} (soak 40 s) is under way: a mesh-wide incident holds payments with
   * GlobalDegradation, never a rollback, and once it is over the migration completes.
   */
  void meshWideIncident(Cluster cluster, String name) {
    awaitPaymentsSoaking(cluster, name);
    assertThat(namespace(cluster, name, "payments").orElseThrow().baseline())
        .as("the cohort's baseline captured with the namespace's")
        .containsKeys("error-rate", "cohort/error-rate");

    ALL.forEach(ns -> mesh.updateNamespace(ns, t -> t.withErrorShare(0.05)));

    RevisionMigrationStatus.Namespace held =
        await("payments holds for a mesh-wide degradation")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> namespace(cluster, name, "payments").orElse(null),
                n ->
                    n != null
                        && n.lastVerdict() != null
                        && n.lastVerdict().reason().startsWith("GlobalDegradation in"));
    assertThat(held.lastVerdict().verdict()).isEqualTo("HOLD");
    assertThat(held.lastVerdict().reason())
        .contains("> max 0.01, and the cohort on 1-19-0 (2 namespaces) at 0.0", "breaches it too");
    await("ten more ticks of the incident, never a rollback")
        .pollDelay(Duration.ofSeconds(10))
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              RevisionMigrationStatus.Namespace now =
                  namespace(cluster, name, "payments").orElseThrow();
              assertThat(now.phase()).isIn("Soaking", "Verifying");
              assertThat(now.failureStreaks()).isNullOrEmpty();
            });
    assertThat(cluster.labels("payments")).containsEntry("istio.io/rev", TO);

    ALL.forEach(ns -> mesh.updateNamespace(ns, t -> t.withErrorShare(0)));

    await("the incident over, the migration completes")
        .atMost(Duration.ofSeconds(150))
        .until(() -> "Succeeded".equals(phase(cluster, name)));
    for (String ns : ALL) {
      assertThat(cluster.labels(ns)).as(ns).containsEntry("istio.io/rev", TO);
    }
  }

  /** Migration {@code name} (soak 10 m) is under way: a regression of payments alone rolls back. */
  void regressionOnTheNewRevisionOnly(Cluster cluster, String name) {
    awaitPaymentsSoaking(cluster, name);

    mesh.updateNamespace("payments", t -> t.withErrorShare(0.05));

    RevisionMigrationStatus.Namespace rolledBack =
        await("payments rolls back")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> namespace(cluster, name, "payments").orElse(null),
                n -> n != null && "RolledBack".equals(n.phase()));
    assertThat(rolledBack.lastVerdict().reason())
        .contains("> max 0.01; the cohort on 1-19-0 (2 namespaces) at 0", "the new revision only");
    assertThat(cluster.labels("payments")).containsEntry("istio.io/rev", FROM);
  }

  private static void awaitPaymentsSoaking(Cluster cluster, String migration) {
    await("payments soaking on the new revision")
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                namespace(cluster, migration, "payments")
                    .map(n -> "Soaking".equals(n.phase()))
                    .orElse(false));
  }

  private static Optional<RevisionMigrationStatus.Namespace> namespace(
      Cluster cluster, String migration, String ns) {
    return cluster
        .migration(migration)
        .map(RevisionMigration::getStatus)
        .map(RevisionMigrationStatus::namespaces)
        .flatMap(all -> all.stream().filter(n -> ns.equals(n.name())).findFirst());
  }

  private static String phase(Cluster cluster, String migration) {
    return cluster
        .migration(migration)
        .map(RevisionMigration::getStatus)
        .map(RevisionMigrationStatus::phase)
        .orElse(null);
  }

  @Override
  public void close() {
    prometheus.close();
    mesh.close();
  }
}

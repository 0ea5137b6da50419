package io.meshgate.controller;

import io.meshgate.app.Daemon;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.sim.PrometheusRelease;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control cohort's two stories ({@link CohortScenario}) on the simulated cluster, on Debian's
 * Prometheus 2.42 ({@link CohortPrometheus3IT} runs one of them on Prometheus 3).
 */
class CohortIT {
  @TempDir Path dir;

  @Test
  void aMeshWideIncidentHoldsWithGlobalDegradationAndTheMigrationCompletesAfterIt()
      throws Exception {
    withDaemon(dir, PrometheusRelease.DEBIAN, "incident", "40s", CohortScenario::meshWideIncident);
  }

  @Test
  void aRegressionOnTheNewRevisionOnlyStillRollsBack() throws Exception {
    withDaemon(
        dir,
        PrometheusRelease.DEBIAN,
        "regression",
        "10m",
        CohortScenario::regressionOnTheNewRevisionOnly);
  }

  interface Story {
    void run(CohortScenario scenario, CohortScenario.Cluster cluster, String migration);
  }

  /**
   * Runs {@code story} with the mesh, Prometheus of {@code release}, the simulated cluster and the
   * daemon up.
   */
  static void withDaemon(Path dir, PrometheusRelease release, String name, String soak, Story story)
      throws Exception {
    try (CohortScenario scenario = CohortScenario.start(dir, release);
        Harness harness = new Harness()) {
      for (String ns : CohortScenario.ALL) {
        harness.sim.namespace(ns, Map.of("istio.io/rev", Harness.FROM));
        harness.sim.deployment(ns, ns + "-web", 2);
      }
      scenario.awaitTraffic();
      try (Daemon daemon =
          harness.startDaemon(scenario.prometheus.url(), scenario.rules, "cohort-test")) {
        harness
            .sim
            .client()
            .resources(RevisionMigration.class)
            .load(
                new ByteArrayInputStream(
                    CohortScenario.migration(name, soak).getBytes(StandardCharsets.UTF_8)))
            .create();
        CohortScenario.Cluster cluster =
            new CohortScenario.Cluster() {
              @Override
              public Optional<RevisionMigration> migration(String migration) {
                return Optional.ofNullable(
                    harness
                        .sim
                        .client()
                        .resources(RevisionMigration.class)
                        .withName(migration)
                        .get());
              }

              @Override
              public Map<String, String> labels(String namespace) {
                return harness.labels(namespace);
              }
            };
        story.run(scenario, cluster, name);
      }
    }
  }
}

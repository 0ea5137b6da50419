package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;

import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.notify.LogNotifier;
import io.meshgate.sim.PrometheusRelease;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control cohort ({@link CohortScenario}) on the real control plane: Istio's istiod injects the
 * pods the real controllers roll out, the daemon runs as the ServiceAccount of {@code
 * deploy/rbac.yaml} with the real gate on a real Prometheus. A mesh-wide incident mid-migration
 * holds with GlobalDegradation, is never rolled back, and the migration completes after it.
 */
class CohortRealClusterIT {
  private static RealClusterFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aMeshWideIncidentHoldsWithGlobalDegradationAndTheMigrationCompletesAfterIt()
      throws Exception {
    try (CohortScenario scenario = CohortScenario.start(dir, PrometheusRelease.DEBIAN)) {
      for (String ns : CohortScenario.ALL) {
        fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, ns + "-web", 2);
      }
      CohortScenario.ALL.forEach(fixture.mesh::awaitSettled);
      scenario.awaitTraffic();
      DaemonConfig config = RealClusterFixture.config(scenario.prometheus.url(), scenario.rules);
      try (Daemon daemon =
          fixture.startDaemon("cohort", config, new LogNotifier(), UnaryOperator.identity())) {
        fixture.apply(CohortScenario.migration("incident", "40s"));
        scenario.meshWideIncident(
            new CohortScenario.Cluster() {
              @Override
              public Optional<RevisionMigration> migration(String name) {
                return Optional.ofNullable(
                    fixture.admin.resources(RevisionMigration.class).withName(name).get());
              }

              @Override
              public Map<String, String> labels(String namespace) {
                return fixture.mesh.labels(namespace);
              }
            },
            "incident");
      }
    }
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.EvidenceScenario.FROM;
import static io.meshgate.controller.EvidenceScenario.TO;

import io.meshgate.app.Daemon;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.PrometheusRelease;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards issue 22 ("A verdict rests only on evidence") on the real control plane: the real
 * deployment controller rolls the namespace out on fake nodes, Istio's own injector gives its pods
 * their sidecars, and the daemon runs as the ServiceAccount of {@code deploy/rbac.yaml} with the
 * real gate on a real Prometheus holding 30 minutes of the namespace's past (see {@link
 * EvidenceScenario}). The regression on the new revision rolls back on the evidence since the
 * rollout; errors of the old revision do not keep the namespace from being promoted.
 */
class EvidenceWindowRealClusterIT {
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
  void aNamespaceFailingOnlyOnTheNewRevisionRollsBackOnTheEvidenceSinceItsRolloutAndNeverPromotes()
      throws Exception {
    try (EvidenceScenario scenario =
            EvidenceScenario.start(
                dir, "payments", TO, "real control plane", PrometheusRelease.DEBIAN);
        Daemon daemon = migrate(scenario, "regression")) {
      scenario.verifyRolledBack(
          () -> fixture.mesh.labels("payments").get("istio.io/rev"),
          () -> onTargetAt("regression", "payments"));
    } finally {
      delete("regression");
    }
  }

  @Test
  void aNamespaceFailingOnlyOnTheOldRevisionIsPromotedOnceItsCleanWindowsSinceTheRolloutPassed()
      throws Exception {
    try (EvidenceScenario scenario =
            EvidenceScenario.start(
                dir, "orders", FROM, "real control plane", PrometheusRelease.DEBIAN);
        Daemon daemon = migrate(scenario, "mirror")) {
      scenario.verifyPromoted(
          () -> fixture.mesh.labels("orders").get("istio.io/rev"),
          () -> onTargetAt("mirror", "orders"));
    } finally {
      delete("mirror");
    }
  }

  /** The namespace on the old revision, its fault following its pods, the daemon migrating it. */
  private static Daemon migrate(EvidenceScenario scenario, String migration) throws Exception {
    String ns = scenario.namespace;
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, ns + "-web", 2);
    fixture.mesh.awaitSettled(ns);
    scenario.follow(() -> fixture.mesh.census(ns));
    Daemon daemon =
        fixture.startDaemon(
            "evidence-" + migration,
            scenario.daemonConfig(true),
            scenario.notifier(),
            scenario.recorder());
    try {
      fixture.apply(scenario.migration(migration));
      return daemon;
    } catch (RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  /** The next test's daemon has nothing of this one's to tick. */
  private static void delete(String migration) {
    fixture.admin.resources(RevisionMigration.class).withName(migration).delete();
  }

  /** {@code status.namespaces[].onTargetAt} as stored in the API server. */
  private static Instant onTargetAt(String migration, String ns) {
    return fixture.status(migration).namespace(ns).map(TargetStatus::onTargetAt).orElse(null);
  }
}

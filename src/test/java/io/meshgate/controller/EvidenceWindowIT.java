package io.meshgate.controller;

import static io.meshgate.controller.EvidenceScenario.FROM;
import static io.meshgate.controller.EvidenceScenario.TO;

import io.meshgate.app.Daemon;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.sim.PrometheusRelease;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards issue 22 ("A verdict rests only on evidence") end to end on the simulated cluster: a real
 * Prometheus holding 30 minutes of the namespace's past and scraping the mesh simulator, the whole
 * daemon with the shipped rules at their 5m windows and a 10s soak (see {@link EvidenceScenario}).
 * A namespace that fails only once its pods run the new revision is rolled back on the evidence
 * since its rollout, although the 5m window, mostly old-revision traffic, still passed; one that
 * failed only on the old revision is promoted on that evidence, although the 5m window still
 * failed. On Debian's Prometheus 2.42 here, on Prometheus 3 in {@link EvidenceWindowPrometheus3IT}.
 */
class EvidenceWindowIT {
  @TempDir Path dir;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @Test
  void aNamespaceFailingOnlyOnTheNewRevisionRollsBackOnTheEvidenceSinceItsRolloutAndNeverPromotes()
      throws Exception {
    try (Harness harness = new Harness();
        EvidenceScenario scenario =
            EvidenceScenario.start(dir, "payments", TO, "simulated", release());
        Daemon daemon = migrate(harness, scenario, "regression")) {
      scenario.verifyRolledBack(
          () -> harness.labels("payments").get("istio.io/rev"),
          () -> onTargetAt(harness, "regression", "payments"));
    }
  }

  @Test
  void aNamespaceFailingOnlyOnTheOldRevisionIsPromotedOnceItsCleanWindowsSinceTheRolloutPassed()
      throws Exception {
    try (Harness harness = new Harness();
        EvidenceScenario scenario =
            EvidenceScenario.start(dir, "payments", FROM, "simulated", release());
        Daemon daemon = migrate(harness, scenario, "mirror")) {
      scenario.verifyPromoted(
          () -> harness.labels("payments").get("istio.io/rev"),
          () -> onTargetAt(harness, "mirror", "payments"));
    }
  }

  /** The namespace on the old revision, its fault following its pods, the daemon migrating it. */
  private static Daemon migrate(Harness harness, EvidenceScenario scenario, String migration)
      throws Exception {
    harness.sim.namespace(scenario.namespace, Map.of("istio.io/rev", FROM));
    harness.sim.deployment(scenario.namespace, scenario.namespace + "-web", 2);
    harness.sim.namespace("meshgate", Map.of());
    scenario.follow(() -> harness.sim.census(scenario.namespace));
    Daemon daemon =
        Daemon.start(
            scenario.daemonConfig(false),
            harness.sim.client(),
            Clock.systemUTC(),
            scenario.notifier(),
            new Daemon.Options(
                "evidence-window",
                Leadership.Timings.DEFAULT,
                WriteHook.NONE,
                null,
                true,
                scenario.recorder()));
    try {
      harness
          .sim
          .client()
          .resources(RevisionMigration.class)
          .load(
              new ByteArrayInputStream(
                  scenario.migration(migration).getBytes(StandardCharsets.UTF_8)))
          .create();
      return daemon;
    } catch (RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  /** {@code status.namespaces[].onTargetAt} as stored in the simulated API server. */
  private static Instant onTargetAt(Harness harness, String migration, String ns) {
    RevisionMigration rm =
        harness.sim.client().resources(RevisionMigration.class).withName(migration).get();
    return rm.getStatus().namespaces().stream()
        .filter(n -> ns.equals(n.name()) && n.onTargetAt() != null)
        .map(n -> Instant.parse(n.onTargetAt()))
        .findFirst()
        .orElse(null);
  }
}

package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationStatus;
import io.meshgate.notify.LogNotifier;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.ThanosStores;
import io.meshgate.sim.Traffic;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, Thanos Querier with a store down, as a verdict: the whole daemon on the simulated
 * cluster, its gate asking a querier over two shards ({@link ThanosStores#shards}), every shipped
 * rule at 10 s gating payments. The Prometheus of the istiod shard dies while payments soaks, and
 * stays down past the end of its soak and past {@code noDataLimit} ticks: payments holds the whole
 * time, first on query errors (the querier fails the query: {@code partial_response=false}), then,
 * once the sidecar turned not ready and the querier dropped it, on no data for the revision rules
 * (Stalled after {@code noDataLimit} ticks); never Promoted, never rolled back. Once the store is
 * back the migration succeeds.
 */
class ThanosVerdictIT {
  private static final String MIGRATION = "thanos";
  private static final int ISTIOD = 1;
  private static final Duration SOAK = Duration.ofSeconds(15);
  private static final Duration OUTAGE = Duration.ofSeconds(25);

  /** Phases of a namespace held on the new revision: neither promoted nor rolled back. */
  private static final Set<String> HOLDING = Set.of("Soaking", "Verifying", "Stalled");

  @TempDir Path dir;

  @Test
  void aStoreDownHoldsPastTheSoakAndTheMigrationSucceedsOnceItIsBack() throws Exception {
    long started = System.nanoTime();
    MeshSimulator mesh = new MeshSimulator(2802);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision(Harness.FROM, ControlPlane.healthy("1.19.0"))
        .revision(Harness.TO, ControlPlane.healthy("1.20.0"));
    try (ThanosStores stores = ThanosStores.shards(mesh, dir.resolve("stores"));
        Harness harness = new Harness()) {
      harness.sim.namespace("payments", Map.of("istio.io/rev", Harness.FROM));
      harness.sim.deployment("payments", "payments-web", 2);
      harness.sim.namespace("meshgate", Map.of());
      try (Daemon daemon =
          Daemon.start(
              DaemonConfigLoader.load(config(stores), true),
              harness.sim.client(),
              Clock.systemUTC(),
              new LogNotifier(),
              Daemon.Options.production("thanos-verdict", true))) {
        harness
            .sim
            .client()
            .resources(RevisionMigration.class)
            .load(new ByteArrayInputStream(migration().getBytes(StandardCharsets.UTF_8)))
            .create();
        await("payments soaking on the new revision")
            .atMost(Duration.ofSeconds(90))
            .until(() -> payments(harness).map(n -> "Soaking".equals(n.phase())).orElse(false));

        stores.killPrometheus(ISTIOD);
        Set<String> reasons = ConcurrentHashMap.newKeySet();
        await("payments holds while the store is down, past its soak and noDataLimit ticks")
            .during(OUTAGE)
            .atMost(OUTAGE.plusSeconds(15))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> payments(harness).orElseThrow(),
                n -> {
                  if (n.lastVerdict() != null) {
                    reasons.add(n.lastVerdict().reason().split(":", 2)[0]);
                  }
                  return HOLDING.contains(n.phase())
                      && (n.lastVerdict() == null || n.lastVerdict().verdict().equals("HOLD"));
                });
        System.out.println(
            "FIGURE thanos daemon: verdict reasons while the store was down: " + reasons);
        assertThat(reasons)
            .as("the querier failed the queries while the sidecar still answered")
            .anySatisfy(r -> assertThat(r).startsWith("query error in "));
        assertThat(harness.labels("payments")).containsEntry("istio.io/rev", Harness.TO);

        long back = System.nanoTime();
        stores.restartPrometheus(ISTIOD);
        await("the migration succeeds once the store is back")
            .atMost(Duration.ofSeconds(120))
            .until(
                () -> "Succeeded".equals(migrationStatus(harness).map(s -> s.phase()).orElse("")));
        System.out.printf(
            "FIGURE thanos daemon: istiod shard's Prometheus down %d s while soaking -> HOLD"
                + " throughout; Succeeded %.1f s after it was back%n",
            OUTAGE.toSeconds(), (System.nanoTime() - back) / 1e9);
      }
    } finally {
      System.out.printf(
          "FIGURE ThanosVerdictIT wall time %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
  }

  private Path config(ThanosStores stores) throws Exception {
    return Files.writeString(
        dir.resolve("meshgate.yaml"),
        """
        prometheus: {url: %s, timeout: 5s}
        rulesDir: %s
        controlPlaneNamespace: istio-system
        http: {port: %d}
        leaderElection: {enabled: false, namespace: meshgate, leaseName: meshgate-leader}
        gate: {minWindow: 5s, scrapeInterval: 1s}
        """
            .formatted(
                stores.querier.url(),
                CohortScenario.rules(dir),
                LocalProcesses.freeLoopbackPort()));
  }

  /** payments alone, every shipped rule gating it, a tick a second. */
  private static String migration() {
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
          noDataLimit: 5
          baselineWindow: 10s
          restart: {timeout: 2m}
          waves:
            - {name: only, namespaces: [payments], soak: %ds}
        """
        .formatted(MIGRATION, Harness.FROM, Harness.TO, SOAK.toSeconds());
  }

  private static Optional<RevisionMigrationStatus> migrationStatus(Harness harness) {
    RevisionMigration rm =
        harness.sim.client().resources(RevisionMigration.class).withName(MIGRATION).get();
    return Optional.ofNullable(rm == null ? null : rm.getStatus());
  }

  private static Optional<RevisionMigrationStatus.Namespace> payments(Harness harness) {
    return migrationStatus(harness)
        .flatMap(
            s ->
                s.namespaces() == null
                    ? Optional.empty()
                    : s.namespaces().stream().filter(n -> "payments".equals(n.name())).findFirst());
  }
}

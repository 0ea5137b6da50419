package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.Notifier;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ApiCall;
import io.meshgate.sim.ClusterSimulator;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two daemons on one cluster, in real time with Quartz ticks: one acts, and when it goes away the
 * other takes over and finishes the migration.
 */
class LeaderElectionTest {
  private static final String MIGRATION = "istio-1-20";
  private static final String LEASE_NAMESPACE = "meshgate";
  private static final String AGENT_A = "meshgate-a";
  private static final String AGENT_B = "meshgate-b";
  private static final Leadership.Timings SHORT_LEASE =
      new Leadership.Timings(
          Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
  private static final DaemonConfig CONFIG =
      new DaemonConfig(
          // never called: the scripted gate stands in for Prometheus
          PrometheusSettings.of(URI.create("http://prometheus.invalid:9090")),
          DaemonConfig.DEFAULT_RULES_DIR,
          ClusterSimulator.CONTROL_PLANE_NAMESPACE,
          new DaemonConfig.Http(0, null),
          DaemonConfig.Alerts.DEFAULT,
          null,
          new DaemonConfig.LeaderElection(true, LEASE_NAMESPACE, "meshgate-leader"));
  private static final String THREE_WAVES =
      """
      apiVersion: meshgate.io/v1alpha1
      kind: RevisionMigration
      metadata:
        name: %s
      spec:
        fromRevision: "%s"
        toRevision: "%s"
        interval: 1s
        passStreak: 1
        restart: {timeout: 1m}
        gates:
          - {rule: error-rate}
        waves:
          - {name: test, namespaces: [test], soak: 0s}
          - {name: stage, namespaces: [stage], soak: 0s}
          - {name: prod, namespaces: [prod], soak: 0s}
      """
          .formatted(MIGRATION, FROM, TO);

  private Harness harness;
  private KubernetesClient clientA;
  private KubernetesClient clientB;
  private Daemon daemonA;
  private Daemon daemonB;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    harness
        .appNamespace("test", Map.of("istio.io/rev", FROM))
        .appNamespace("stage", Map.of("istio.io/rev", FROM))
        .appNamespace("prod", Map.of("istio.io/rev", FROM));
    harness.sim.namespace(LEASE_NAMESPACE, Map.of());
    clientA = Harness.client(harness.sim, AGENT_A);
    clientB = Harness.client(harness.sim, AGENT_B);
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {daemonA, daemonB, clientA, clientB, harness}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private Daemon start(KubernetesClient client, String identity) {
    return Daemon.start(
        CONFIG,
        client,
        Clock.systemUTC(),
        Notifier.NONE,
        new Daemon.Options(identity, SHORT_LEASE, WriteHook.NONE, harness.gate, true));
  }

  @Test
  void onlyTheLeaderWritesAndTheOtherFinishesTheMigrationWhenTheLeaderStops() {
    daemonA = start(clientA, AGENT_A);
    daemonB = start(clientB, AGENT_B);
    harness
        .sim
        .client()
        .resources(RevisionMigration.class)
        .load(new ByteArrayInputStream(THREE_WAVES.getBytes(StandardCharsets.UTF_8)))
        .create();
    await("one of the daemons leads")
        .atMost(Duration.ofSeconds(10))
        .until(() -> daemonA.isLeader() || daemonB.isLeader());
    boolean aLeads = daemonA.isLeader();
    Daemon leader = aLeads ? daemonA : daemonB;
    Daemon follower = aLeads ? daemonB : daemonA;
    String leaderAgent = aLeads ? AGENT_A : AGENT_B;
    String followerAgent = aLeads ? AGENT_B : AGENT_A;
    await("the leader promotes namespace test while both daemons run")
        .atMost(Duration.ofSeconds(20))
        .until(() -> phase(status(), "test") == TargetPhase.Promoted);
    assertThat(follower.isLeader()).isFalse();

    leader.close();
    int closedAt = harness.sim.apiCalls().size();

    await("the other daemon takes the lease over")
        .atMost(Duration.ofSeconds(5))
        .until(follower::isLeader);
    await("the new leader finishes the migration")
        .atMost(Duration.ofSeconds(30))
        .until(() -> status().phase() == MigrationPhase.Succeeded);
    List<ApiCall> calls = harness.sim.apiCalls();
    List<ApiCall> whileBothRan = calls.subList(0, closedAt);
    List<ApiCall> afterClose = calls.subList(closedAt, calls.size());
    assertThat(actingWrites(whileBothRan, followerAgent))
        .as("writes of the follower %s while %s led", followerAgent, leaderAgent)
        .isEmpty();
    assertThat(actingWrites(whileBothRan, leaderAgent)).isNotEmpty();
    assertThat(afterClose)
        .as("requests of %s after it was closed", leaderAgent)
        .noneMatch(call -> leaderAgent.equals(call.userAgent()));
    assertThat(actingWrites(afterClose, followerAgent)).isNotEmpty();
    assertThat(status().promoted()).isEqualTo("3/3");
    for (String ns : List.of("test", "stage", "prod")) {
      assertThat(harness.labels(ns)).containsEntry("istio.io/rev", TO);
    }
  }

  /** Writes that act on the cluster or record progress: everything but the lease. */
  private static List<ApiCall> actingWrites(List<ApiCall> calls, String userAgent) {
    return calls.stream()
        .filter(ApiCall::isWrite)
        .filter(call -> userAgent.equals(call.userAgent()))
        .filter(call -> !call.resourcePath().contains("/leases"))
        .toList();
  }

  private MigrationStatus status() {
    RevisionMigration rm =
        harness.sim.client().resources(RevisionMigration.class).withName(MIGRATION).get();
    return RevisionMigrations.toStatus(rm.getStatus());
  }

  private static TargetPhase phase(MigrationStatus status, String ns) {
    return status.namespace(ns).map(TargetStatus::phase).orElse(TargetPhase.Pending);
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.meshgate.app.Daemon;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.Census;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Workload shapes as the real controllers make them: OnDelete StatefulSets and DaemonSets replaced
 * through the real Eviction API with a real PodDisruptionBudget refusing, a partition, a paused
 * Deployment, a bare pod and a Job; the daemon as the ServiceAccount of deploy/rbac.yaml.
 */
class WorkloadShapesRealClusterIT {
  private static final String SPEC = "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\n";
  private static final Duration LONG = Duration.ofSeconds(120);

  private static RealClusterFixture fixture;
  private static Daemon daemon;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    daemon = fixture.startDaemon("meshgate-0", new ScriptedGate());
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static TargetStatus awaitNamespace(
      String migration, String ns, String what, java.util.function.Predicate<TargetStatus> ok) {
    return await(what)
        .atMost(LONG)
        .until(
            () -> fixture.status(migration).namespace(ns).orElse(null),
            n -> n != null && ok.test(n));
  }

  private static boolean heldFor(TargetStatus n, String reason) {
    return n.phase() == TargetPhase.Held
        && n.lastVerdict() != null
        && n.lastVerdict().reason().startsWith(reason + ": ");
  }

  /** 20 s on, past the 15 s restart.timeout: held still, not rolled back. */
  private static void stillHeldPastTheTimeout(String ns) {
    await("past restart.timeout, still held, not rolled back")
        .pollDelay(Duration.ofSeconds(20))
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(fixture.status(ns).namespace(ns).orElseThrow().phase())
                    .isEqualTo(TargetPhase.Held));
  }

  /** A migration of namespace {@code ns} alone, named after it, with this restart.timeout. */
  private static void migrate(String ns, String restartTimeout) {
    fixture.apply(
        migration(
            ns,
            SPEC + "restart: {timeout: " + restartTimeout + "}",
            "- {name: all, namespaces: [" + ns + "]}"));
  }

  private static MigrationStatus awaitEnd(String migration) {
    return await(migration + " ends")
        .atMost(LONG)
        .until(() -> fixture.status(migration), s -> s.phase() != null && s.phase().isTerminal());
  }

  private static Set<String> uids(String ns, String app) {
    return fixture.mesh.pods(ns).stream()
        .filter(p -> app.equals(p.getMetadata().getLabels().get("app")))
        .map(p -> p.getMetadata().getUid())
        .collect(Collectors.toSet());
  }

  @Test
  void onDeleteWorkloadsAreEvictedPodByPodAndABudgetThatRefusesHoldsPastTheTimeout() {
    String ns = "ondelete";
    fixture
        .mesh
        .namespace(ns, Map.of("istio.io/rev", FROM))
        .statefulSet(ns, "db", 3)
        .daemonSet(ns, "agent");
    fixture.mesh.onDelete(ns, "statefulsets", "db").onDelete(ns, "daemonsets", "agent");
    fixture.mesh.podDisruptionBudget(ns, "db", 3);
    fixture.mesh.awaitSettled(ns);
    Set<String> dbBefore = uids(ns, "db");
    Set<String> agentBefore = uids(ns, "agent");

    migrate(ns, "15s");

    TargetStatus held =
        awaitNamespace(ns, ns, "the budget refuses", n -> heldFor(n, "DisruptionBudget"));
    assertThat(held.lastVerdict().reason())
        .contains("Cannot evict pod as it would violate the pod's disruption budget")
        .contains("The disruption budget db needs 3 healthy pods");
    stillHeldPastTheTimeout(ns);
    assertThat(uids(ns, "db")).as("no db pod went: the budget said no").isEqualTo(dbBefore);

    fixture.mesh.podDisruptionBudget(ns, "db", 2);
    MigrationStatus end = awaitEnd(ns);

    assertThat(end.phase()).isEqualTo(MigrationPhase.Succeeded);
    fixture.mesh.awaitSettled(ns);
    assertThat(fixture.mesh.census(ns))
        .isEqualTo(new Census(Map.of(TO, dbBefore.size() + agentBefore.size()), 0));
    assertThat(uids(ns, "db")).doesNotContainAnyElementsOf(dbBefore);
    assertThat(uids(ns, "agent")).doesNotContainAnyElementsOf(agentBefore);
    assertThat(
            fixture
                .mesh
                .admin()
                .apps()
                .statefulSets()
                .inNamespace(ns)
                .withName("db")
                .get()
                .getSpec()
                .getUpdateStrategy()
                .getType())
        .isEqualTo("OnDelete");
  }

  @Test
  void aPartitionedStatefulSetHoldsNamingItAndKeepsItsPartition() {
    String ns = "partitioned";
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).statefulSet(ns, "db", 3);
    fixture.mesh.partition(ns, "db", 2);
    fixture.mesh.awaitSettled(ns);

    migrate(ns, "60s");

    TargetStatus held =
        awaitNamespace(ns, ns, "the partition holds", n -> heldFor(n, "PartitionedStatefulSet"));
    assertThat(held.lastVerdict().reason())
        .isEqualTo(
            "PartitionedStatefulSet: StatefulSet db holds pods db-0, db-1 back"
                + " (rollingUpdate.partition 2): lower the partition, or set"
                + " restart.partitioned: Evict");
    fixture.mesh.awaitSettled(ns);
    assertThat(fixture.mesh.census(ns)).isEqualTo(new Census(Map.of(FROM, 2, TO, 1), 0));
    assertThat(
            fixture
                .mesh
                .admin()
                .apps()
                .statefulSets()
                .inNamespace(ns)
                .withName("db")
                .get()
                .getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .getPartition())
        .isEqualTo(2);
  }

  @Test
  void aPausedDeploymentHoldsUntilItIsResumed() {
    String ns = "paused";
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, "web", 2);
    fixture.mesh.awaitSettled(ns);
    fixture.mesh.paused(ns, "web", true);

    migrate(ns, "15s");

    TargetStatus held =
        awaitNamespace(ns, ns, "the pause holds", n -> heldFor(n, "WorkloadPaused"));
    assertThat(held.lastVerdict().reason())
        .startsWith("WorkloadPaused: Deployment web is paused (spec.paused)");
    stillHeldPastTheTimeout(ns);

    fixture.mesh.paused(ns, "web", false);

    assertThat(awaitEnd(ns).phase()).isEqualTo(MigrationPhase.Succeeded);
    fixture.mesh.awaitSettled(ns);
    assertThat(fixture.mesh.census(ns)).isEqualTo(new Census(Map.of(TO, 2), 0));
  }

  @Test
  void aBarePodHoldsAsUnmanagedAfterTheTimeoutWhileAJobsPodIsNotWaitedFor() {
    String ns = "odd";
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, "web", 1);
    fixture.mesh.barePod(ns, "debug").job(ns, "nightly");
    await("the bare pod and the job's pod run with the old sidecar")
        .atMost(LONG)
        .until(() -> fixture.mesh.census(ns).byRevision().getOrDefault(FROM, 0) == 3);

    migrate(ns, "10s");

    TargetStatus held =
        awaitNamespace(ns, ns, "the bare pod holds", n -> heldFor(n, "UnmanagedPods"));
    assertThat(held.lastVerdict().reason())
        .isEqualTo(
            "UnmanagedPods: 1 pod that no workload of restart.kinds owns did not move: debug"
                + " after 10s (restart.timeout); delete or recreate them, or set"
                + " restart.evictUnmanaged: true");
    assertThat(held.proxies()).isEqualTo(new TargetStatus.Proxies(1, 1, 1));

    fixture.mesh.admin().pods().inNamespace(ns).withName("debug").delete();

    assertThat(awaitEnd(ns).phase()).isEqualTo(MigrationPhase.Succeeded);
    List<Pod> jobPods =
        fixture.mesh.pods(ns).stream()
            .filter(p -> p.getMetadata().getLabels().containsKey("job-name"))
            .toList();
    assertThat(jobPods).as("the job's pod left alone").hasSize(1);
  }
}

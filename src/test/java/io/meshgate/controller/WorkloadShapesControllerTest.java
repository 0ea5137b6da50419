package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static io.meshgate.controller.Harness.finished;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.ApiCall;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every workload shape a mesh runs, migrated by the controller on the simulated cluster: what their
 * controllers replace, what meshgate evicts itself, and what holds saying why.
 */
class WorkloadShapesControllerTest {
  private static final String NS = "shop";
  private static final String ONE_WAVE = "- {name: shop, namespaces: [shop], soak: 1m}";
  private static final ResourceDefinitionContext ROLLOUTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("argoproj.io")
          .withVersion("v1alpha1")
          .withKind("Rollout")
          .withPlural("rollouts")
          .withNamespaced(true)
          .build();

  private Harness harness;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    harness.sim.namespace(NS, Map.of("istio.io/rev", FROM));
    harness.sim.deployment(NS, "web", 2);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private MigrationStatus migrate(String restart) {
    harness.controller();
    harness.apply(migration("shapes", restart, ONE_WAVE));
    return harness.status("shapes");
  }

  private MigrationStatus tickUntil(Predicate<TargetStatus> done, int ticks) {
    return harness.tickUntil("shapes", s -> s.namespace(NS).map(done::test).orElse(false), ticks);
  }

  private static Predicate<TargetStatus> phase(TargetPhase phase) {
    return n -> n.phase() == phase;
  }

  private static Predicate<TargetStatus> heldFor(String reason) {
    return n -> n.lastVerdict() != null && n.lastVerdict().reason().startsWith(reason + ": ");
  }

  private TargetStatus shop() {
    return harness.status("shapes").namespace(NS).orElseThrow();
  }

  private List<String> evictions() {
    return harness.sim.apiCalls().stream()
        .filter(c -> c.method().equals("POST") && c.resourcePath().endsWith("/eviction"))
        .map(ApiCall::resourcePath)
        .map(p -> p.replaceAll(".*/pods/([^/]+)/eviction", "$1"))
        .toList();
  }

  @Test
  void onDeleteStatefulSetsAndDaemonSetsAreReplacedPodByPodThroughTheEvictionApi() {
    harness.sim.statefulSet(NS, "db", 3).onDelete(NS, "db");
    harness.sim.daemonSet(NS, "agent", 2).onDelete(NS, "agent");
    migrate("restart: {timeout: 3m, maxConcurrent: 5}");
    harness.sim.clearApiCalls();

    Map<String, Integer> perTickMax = new HashMap<>();
    int seen = 0;
    for (int tick = 0; tick < 40 && !finished().test(harness.status("shapes")); tick++) {
      harness.tick("shapes");
      List<String> now = evictions();
      Map<String, Integer> thisTick = new HashMap<>();
      now.subList(seen, now.size())
          .forEach(pod -> thisTick.merge(pod.replaceAll("-[^-]+$", ""), 1, Integer::sum));
      thisTick.forEach((workload, n) -> perTickMax.merge(workload, n, Math::max));
      seen = now.size();
    }

    MigrationStatus status = harness.status("shapes");
    assertThat(status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(harness.sim.census(NS).byRevision()).containsOnlyKeys(TO);
    assertThat(harness.sim.evictions().evicted()).as("3 db pods and 2 agent pods").isEqualTo(5);
    assertThat(perTickMax).as("one pod per workload at a time").containsOnlyKeys("db", "agent");
    assertThat(perTickMax.values()).containsOnly(1);
  }

  @Test
  void theNextPodIsEvictedOnlyOnceTheReplacementIsReady() {
    harness.sim.statefulSet(NS, "db", 3).onDelete(NS, "db");
    harness.sim.podNeverReady(NS, "db");
    migrate("restart: {timeout: 3m}");

    MigrationStatus status = tickUntil(phase(TargetPhase.RollingBack), 40);

    assertThat(evictions())
        .as("the first replacement never became ready: no second pod was evicted")
        .containsExactly("db-2");
    assertThat(status.namespace(NS).orElseThrow().lastVerdict().reason())
        .contains("rollout not complete after 3m");
  }

  @Test
  void aDisruptionBudgetRefusalHoldsWithItsReasonAndIsWaitedOutPastTheTimeout() {
    harness.sim.statefulSet(NS, "db", 2).onDelete(NS, "db");
    harness.sim.podDisruptionBudget(NS, "db", Map.of("app", "db"), 0);
    migrate("restart: {timeout: 2m}");

    tickUntil(heldFor("DisruptionBudget"), 20);
    for (int i = 0; i < 8; i++) {
      harness.tick("shapes");
    }

    TargetStatus held = shop();
    assertThat(held.phase())
        .as("4 minutes on, past restart.timeout: held, not rolled back")
        .isEqualTo(TargetPhase.Held);
    assertThat(held.lastVerdict().verdict()).isEqualTo(Verdict.HOLD);
    assertThat(held.lastVerdict().reason())
        .startsWith("DisruptionBudget: eviction of pod db-1 refused: Cannot evict pod")
        .contains("disruption budget db");
    assertThat(harness.sim.evictions().refused()).as("retried each tick").isGreaterThan(5);

    harness.sim.podDisruptionBudget(NS, "db", Map.of("app", "db"), 1);
    MigrationStatus done = harness.tickUntil("shapes", finished(), 30);

    assertThat(done.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(harness.sim.census(NS).byRevision()).containsOnlyKeys(TO);
  }

  @Test
  void aPartitionedStatefulSetHoldsNamingTheWorkloadAndItsPartitionIsLeftAlone() {
    harness.sim.statefulSet(NS, "db", 3).partition(NS, "db", 2);
    migrate("restart: {timeout: 3m}");

    tickUntil(heldFor("PartitionedStatefulSet"), 20);

    TargetStatus held = shop();
    assertThat(held.phase()).isEqualTo(TargetPhase.Held);
    assertThat(held.lastVerdict().reason())
        .isEqualTo(
            "PartitionedStatefulSet: StatefulSet db holds pods db-0, db-1 back"
                + " (rollingUpdate.partition 2): lower the partition, or set"
                + " restart.partitioned: Evict");
    assertThat(harness.sim.census(NS).byRevision()).containsEntry(FROM, 2).containsEntry(TO, 3);
    assertThat(
            harness
                .sim
                .client()
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName("db")
                .get()
                .getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .getPartition())
        .isEqualTo(2);
  }

  @Test
  void partitionedEvictReplacesThePodsBelowThePartition() {
    harness.sim.statefulSet(NS, "db", 3).partition(NS, "db", 2);
    migrate("restart: {timeout: 3m, partitioned: Evict}");

    MigrationStatus done = harness.tickUntil("shapes", finished(), 40);

    assertThat(done.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(harness.sim.census(NS).byRevision()).containsOnlyKeys(TO);
    assertThat(evictions()).containsExactlyInAnyOrder("db-0", "db-1");
  }

  @Test
  void aPausedDeploymentHoldsNamingItUntilResumed() {
    harness.sim.paused(NS, "web", true);
    migrate("restart: {timeout: 2m}");

    tickUntil(heldFor("WorkloadPaused"), 10);
    for (int i = 0; i < 8; i++) {
      harness.tick("shapes");
    }

    TargetStatus held = shop();
    assertThat(held.phase()).as("no silent timeout").isEqualTo(TargetPhase.Held);
    assertThat(held.lastVerdict().reason())
        .startsWith("WorkloadPaused: Deployment web is paused (spec.paused)");

    harness.sim.paused(NS, "web", false);
    MigrationStatus done = harness.tickUntil("shapes", finished(), 30);

    assertThat(done.phase()).as("%s", done).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void anArgoRolloutIsRestartedThroughItsRestartAtWhenItsKindIsListed() {
    harness.sim.rollout(NS, "checkout", 2);
    migrate("restart: {timeout: 3m, kinds: [Deployment, Rollout]}");

    MigrationStatus done = harness.tickUntil("shapes", finished(), 40);

    assertThat(done.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(harness.sim.census(NS).byRevision()).containsOnlyKeys(TO);
    GenericKubernetesResource rollout =
        harness
            .sim
            .client()
            .genericKubernetesResources(ROLLOUTS)
            .inNamespace(NS)
            .withName("checkout")
            .get();
    assertThat((String) rollout.get("spec", "restartAt")).isNotNull();
    assertThat(rollout.getMetadata().getAnnotations())
        .containsEntry("meshgate.io/restart-id", "shapes/shop/1");
    assertThat(
            (Object)
                rollout.get(
                    "spec", "template", "metadata", "annotations", "meshgate.io/restart-id"))
        .as("not on the template: a template change starts a canary")
        .isNull();
  }

  @Test
  void podsNoListedKindOwnsHoldAsUnmanagedAfterTheTimeoutNamingThem() {
    harness.sim.rollout(NS, "checkout", 2);
    harness.sim.barePod(NS, "debug");
    migrate("restart: {timeout: 2m}");

    MigrationStatus status = tickUntil(heldFor("UnmanagedPods"), 20);

    TargetStatus held = status.namespace(NS).orElseThrow();
    assertThat(held.phase()).isEqualTo(TargetPhase.Held);
    assertThat(held.lastVerdict().reason())
        .startsWith("UnmanagedPods: 3 pods that no workload of restart.kinds owns did not move:")
        .contains("checkout-", "debug", "after 2m (restart.timeout)");
    assertThat(harness.labels(NS)).containsEntry("istio.io/rev", TO);
  }

  @Test
  void evictUnmanagedEvictsBarePodsInstead() {
    harness.sim.barePod(NS, "debug");
    migrate("restart: {timeout: 2m, evictUnmanaged: true}");

    MigrationStatus done = harness.tickUntil("shapes", finished(), 30);

    assertThat(done.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(evictions()).containsExactly("debug");
  }

  @Test
  void podsOfJobsAreNotWaitedForAndAreCountedApart() {
    harness.sim.jobPod(NS, "nightly-29001", "nightly-29001-abcde");
    migrate("restart: {timeout: 2m}");

    MigrationStatus done = harness.tickUntil("shapes", finished(), 30);

    assertThat(done.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(done.namespace(NS).orElseThrow().proxies())
        .isEqualTo(new TargetStatus.Proxies(2, 0, 1));
    assertThat(evictions()).isEmpty();
  }

  @Test
  void aRollbackReplacesOnDeletePodsBackOntoTheOldRevision() {
    harness.sim.statefulSet(NS, "db", 2).onDelete(NS, "db");
    harness.gate.failing.add(NS);
    migrate("restart: {timeout: 3m}");

    MigrationStatus status = tickUntil(phase(TargetPhase.RolledBack), 60);

    assertThat(status.namespace(NS).orElseThrow().phase()).isEqualTo(TargetPhase.RolledBack);
    assertThat(harness.sim.census(NS).byRevision()).containsOnlyKeys(FROM);
    assertThat(harness.sim.evictions().evicted()).as("forward and back").isEqualTo(4);
  }
}

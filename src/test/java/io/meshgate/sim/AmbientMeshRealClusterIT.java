package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fake kubelet honours cordons as a scheduler does, and the ambient world a ztunnel upgrade
 * works on behaves as in a cluster: an {@code OnDelete} DaemonSet keeps its pods on the old
 * template until one is deleted, and the real disruption controller makes the Eviction API let pods
 * of a budget go one at a time.
 */
class AmbientMeshRealClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static RealCluster cluster;
  private static FakeKubelet kubelet;
  private static AmbientMesh ambient;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() {
    cluster = RealCluster.start();
    admin = cluster.admin();
    kubelet = FakeKubelet.start(admin, 3);
    ambient = new AmbientMesh(admin, kubelet).labelNodes(Map.of("pool", "general"));
    ambient.ztunnel("OnDelete").readinessDelay(Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() {
    if (ambient != null) {
      ambient.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Set<String> nodesOf(String namespace, String app) {
    return pods(namespace, app).stream()
        .map(p -> p.getSpec().getNodeName())
        .collect(Collectors.toSet());
  }

  private static List<Pod> pods(String namespace, String app) {
    return ambient.livePods(namespace).stream()
        .filter(p -> app.equals(p.getMetadata().getLabels().get("app")))
        .toList();
  }

  @Test
  void aCordonedNodeGetsNoNewPodButItsDaemonSetPodAndAnUncordonTakesThePending() {
    String cordoned = kubelet.nodes().get(0);
    ambient.namespace("cordons", Map.of());
    ambient.cordon(cordoned, true);
    try {
      ambient.deployment("cordons", "web", 4, Map.of()).daemonSet("cordons", "agent");
      ambient.awaitAvailable("cordons");
      await().atMost(WAIT).until(() -> nodesOf("cordons", "agent").size() == 3);

      assertThat(nodesOf("cordons", "web")).doesNotContain(cordoned).hasSize(2);
      assertThat(nodesOf("cordons", "agent"))
          .as("DaemonSet pods tolerate cordons")
          .contains(cordoned);

      kubelet.nodes().forEach(n -> ambient.cordon(n, true));
      admin.apps().deployments().inNamespace("cordons").withName("web").scale(5);
      await("a fifth pod, Pending with every node cordoned")
          .atMost(WAIT)
          .until(() -> pods("cordons", "web").size() == 5);
      assertThat(pods("cordons", "web"))
          .filteredOn(p -> p.getSpec().getNodeName() == null)
          .hasSize(1);

      ambient.cordon(cordoned, false);
      await("the Pending pod bound once a node is uncordoned")
          .atMost(WAIT)
          .until(() -> nodesOf("cordons", "web").contains(cordoned));
      ambient.awaitAvailable("cordons");
    } finally {
      kubelet.nodes().forEach(n -> ambient.cordon(n, false));
    }
  }

  @Test
  void theNodeTimelineReplaysCordonsInTheOrderTheyWereMade() {
    List<String> nodes = kubelet.nodes();
    try (NodeTimeline timeline = NodeTimeline.watch(admin)) {
      int mark = timeline.mark();
      ambient.cordon(nodes.get(2), true);
      ambient.cordon(nodes.get(0), true);
      ambient.cordon(nodes.get(2), false);
      ambient.cordon(nodes.get(1), true);
      ambient.cordon(nodes.get(0), false);
      await("five changes").atMost(WAIT).until(() -> timeline.since(mark).size() == 5);

      assertThat(timeline.cordonOrder(mark))
          .containsExactly(nodes.get(2), nodes.get(0), nodes.get(1));
      assertThat(timeline.mostCordonedAtOnce(mark, Set.of())).isEqualTo(2);
      assertThat(timeline.mostCordonedAtOnce(mark, Set.of(nodes.get(0)))).isEqualTo(1);
      assertThat(timeline.cordoned()).containsExactly(nodes.get(1));
      assertThat(timeline.changedSince(mark, nodes.get(1))).isTrue();
    } finally {
      nodes.forEach(n -> ambient.cordon(n, false));
    }
  }

  @Test
  void anOnDeleteZtunnelMovesANodeOnlyWhenItsPodIsDeleted() {
    String old = ambient.ztunnelHash();
    assertThat(ambient.ztunnelHashByNode()).hasSize(3).containsOnlyKeys(kubelet.nodes());
    assertThat(ambient.ztunnelHashByNode().values()).containsOnly(old);

    ambient.upgradeZtunnel("1.20.0");
    String updated = ambient.ztunnelHash();

    assertThat(updated).isNotEqualTo(old);
    assertThat(ambient.ztunnelHashByNode().values())
        .as("OnDelete: nothing moved")
        .containsOnly(old);
    String node = kubelet.nodes().get(1);
    Pod onNode =
        ambient.ztunnelPods().stream()
            .filter(p -> node.equals(p.getSpec().getNodeName()))
            .findFirst()
            .orElseThrow();
    admin.resource(onNode).delete();
    await("the node's new ztunnel on the new template")
        .atMost(WAIT)
        .until(() -> updated.equals(ambient.ztunnelHashByNode().get(node)));
    ambient.awaitZtunnelOnEveryNode();
    assertThat(ambient.ztunnelHashByNode())
        .containsEntry(node, updated)
        .containsEntry(kubelet.nodes().get(0), old)
        .containsEntry(kubelet.nodes().get(2), old);
  }

  @Test
  void theDisruptionControllerLetsTheEvictionApiTakePodsOfABudgetOneAtATime() {
    ambient.ambientNamespace("budget").deployment("budget", "web", 3, Map.of());
    ambient.podDisruptionBudget("budget", "web", 2);
    ambient.awaitAvailable("budget");
    ambient.awaitBudget("budget", "web", 1);
    List<Pod> web = pods("budget", "web");
    try (ReadyFloor floor = ReadyFloor.watch(admin, "budget", "web")) {
      floor.reset();

      // the client retries a 429 as the server's Retry-After asks: the second returns once the
      // first one's replacement is Ready
      assertThat(evict(web.get(0))).isTrue();
      assertThat(evict(web.get(1))).isTrue();

      assertThat(floor.floor()).as("Ready pods of budget/web at any time").isEqualTo(2);
    }
    List<AuditLog.Request> evictions =
        cluster.audit().requests(r -> "eviction".equals(r.subresource()));
    assertThat(evictions.get(0).code()).isEqualTo(201);
    assertThat(evictions.get(1).code())
        .as("the second, while the first is replaced")
        .isEqualTo(429);
    assertThat(evictions.get(evictions.size() - 1).code()).isEqualTo(201);
    assertThat(evictions.stream().filter(r -> r.code() == 201)).hasSize(2);
  }

  /** Evicts the pod through the Eviction API: false when a budget refuses (429). */
  private static boolean evict(Pod pod) {
    return admin
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .evict();
  }
}

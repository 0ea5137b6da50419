package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test mesh on a real API server behaves as a cluster with Istio does: the real controllers
 * roll workloads out on the fake nodes, and the API server calls Istio's injector for exactly the
 * namespaces and pods Istio's webhook selectors pick.
 */
class RealMeshRealClusterIT {
  private static RealMesh mesh;

  @BeforeAll
  static void start() {
    mesh = RealMesh.start(3);
    mesh.istiod("1-19-0").istiod("1-20-0");
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void controllersRollOutEveryKindOnTheFakeNodes() {
    mesh.appNamespace("kinds", Map.of("istio.io/rev", "1-19-0"));
    mesh.awaitSettled("kinds");

    assertThat(mesh.pods("kinds")).hasSize(2 + 1 + 3);
    assertThat(mesh.pods("kinds"))
        .allSatisfy(p -> assertThat(mesh.kubelet.nodes()).contains(p.getSpec().getNodeName()));
    assertThat(
            mesh.pods("kinds").stream()
                .filter(p -> p.getMetadata().getName().startsWith("kinds-agent-"))
                .map(p -> p.getSpec().getNodeName())
                .distinct())
        .hasSize(3);
  }

  @Test
  void injectsTheRevisionTheNamespaceLabelSelects() {
    mesh.namespace("old", Map.of("istio.io/rev", "1-19-0")).deployment("old", "web", 2);
    mesh.namespace("new", Map.of("istio.io/rev", "1-20-0")).deployment("new", "web", 1);
    mesh.namespace("legacy", Map.of("istio-injection", "disabled", "istio.io/rev", "1-20-0"))
        .deployment("legacy", "web", 1);
    mesh.namespace("plain", Map.of()).deployment("plain", "web", 1);
    for (String ns : new String[] {"old", "new", "legacy", "plain"}) {
      mesh.awaitSettled(ns);
    }

    assertThat(mesh.census("old")).isEqualTo(new Census(Map.of("1-19-0", 2), 0));
    assertThat(mesh.census("new")).isEqualTo(new Census(Map.of("1-20-0", 1), 0));
    // any istio-injection value wins over istio.io/rev, as in Istio's selectors
    assertThat(mesh.census("legacy")).isEqualTo(new Census(Map.of(), 1));
    assertThat(mesh.census("plain")).isEqualTo(new Census(Map.of(), 1));
    Pod injected = mesh.pods("old").get(0);
    // Istio injects the proxy as a native sidecar: an init container that keeps running
    assertThat(injected.getSpec().getContainers()).extracting("name").containsExactly("app");
    assertThat(injected.getSpec().getInitContainers())
        .extracting("name")
        .containsExactly("istio-init", "istio-proxy");
  }

  @Test
  void aRolloutRestartAfterALabelFlipMovesEveryPodToTheNewRevision() {
    mesh.appNamespace("flip", Map.of("istio.io/rev", "1-19-0"));
    mesh.awaitSettled("flip");

    mesh.namespace("flip", Map.of("istio.io/rev", "1-20-0"));
    mesh.admin().apps().deployments().inNamespace("flip").withName("flip-web").rolling().restart();
    mesh.admin().apps().statefulSets().inNamespace("flip").withName("flip-db").rolling().restart();
    mesh.admin()
        .apps()
        .daemonSets()
        .inNamespace("flip")
        .withName("flip-agent")
        .edit(
            d -> {
              d.getSpec()
                  .getTemplate()
                  .getMetadata()
                  .getAnnotations()
                  .put("kubectl.kubernetes.io/restartedAt", "2026-11-30T00:00:00Z");
              return d;
            });

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(mesh.settled("flip")).isTrue();
              assertThat(mesh.census("flip")).isEqualTo(new Census(Map.of("1-20-0", 6), 0));
            });
  }

  @Test
  void aPodKeptUnreadyHoldsItsRollout() {
    mesh.kubelet.keepUnready("stuck", p -> p.getMetadata().getNamespace().equals("unready"));
    mesh.namespace("unready", Map.of()).deployment("unready", "web", 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                mesh.pods("unready").stream()
                    .anyMatch(p -> p.getStatus().getPhase().equals("Running")));
    assertThat(mesh.settled("unready")).isFalse();

    mesh.kubelet.release("stuck");
    mesh.awaitSettled("unready");
  }
}

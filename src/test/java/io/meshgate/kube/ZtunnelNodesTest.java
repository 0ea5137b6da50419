package io.meshgate.kube;

import static io.meshgate.kube.ZtunnelFixtures.node;
import static io.meshgate.kube.ZtunnelFixtures.nodeStatus;
import static io.meshgate.kube.ZtunnelFixtures.pod;
import static io.meshgate.kube.ZtunnelFixtures.revision;
import static io.meshgate.kube.ZtunnelFixtures.spec;
import static io.meshgate.kube.ZtunnelFixtures.ztunnelPod;
import static io.meshgate.kube.ZtunnelFixtures.ztunnelWave;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshgate.migration.Ambient;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, {@link ZtunnelNodes}: the ambient pods a drain evicts (Istio's rule, kubectl drain's
 * exclusions), the budgets in their way, the DaemonSet's template hashes, the ztunnel pod of each
 * node, and a missing grant said, not thrown.
 */
@EnableKubernetesMockClient(crud = true)
class ZtunnelNodesTest {
  private static final String MIGRATION = "istio-1-24";
  private static final Map<String, String> AMBIENT_POOL = Map.of("pool", "ambient");
  private static final Map<String, Map<String, String>> NAMESPACE_LABELS =
      Map.of(
          "shop", Map.of(ZtunnelNodes.DATAPLANE_MODE, "ambient"),
          "plain", Map.of(),
          "istio-system", Map.of());

  KubernetesMockServer server;
  KubernetesClient client;
  private ZtunnelNodes nodes;

  @BeforeEach
  void ambientCluster() {
    nodes = new ZtunnelNodes(client, ns -> NAMESPACE_LABELS.getOrDefault(ns, Map.of()));
    String dsUid =
        client.resource(ZtunnelFixtures.daemonSet("OnDelete")).create().getMetadata().getUid();
    client.resource(revision("old111", 1, dsUid, "istio/ztunnel:1.23.0")).create();
    client.resource(revision("new222", 2, dsUid, "istio/ztunnel:1.24.0")).create();
    // another owner's history under the same labels is not the DaemonSet's
    client.resource(revision("foreign", 9, "uid-someone-else", "x")).create();
    client.resource(node("worker-1", AMBIENT_POOL, false, null)).create();
    client.resource(node("worker-2", AMBIENT_POOL, true, MIGRATION)).create();
    client.resource(node("edge-1", Map.of("pool", "edge"), false, null)).create();
    client.resource(ztunnelPod(dsUid, "ztunnel-a", "worker-1", "old111", true)).create();
    client.resource(ztunnelPod(dsUid, "ztunnel-b", "worker-2", "new222", false)).create();
    client.resource(budget("shop", "web-strict", "web", 0)).create();
    client.resource(budget("shop", "web-relaxed", "web", 1)).create();
    client.resource(budget("shop", "db-strict", "db", 0)).create();
    client
        .resource(
            new PodDisruptionBudgetBuilder(budget("plain", "api-strict", "api", 0))
                .editSpec()
                .withSelector(
                    new LabelSelectorBuilder()
                        .addNewMatchExpression()
                        .withKey("app")
                        .withOperator("In")
                        .withValues("api")
                        .endMatchExpression()
                        .build())
                .endSpec()
                .build())
        .create();
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?fieldSelector=spec.nodeName%3Dworker-2")
        .andReturn(
            200,
            new PodListBuilder()
                .addToItems(
                    pod("shop", "web-1", "worker-2")
                        .editMetadata()
                        .addToLabels("app", "web")
                        .endMetadata()
                        .build(),
                    pod("shop", "opted-out", "worker-2")
                        .editMetadata()
                        .addToLabels(ZtunnelNodes.DATAPLANE_MODE, "none")
                        .endMetadata()
                        .build(),
                    pod("plain", "api-1", "worker-2")
                        .editMetadata()
                        .addToLabels(ZtunnelNodes.DATAPLANE_MODE, "ambient")
                        .addToLabels("app", "api")
                        .endMetadata()
                        .build(),
                    pod("plain", "batch", "worker-2").build(),
                    pod("shop", "log-agent", "worker-2")
                        .editMetadata()
                        .addNewOwnerReference()
                        .withKind("DaemonSet")
                        .withName("log-agent")
                        .withUid("uid-log-agent")
                        .endOwnerReference()
                        .endMetadata()
                        .build(),
                    pod("shop", "static-web", "worker-2")
                        .editMetadata()
                        .addToAnnotations(ZtunnelNodes.MIRROR, "abc")
                        .endMetadata()
                        .build(),
                    pod("shop", "leaving", "worker-2")
                        .editMetadata()
                        .withDeletionTimestamp("2026-12-07T10:00:00Z")
                        .endMetadata()
                        .build(),
                    ztunnelPod(dsUid, "ztunnel-b", "worker-2", "new222", false))
                .build())
        .always();
  }

  @Test
  void aNodeInFlightListsItsAmbientPodsAndTheBudgetsThatRefuseThem() {
    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", AMBIENT_POOL))), status());

    assertThat(ambient.unreadable()).isNull();
    assertThat(ambient.selectedNodes())
        .containsExactly(Map.entry("nodes", List.of("worker-1", "worker-2")));
    assertThat(ambient.node("worker-2"))
        .isEqualTo(
            new Ambient.Node(
                true,
                true,
                MIGRATION,
                // the namespace's label, the pod's own; not opted out, DaemonSet, mirror or
                // terminating pods, nor plain pods of a plain namespace
                List.of("plain/api-1", "shop/web-1"),
                List.of("plain/api-strict", "shop/web-strict"),
                new Ambient.ZtunnelPod("ztunnel-b", "new222", false, false),
                // the terminating one still goes through ztunnel: counted, to be waited for
                1,
                null));
  }

  @Test
  void aNodeNotInFlightHasItsZtunnelPodButNoPodListIsMadeForIt() {
    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", AMBIENT_POOL))), status());

    assertThat(ambient.node("worker-1"))
        .isEqualTo(
            new Ambient.Node(
                true,
                false,
                null,
                List.of(),
                List.of(),
                new Ambient.ZtunnelPod("ztunnel-a", "old111", true, false)));
    assertThat(paths()).noneMatch(p -> p.contains("spec.nodeName%3Dworker-1"));
  }

  @Test
  void aDaemonSetItsControllerHasNotObservedYetIsNotSettled() {
    client.apps().daemonSets().inNamespace("istio-system").withName("ztunnel").delete();
    client.resource(ZtunnelFixtures.daemonSet("OnDelete", 0L)).create();

    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", Map.of()))), status());

    assertThat(ambient.daemonSet().exists()).isTrue();
    assertThat(ambient.daemonSet().settled()).isFalse();
  }

  @Test
  void theTemplateHashesAreThoseOfTheDaemonSetsNewestControllerRevisionsOnly() {
    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", Map.of()))), status());

    assertThat(ambient.daemonSet())
        .isEqualTo(new Ambient.ZtunnelDaemonSet(true, "OnDelete", "new222", "old111"));
    assertThat(ambient.selectedNodes())
        .containsExactly(Map.entry("nodes", List.of("edge-1", "worker-1", "worker-2")));
  }

  @Test
  void aNodeRestartingByTheStatusIsDrainedEvenBeforeItsAnnotationIsSeen() {
    client.nodes().withName("worker-2").edit(n -> node("worker-2", AMBIENT_POOL, false, null));
    MigrationStatus status =
        status().withNodes(List.of(nodeStatus("worker-2", "nodes", TargetPhase.Restarting)));

    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", AMBIENT_POOL))), status);

    assertThat(ambient.node("worker-2").ambientPods()).containsExactly("plain/api-1", "shop/web-1");
  }

  @Test
  void aNodeOfTheStatusThatNoLongerExistsIsAbsent() {
    MigrationStatus status =
        status().withNodes(List.of(nodeStatus("worker-9", "nodes", TargetPhase.Restarting)));

    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", AMBIENT_POOL))), status);

    assertThat(ambient.node("worker-9").exists()).isFalse();
  }

  @Test
  void aMigrationWithoutZtunnelWaveReadsNothing() {
    int before = server.getRequestCount();
    MigrationSpec sidecarsOnly =
        spec(List.of(new MigrationSpec.Wave("all", List.of("shop"), Map.of(), null, 1, false)));

    assertThat(nodes.observe(MIGRATION, sidecarsOnly, status())).isSameAs(Ambient.NONE);
    assertThat(server.getRequestCount()).isEqualTo(before);
  }

  @Test
  void aRefusedNodeListIsUnreadableNamingTheGrant() {
    server
        .expect()
        .get()
        .withPath("/api/v1/nodes?labelSelector=pool%3Dambient")
        .andReturn(403, forbidden("nodes"))
        .always();

    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", AMBIENT_POOL))), status());

    assertThat(ambient.unreadable())
        .isEqualTo(
            "meshgate may not list nodes labelled {pool=ambient} (403 Forbidden); apply"
                + " deploy/optional/ztunnel-rbac.yaml (ztunnel waves cordon and drain nodes, a"
                + " grant apart from deploy/rbac.yaml)");
    assertThat(ambient.nodes()).isEmpty();
  }

  @Test
  void aRefusedBudgetListIsUnreadableNamingTheGrant() {
    server
        .expect()
        .get()
        .withPath("/apis/policy/v1/namespaces/plain/poddisruptionbudgets")
        .andReturn(403, forbidden("poddisruptionbudgets"))
        .always();

    Ambient ambient =
        nodes.observe(MIGRATION, spec(List.of(ztunnelWave("nodes", AMBIENT_POOL))), status());

    assertThat(ambient.unreadable())
        .startsWith(
            "meshgate may not list poddisruptionbudgets in namespace plain (403 Forbidden); apply"
                + " deploy/optional/ztunnel-rbac.yaml");
  }

  private static MigrationStatus status() {
    return new MigrationStatus(
        MigrationPhase.Progressing,
        "nodes",
        "0/1",
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        1L,
        null);
  }

  private static PodDisruptionBudget budget(String ns, String name, String app, int allowed) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build())
        .endSpec()
        .withNewStatus()
        .withDisruptionsAllowed(allowed)
        .endStatus()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.Status forbidden(String resource) {
    return new StatusBuilder()
        .withStatus("Failure")
        .withCode(403)
        .withReason("Forbidden")
        .withMessage(resource + " is forbidden: User \"system:serviceaccount:meshgate:meshgate\"")
        .build();
  }

  private List<String> paths() {
    List<String> paths = new ArrayList<>();
    try {
      RecordedRequest request;
      while ((request = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
        paths.add(request.getPath());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return paths;
  }
}

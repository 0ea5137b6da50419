package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshgate.controller.WriteHook;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.RealMesh;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue "Memory and API load that grow with the work in flight": on a real API server, pods and
 * workloads are watched in the namespaces in flight only, pods as metadata, lists in pages.
 */
class InFlightWatchRealClusterIT {
  private static final String USER = "system:serviceaccount:default:watcher";
  private static final Pattern ONE = Pattern.compile("[?&]limit=1(&|$)");
  private static RealMesh mesh;
  private static KubernetesClient watcher;

  @BeforeAll
  static void cluster() {
    mesh = RealMesh.start(2);
    mesh.istiod("1-19-0");
    mesh.appNamespace("inflight", Map.of("istio.io/rev", "1-19-0"));
    mesh.appNamespace("bystander", Map.of("istio.io/rev", "1-19-0"));
    mesh.namespace("empty", Map.of("istio.io/rev", "1-19-0"));
    mesh.awaitSettled("inflight");
    mesh.awaitSettled("bystander");
    KubernetesClient admin = mesh.admin();
    admin
        .serviceAccounts()
        .inNamespace("default")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("watcher").endMetadata().build())
        .create();
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("watcher")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("watcher")
                .withNamespace("default")
                .endSubject()
                .build())
        .create();
    watcher = mesh.cluster.serviceAccountClient("default", "watcher");
  }

  @AfterAll
  static void stop() {
    if (watcher != null) {
      watcher.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void podsAndWorkloadsAreWatchedOnlyInTheNamespacesInFlight() {
    int before = requests().size();
    try (KubeCluster cluster =
        KubeCluster.start(
            watcher, RealMesh.CONTROL_PLANE_NAMESPACE, Clock.systemUTC(), WriteHook.NONE)) {
      assertThat(cluster.watchedNamespaces()).isEmpty();

      cluster.targets().watch("m", Set.of("inflight", "empty"));

      assertThat(cluster.watchedNamespaces()).containsExactlyInAnyOrder("inflight", "empty");
      assertThat(cluster.census().of("inflight"))
          .as("the proxy census, from pod metadata alone")
          .isEqualTo(mesh.census("inflight").byRevision());
      assertThat(cluster.census().of("empty")).isEmpty();
      assertThat(cluster.census().of("bystander")).as("not watched, not known").isEmpty();

      cluster.ports().observer().release("m");

      assertThat(cluster.watchedNamespaces()).isEmpty();
    }

    List<AuditLog.Request> sent = requests().subList(before, requests().size());
    assertThat(sent)
        .as("requests about the namespace no migration has in flight")
        .noneMatch(r -> "bystander".equals(r.namespace()));
    assertThat(sent)
        .filteredOn(r -> "pods".equals(r.resource()) && r.verb().equals("list"))
        .as("pod lists: in pages, without pods that have ended, or one pod to check the grant")
        .isNotEmpty()
        .allMatch(
            r ->
                ONE.matcher(r.uri()).find()
                    || r.uri().contains("limit=" + NamespaceWatch.PAGE)
                        && r.uri().contains("fieldSelector=status.phase"));
    assertThat(sent)
        .filteredOn(r -> r.verb().equals("list") && r.namespace() == null)
        .as(
            "cluster-wide lists: namespaces, injector webhooks by label, CRDs' metadata in pages (to"
                + " notice the Sail Operator), one object to check a grant")
        .allMatch(
            r ->
                r.resource().equals("namespaces")
                    || r.resource().equals("customresourcedefinitions")
                        && r.uri().contains("limit=" + NamespaceWatch.PAGE)
                    || r.resource().equals("mutatingwebhookconfigurations")
                        && r.uri().contains("labelSelector=istio.io%2Frev")
                    || ONE.matcher(r.uri()).find());
  }

  @Test
  void aMetadataReadHoldsNoSpecOrStatusAndPagesThroughEveryObject() {
    try (KubernetesClient metadata = MetadataOnly.client(watcher)) {
      List<GenericKubernetesResource> listed =
          metadata
              .genericKubernetesResources(MetadataOnly.PODS)
              .inNamespace("inflight")
              .list()
              .getItems();
      assertThat(listed).hasSize(mesh.pods("inflight").size());
      assertThat(listed)
          .allSatisfy(
              pod -> {
                assertThat(pod.getAdditionalProperties()).doesNotContainKeys("spec", "status");
                assertThat(pod.getMetadata().getAnnotations()).isNotEmpty();
              });
      assertThat(
              metadata
                  .genericKubernetesResources(MetadataOnly.PODS)
                  .inNamespace("empty")
                  .list()
                  .getItems())
          .as("an empty list, which the server sends as items: null")
          .isEmpty();

      SharedIndexInformer<GenericKubernetesResource> informer =
          metadata
              .genericKubernetesResources(MetadataOnly.PODS)
              .inNamespace("inflight")
              .withLimit(2L)
              .inform();
      try {
        await().atMost(Duration.ofSeconds(30)).until(informer::hasSynced);
        assertThat(informer.getStore().list())
            .as("every page of two")
            .hasSize(listed.size())
            .allSatisfy(pod -> assertThat(pod.getAdditionalProperties()).doesNotContainKey("spec"));
        Set<String> names =
            listed.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        mesh.admin()
            .pods()
            .inNamespace("inflight")
            .withName(listed.get(0).getMetadata().getName())
            .delete();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(informer.getStore().list())
                        .as("the replacement pod, from a watch event, as metadata too")
                        .anySatisfy(
                            p -> {
                              assertThat(names).doesNotContain(p.getMetadata().getName());
                              assertThat(p.getAdditionalProperties()).doesNotContainKey("spec");
                            }));
      } finally {
        informer.close();
      }
    }
    assertThat(requests())
        .filteredOn(r -> "inflight".equals(r.namespace()) && "pods".equals(r.resource()))
        .as("the informer's list went page by page")
        .anyMatch(r -> r.uri().contains("continue="));
  }

  private static List<AuditLog.Request> requests() {
    return mesh.cluster.audit().requests(USER);
  }
}

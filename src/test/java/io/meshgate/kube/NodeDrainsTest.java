package io.meshgate.kube;

import static io.meshgate.kube.ZtunnelFixtures.node;
import static io.meshgate.kube.ZtunnelFixtures.pod;
import static io.meshgate.kube.ZtunnelFixtures.revision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshgate.controller.ClusterWriteException;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, {@link NodeDrains}: meshgate undoes only its own cordons, never takes over someone
 * else's, leaves a pod a budget protects for later, rolls a DaemonSet back with the patch {@code
 * kubectl rollout undo} sends, and names the optional grant when refused.
 */
@EnableKubernetesMockClient(crud = true)
class NodeDrainsTest {
  private static final ObjectMapper JSON = Mappers.json();
  private static final String MIGRATION = "istio-1-24";
  private static final String NODE = "worker-1";
  private static final String NODE_PATH = "/api/v1/nodes/" + NODE;

  KubernetesMockServer server;
  KubernetesClient client;
  private final List<String> writes = new CopyOnWriteArrayList<>();
  private Evictions evictions;
  private NodeDrains drains;

  @BeforeEach
  void drains() {
    WriteHook hook = (verb, resource, name) -> writes.add(verb + " " + resource + " " + name);
    evictions = new Evictions(client, hook);
    drains =
        new NodeDrains(
            client,
            Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC),
            hook,
            evictions);
  }

  @AfterEach
  void close() {
    evictions.close();
  }

  @Test
  void aCordonIsOneMergePatchOfUnschedulableAndTheAnnotation() throws Exception {
    client.resource(node(NODE, Map.of(), false, null)).create();
    answerNodePatch();

    drains.cordon(MIGRATION, NODE);

    RecordedRequest patch = only("PATCH");
    assertThat(patch.getHeader("Content-Type")).startsWith("application/merge-patch+json");
    assertThat(JSON.readTree(patch.getUtf8Body()))
        .isEqualTo(
            JSON.readTree(
                "{\"spec\":{\"unschedulable\":true},"
                    + "\"metadata\":{\"annotations\":{\"meshgate.io/cordoned-by\":\"istio-1-24\","
                    + "\"meshgate.io/cordoned-at\":\"2026-12-07T12:00:00Z\"},"
                    + "\"resourceVersion\":\""
                    + stored().getMetadata().getResourceVersion()
                    + "\"}}"));
    assertThat(writes).containsExactly("patch nodes worker-1");
  }

  @Test
  void aNodeSomeoneElseCordonedIsNeverTakenOver() {
    client.resource(node(NODE, Map.of(), true, null)).create();
    client.resource(node("worker-2", Map.of(), true, "other-migration")).create();

    drains.cordon(MIGRATION, NODE);
    drains.cordon(MIGRATION, "worker-2");

    assertThat(requests("PATCH")).isEmpty();
    assertThat(stored().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(writes).isEmpty();
  }

  @Test
  void aNodeCordonedBySomeoneElseBetweenTheReadAndThePatchIsNotTakenOver() {
    // stored: the admin's cordon; the read still saw the node schedulable
    client.resource(node(NODE, Map.of(), true, null)).create();
    server
        .expect()
        .get()
        .withPath(NODE_PATH)
        .andReturn(200, node(NODE, Map.of(), false, null))
        .once();
    server
        .expect()
        .patch()
        .withPath(NODE_PATH)
        .andReturn(409, status(409, "Conflict", "the object has been modified"))
        .once();

    drains.cordon(MIGRATION, NODE);

    assertThat(stored().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(writes).isEmpty();
  }

  @Test
  void aNodeCordonedByThisMigrationAlreadyIsNotPatchedAgain() {
    client.resource(node(NODE, Map.of(), true, MIGRATION)).create();

    drains.cordon(MIGRATION, NODE);

    assertThat(requests("PATCH")).isEmpty();
  }

  @Test
  void aNodeSomeoneElseCordonedIsNeverUncordoned() {
    client.resource(node(NODE, Map.of(), true, null)).create();
    client.resource(node("worker-2", Map.of(), true, "other-migration")).create();

    drains.uncordon(MIGRATION, NODE);
    drains.uncordon(MIGRATION, "worker-2");

    assertThat(requests("PATCH")).isEmpty();
    assertThat(stored().getSpec().getUnschedulable()).isTrue();
    assertThat(client.nodes().withName("worker-2").get().getSpec().getUnschedulable()).isTrue();
  }

  @Test
  void anUncordonTestsTheAnnotationInTheSamePatch() throws Exception {
    client.resource(node(NODE, Map.of(), true, MIGRATION)).create();
    answerNodePatch();

    drains.uncordon(MIGRATION, NODE);

    RecordedRequest patch = only("PATCH");
    assertThat(patch.getHeader("Content-Type")).startsWith("application/json-patch+json");
    assertThat(JSON.readTree(patch.getUtf8Body()))
        .isEqualTo(
            JSON.readTree(
                "[{\"op\":\"test\",\"path\":\"/metadata/annotations/meshgate.io~1cordoned-by\","
                    + "\"value\":\"istio-1-24\"},"
                    + "{\"op\":\"add\",\"path\":\"/spec/unschedulable\",\"value\":false},"
                    + "{\"op\":\"remove\",\"path\":\"/metadata/annotations/meshgate.io~1cordoned-by\"}]"));
    assertThat(writes).containsExactly("patch nodes worker-1");
  }

  @Test
  void anUncordonRefusedBecauseAnAdminTookTheNodeMeanwhileLeavesItCordoned() {
    // stored: the admin's cordon; the first read still saw meshgate's
    client.resource(node(NODE, Map.of(), true, null)).create();
    server
        .expect()
        .get()
        .withPath(NODE_PATH)
        .andReturn(200, node(NODE, Map.of(), true, MIGRATION))
        .once();
    server
        .expect()
        .patch()
        .withPath(NODE_PATH)
        .andReturn(422, status(422, "Invalid", "the test operation failed"))
        .once();

    drains.uncordon(MIGRATION, NODE);

    assertThat(stored().getSpec().getUnschedulable()).isTrue();
    assertThat(writes).isEmpty();
  }

  @Test
  void aPodABudgetProtectsIsLeftForALaterCallAndAGonePodIsDone() {
    podsOnNode("shop/web-1", "shop/web-2", "shop/web-3");
    eviction("shop", "web-1", 201, status(201, null, null));
    eviction(
        "shop",
        "web-2",
        429,
        status(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget."));
    eviction("shop", "web-3", 404, status(404, "NotFound", "pods \"web-3\" not found"));

    // shop/elsewhere is no longer on the node: not evicted
    drains.evict(NODE, List.of("shop/web-1", "shop/web-2", "shop/web-3", "shop/elsewhere"));

    assertThat(requests("POST"))
        .extracting(RecordedRequest::getPath)
        .containsExactly(
            "/api/v1/namespaces/shop/pods/web-1/eviction",
            "/api/v1/namespaces/shop/pods/web-2/eviction",
            "/api/v1/namespaces/shop/pods/web-3/eviction");
    assertThat(writes).containsExactly("create pods/eviction shop/web-1");
  }

  @Test
  void aRefusedEvictionNamesTheGrant() {
    podsOnNode("shop/web-1");
    eviction("shop", "web-1", 403, status(403, "Forbidden", "pods \"web-1\" is forbidden"));

    assertThatThrownBy(() -> drains.evict(NODE, List.of("shop/web-1")))
        .isInstanceOf(ClusterWriteException.class)
        .hasMessage(
            "drain failed: the API server answered create pods/eviction \"shop/web-1\" with 403"
                + " Forbidden: pods \"web-1\" is forbidden; meshgate's ServiceAccount needs"
                + " 'create' on 'pods/eviction' (see deploy/rbac.yaml)");
  }

  @Test
  void aRefusedCordonNamesTheZtunnelGrant() {
    client.resource(node(NODE, Map.of(), false, null)).create();
    server
        .expect()
        .patch()
        .withPath(NODE_PATH)
        .andReturn(403, status(403, "Forbidden", "nodes \"worker-1\" is forbidden"))
        .once();

    assertThatThrownBy(() -> drains.cordon(MIGRATION, NODE))
        .isInstanceOf(ClusterWriteException.class)
        .hasMessage(
            "cordon failed: the API server answered patch nodes \"worker-1\" with 403 Forbidden:"
                + " nodes \"worker-1\" is forbidden; meshgate's ServiceAccount needs 'patch' on"
                + " 'nodes' (see deploy/optional/ztunnel-rbac.yaml)");
    assertThat(writes).isEmpty();
  }

  @Test
  void aZtunnelPodIsDeletedOnceAndOneGoneAlreadyIsDone() {
    String dsUid =
        client.resource(ZtunnelFixtures.daemonSet("OnDelete")).create().getMetadata().getUid();
    client.resource(ZtunnelFixtures.ztunnelPod(dsUid, "ztunnel-a", NODE, "old111", true)).create();

    drains.deleteZtunnelPod(NODE, "istio-system", "ztunnel-a");
    drains.deleteZtunnelPod(NODE, "istio-system", "ztunnel-a");

    assertThat(client.pods().inNamespace("istio-system").withName("ztunnel-a").get()).isNull();
    assertThat(writes).containsExactly("delete pods istio-system/ztunnel-a");
  }

  @Test
  void aRollbackPatchesTheTemplateWithTheRevisionsDataAsKubectlRolloutUndoDoes() throws Exception {
    String dsUid =
        client.resource(ZtunnelFixtures.daemonSet("OnDelete")).create().getMetadata().getUid();
    ControllerRevision old =
        client.resource(revision("old111", 1, dsUid, "istio/ztunnel:1.23.0")).create();
    client.resource(revision("new222", 2, dsUid, "istio/ztunnel:1.24.0")).create();
    server
        .expect()
        .patch()
        .withPath("/apis/apps/v1/namespaces/istio-system/daemonsets/ztunnel")
        .andReturn(200, ZtunnelFixtures.daemonSet("OnDelete"))
        .once();

    drains.rollBackDaemonSet("istio-system", "ztunnel", "old111");

    RecordedRequest patch = only("PATCH");
    assertThat(patch.getHeader("Content-Type"))
        .startsWith("application/strategic-merge-patch+json");
    JsonNode body = JSON.readTree(patch.getUtf8Body());
    assertThat(body).isEqualTo(JSON.valueToTree(old.getData()));
    assertThat(body.at("/spec/template/$patch").asText()).isEqualTo("replace");
    assertThat(body.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("istio/ztunnel:1.23.0");
    assertThat(writes).containsExactly("patch daemonsets istio-system/ztunnel");
  }

  @Test
  void aRollbackToTheNewestRevisionChangesNothing() {
    String dsUid =
        client.resource(ZtunnelFixtures.daemonSet("OnDelete")).create().getMetadata().getUid();
    client.resource(revision("old111", 1, dsUid, "istio/ztunnel:1.23.0")).create();
    client.resource(revision("new222", 2, dsUid, "istio/ztunnel:1.24.0")).create();

    drains.rollBackDaemonSet("istio-system", "ztunnel", "new222");

    assertThat(requests("PATCH")).isEmpty();
    assertThat(writes).isEmpty();
  }

  @Test
  void aRollbackToARevisionNoLongerKeptSaysSoAndChangesNothing() {
    String dsUid =
        client.resource(ZtunnelFixtures.daemonSet("OnDelete")).create().getMetadata().getUid();
    client.resource(revision("new222", 2, dsUid, "istio/ztunnel:1.24.0")).create();

    assertThatThrownBy(() -> drains.rollBackDaemonSet("istio-system", "ztunnel", "old111"))
        .isInstanceOf(ClusterWriteException.class)
        .hasMessageContaining(
            "no ControllerRevision of the DaemonSet has controller-revision-hash=old111");
    assertThat(requests("PATCH")).isEmpty();
  }

  /**
   * The PATCH of the node answered by an expectation: the CRUD store consumes a request's body,
   * which the test reads.
   */
  private void answerNodePatch() {
    server.expect().patch().withPath(NODE_PATH).andReturn(200, stored()).once();
  }

  private Node stored() {
    return client.nodes().withName(NODE).get();
  }

  private void podsOnNode(String... keys) {
    PodListBuilder list = new PodListBuilder();
    for (String key : keys) {
      String[] parts = key.split("/");
      list.addToItems(pod(parts[0], parts[1], NODE).build());
    }
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?fieldSelector=spec.nodeName%3D" + NODE)
        .andReturn(200, list.build())
        .always();
  }

  private void eviction(String ns, String pod, int code, Status answer) {
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/" + ns + "/pods/" + pod + "/eviction")
        .andReturn(code, answer)
        .once();
  }

  private static Status status(int code, String reason, String message) {
    return new StatusBuilder()
        .withStatus(code < 300 ? "Success" : "Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private RecordedRequest only(String method) {
    List<RecordedRequest> matching = requests(method);
    assertThat(matching).as("%s requests", method).hasSize(1);
    return matching.get(0);
  }

  /** The requests of {@code method} since the last call (the server's queue is drained). */
  private List<RecordedRequest> requests(String method) {
    List<RecordedRequest> matching = new ArrayList<>();
    try {
      RecordedRequest request;
      while ((request = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
        if (request.getMethod().equals(method)) {
          matching.add(request);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return matching;
  }
}

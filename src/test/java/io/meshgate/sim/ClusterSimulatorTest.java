package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClusterSimulatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Map<String, String> ON_1_19 = Map.of("istio.io/rev", "1-19-0");
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private FaultyClusterSimulator cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = FaultyClusterSimulator.start();
    client = cluster.client();
    cluster.istiod("1-19-0", true).istiod("1-20-0", true);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** What the controller does: flip the namespace with a merge patch (istio-facts.md 4). */
  private void flip(String namespace, String revision) {
    client
        .namespaces()
        .withName(namespace)
        .patch(
            MERGE,
            "{\"metadata\":{\"labels\":{\"istio-injection\":null,\"istio.io/rev\":\""
                + revision
                + "\"}}}");
  }

  /** What {@code kubectl rollout restart} sends, for any of the three kinds. */
  private void restart(String plural, String namespace, String name) {
    String patch =
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{"
            + "\"kubectl.kubernetes.io/restartedAt\":\""
            + Instant.now()
            + "\"}}}}}";
    switch (plural) {
      case "deployments" ->
          client.apps().deployments().inNamespace(namespace).withName(name).patch(MERGE, patch);
      case "statefulsets" ->
          client.apps().statefulSets().inNamespace(namespace).withName(name).patch(MERGE, patch);
      case "daemonsets" ->
          client.apps().daemonSets().inNamespace(namespace).withName(name).patch(MERGE, patch);
      default -> throw new IllegalArgumentException(plural);
    }
  }

  private Deployment deployment(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  /** kubectl's Deployment rule (istio-facts.md section 5); null counts are 0. */
  private static boolean rolledOut(Deployment d) {
    var status = d.getStatus();
    int replicas = d.getSpec().getReplicas();
    return status != null
        && status.getObservedGeneration() != null
        && d.getMetadata().getGeneration() <= status.getObservedGeneration()
        && !"ProgressDeadlineExceeded".equals(progressing(d).getReason())
        && count(status.getUpdatedReplicas()) >= replicas
        && count(status.getReplicas()) <= count(status.getUpdatedReplicas())
        && count(status.getAvailableReplicas()) >= count(status.getUpdatedReplicas());
  }

  private static boolean rolledOut(StatefulSet s) {
    var status = s.getStatus();
    return status.getObservedGeneration() != null
        && s.getMetadata().getGeneration() <= status.getObservedGeneration()
        && count(status.getReadyReplicas()) >= s.getSpec().getReplicas()
        && Objects.equals(status.getUpdateRevision(), status.getCurrentRevision());
  }

  private static boolean rolledOut(DaemonSet d) {
    var status = d.getStatus();
    return status.getObservedGeneration() != null
        && d.getMetadata().getGeneration() <= status.getObservedGeneration()
        && count(status.getUpdatedNumberScheduled()) >= status.getDesiredNumberScheduled()
        && count(status.getNumberAvailable()) >= status.getDesiredNumberScheduled();
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  private static DeploymentCondition progressing(Deployment d) {
    return d.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Progressing"))
        .findFirst()
        .orElseThrow();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(PodCondition::getStatus)
        .anyMatch("True"::equals);
  }

  private List<Pod> pods(String namespace) {
    return client.pods().inNamespace(namespace).list().getItems();
  }

  private static Census census(Map<String, Integer> byRevision, int withoutSidecar) {
    return new Census(byRevision, withoutSidecar);
  }

  @Test
  void restartAfterAFlipToRevision120YieldsOnlyPodsOf120AndACompleteStatus() {
    cluster
        .rolloutDelay(Duration.ofSeconds(1))
        .namespace("payments", ON_1_19)
        .deployment("payments", "api", 3);
    assertThat(cluster.census("payments")).isEqualTo(census(Map.of("1-19-0", 3), 0));
    assertThat(rolledOut(deployment("payments", "api"))).isTrue();

    flip("payments", "1-20-0");
    restart("deployments", "payments", "api");

    assertThat(rolledOut(deployment("payments", "api"))).as("during the rollout delay").isFalse();
    await()
        .atMost(TIMEOUT)
        .until(() -> cluster.census("payments").equals(census(Map.of("1-20-0", 3), 0)));
    await().atMost(TIMEOUT).until(() -> rolledOut(deployment("payments", "api")));
    Deployment api = deployment("payments", "api");
    assertThat(api.getStatus().getObservedGeneration()).isEqualTo(2);
    assertThat(api.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(progressing(api).getReason()).isEqualTo("NewReplicaSetAvailable");
    assertThat(pods("payments"))
        .allSatisfy(
            pod -> {
              assertThat(pod.getMetadata().getAnnotations())
                  .containsEntry("istio.io/rev", "1-20-0")
                  .containsEntry(
                      "sidecar.istio.io/status",
                      "{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null,"
                          + "\"volumes\":[\"workload-socket\",\"credential-socket\",\"workload-certs\","
                          + "\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\","
                          + "\"istiod-ca-cert\",\"istio-ca-crl\"],\"imagePullSecrets\":null,"
                          + "\"revision\":\"1-20-0\"}");
              assertThat(pod.getMetadata().getLabels())
                  .containsEntry("app", "api")
                  .containsEntry("security.istio.io/tlsMode", "istio")
                  .containsEntry("service.istio.io/canonical-name", "api")
                  .containsEntry("service.istio.io/canonical-revision", "latest");
              assertThat(pod.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      owner -> {
                        assertThat(owner.getKind()).isEqualTo("ReplicaSet");
                        assertThat(owner.getName()).startsWith("api-");
                      });
              assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
              assertThat(ready(pod)).isTrue();
              // istio-proxy is a native sidecar, as Istio injects it
              assertThat(pod.getSpec().getContainers())
                  .extracting(c -> c.getName())
                  .containsExactly("app");
              assertThat(pod.getSpec().getInitContainers())
                  .extracting(c -> c.getName() + " " + c.getRestartPolicy())
                  .containsExactly("istio-init null", "istio-proxy Always");
            });
  }

  @Test
  void istioInjectionLabelOverridesTheRevisionLabel() {
    cluster
        .namespace("legacy", Map.of("istio-injection", "enabled", "istio.io/rev", "1-20-0"))
        .namespace("off", Map.of("istio-injection", "disabled", "istio.io/rev", "1-20-0"))
        .namespace("plain", Map.of())
        .deployment("legacy", "api", 2)
        .deployment("off", "api", 2)
        .deployment("plain", "api", 1);

    assertThat(cluster.census("legacy")).isEqualTo(census(Map.of("default", 2), 0));
    assertThat(cluster.census("off")).isEqualTo(census(Map.of(), 2));
    assertThat(cluster.census("plain")).isEqualTo(census(Map.of(), 1));
  }

  /**
   * Issue 25: an injected gateway lives in a namespace without injection labels; Istio's object
   * webhooks inject it by its pod template's own istio.io/rev, so flipping that label (as meshgate
   * does, with its restart id in the same patch) is its rollout onto the other revision. A
   * namespace label still wins over the pod's.
   */
  @Test
  void injectedGatewayRunsTheRevisionItsTemplateLabelNamesUnlessItsNamespaceNamesOne() {
    cluster
        .namespace("istio-ingress", Map.of())
        .namespace("labelled", Map.of("istio.io/rev", "1-20-0"))
        .injectedGateway("istio-ingress", "istio-ingressgateway", "1-19-0", 2)
        .injectedGateway("labelled", "gw", "1-19-0", 1);
    assertThat(cluster.census("istio-ingress")).isEqualTo(census(Map.of("1-19-0", 2), 0));
    assertThat(cluster.census("labelled")).isEqualTo(census(Map.of("1-20-0", 1), 0));

    client
        .apps()
        .deployments()
        .inNamespace("istio-ingress")
        .withName("istio-ingressgateway")
        .patch(
            MERGE,
            "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"istio.io/rev\":\"1-20-0\"},"
                + "\"annotations\":{\"meshgate.io/restart-id\":\"r1\"}}}}}");

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                rolledOut(deployment("istio-ingress", "istio-ingressgateway"))
                    && cluster.census("istio-ingress").equals(census(Map.of("1-20-0", 2), 0)));
    assertThat(pods("istio-ingress"))
        .hasSize(2)
        .allSatisfy(
            pod -> {
              assertThat(pod.getMetadata().getAnnotations())
                  .containsEntry(
                      "sidecar.istio.io/status",
                      "{\"initContainers\":null,\"containers\":[\"istio-proxy\"],"
                          + "\"volumes\":[\"workload-socket\",\"credential-socket\",\"workload-certs\","
                          + "\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\","
                          + "\"istiod-ca-cert\"],\"imagePullSecrets\":null,\"revision\":\"1-20-0\"}");
              // the gateway template fills in the chart's istio-proxy container: no native sidecar
              assertThat(pod.getSpec().getContainers())
                  .extracting(c -> c.getName() + " " + c.getImage() + " " + c.getArgs())
                  .containsExactly("istio-proxy docker.io/istio/proxyv2:1-20-0 [proxy, router]");
              assertThat(pod.getSpec().getInitContainers()).isEmpty();
              assertThat(ready(pod)).isTrue();
            });
  }

  @Test
  void mergePatchWithNullRemovesTheLabelSoTheSelectorNoLongerMatches() {
    cluster.namespace("payments", Map.of("istio-injection", "enabled", "env", "prod"));

    flip("payments", "1-20-0");

    assertThat(client.namespaces().withName("payments").get().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("env", "prod", "istio.io/rev", "1-20-0"));
    assertThat(client.namespaces().withLabel("istio-injection").list().getItems()).isEmpty();
    assertThat(client.namespaces().withLabel("istio.io/rev", "1-20-0").list().getItems())
        .hasSize(1);
  }

  @Test
  void mergePatchReplacesArraysAndAnswers200() throws Exception {
    cluster.namespace("payments", ON_1_19).deployment("payments", "api", 1);
    String patch =
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":"
            + "[{\"name\":\"app\",\"image\":\"registry.example/api:2\"}]}}}}";
    URI uri =
        URI.create(
            cluster.config().getMasterUrl() + "apis/apps/v1/namespaces/payments/deployments/api");

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri)
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(patch))
                    .header("Content-Type", "application/merge-patch+json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(deployment("payments", "api").getSpec().getTemplate().getSpec().getContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getImage()).isEqualTo("registry.example/api:2"));
  }

  @Test
  void jsonPatchStillAppliesItsOperations() {
    cluster.namespace("payments", Map.of("istio-injection", "enabled", "env", "prod"));

    client
        .namespaces()
        .withName("payments")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"remove\",\"path\":\"/metadata/labels/istio-injection\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/labels/istio.io~1rev\",\"value\":\"1-20-0\"}]");

    assertThat(client.namespaces().withName("payments").get().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("env", "prod", "istio.io/rev", "1-20-0"));
  }

  @Test
  void statefulSetRollsOutPodByOrdinalToTheNewRevision() {
    cluster.namespace("db", ON_1_19).statefulSet("db", "postgres", 2);
    assertThat(cluster.census("db")).isEqualTo(census(Map.of("1-19-0", 2), 0));

    flip("db", "1-20-0");
    restart("statefulsets", "db", "postgres");

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                rolledOut(client.apps().statefulSets().inNamespace("db").withName("postgres").get())
                    && cluster.census("db").equals(census(Map.of("1-20-0", 2), 0)));
    StatefulSet postgres =
        client.apps().statefulSets().inNamespace("db").withName("postgres").get();
    assertThat(postgres.getStatus().getUpdatedReplicas()).isEqualTo(2);
    assertThat(postgres.getStatus().getObservedGeneration()).isEqualTo(2);
    assertThat(pods("db"))
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("postgres-0", "postgres-1");
    assertThat(pods("db"))
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getLabels())
                    .containsEntry(
                        "controller-revision-hash", postgres.getStatus().getUpdateRevision()));
  }

  @Test
  void daemonSetRollsOutOnEveryNode() {
    cluster.namespace("logging", ON_1_19).daemonSet("logging", "fluentd", 3);

    flip("logging", "1-20-0");
    restart("daemonsets", "logging", "fluentd");

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                rolledOut(
                        client.apps().daemonSets().inNamespace("logging").withName("fluentd").get())
                    && cluster.census("logging").equals(census(Map.of("1-20-0", 3), 0)));
    DaemonSet fluentd = client.apps().daemonSets().inNamespace("logging").withName("fluentd").get();
    assertThat(fluentd.getStatus().getDesiredNumberScheduled()).isEqualTo(3);
    assertThat(fluentd.getStatus().getUpdatedNumberScheduled()).isEqualTo(3);
    assertThat(fluentd.getStatus().getNumberAvailable()).isEqualTo(3);
    assertThat(pods("logging"))
        .extracting(p -> p.getSpec().getNodeName())
        .containsExactlyInAnyOrder("sim-node-0", "sim-node-1", "sim-node-2");
  }

  @Test
  void optedOutWorkloadGetsNoSidecarBeforeOrAfterARestart() {
    cluster
        .namespace("payments", ON_1_19)
        .deployment("payments", "batch", 2, ClusterSimulator.Injection.OPTED_OUT);
    assertThat(cluster.census("payments")).isEqualTo(census(Map.of(), 2));

    flip("payments", "1-20-0");
    restart("deployments", "payments", "batch");

    await().atMost(TIMEOUT).until(() -> rolledOut(deployment("payments", "batch")));
    assertThat(cluster.census("payments")).isEqualTo(census(Map.of(), 2));
    assertThat(deployment("payments", "batch").getSpec().getTemplate().getMetadata())
        .satisfies(
            m -> assertThat(m.getAnnotations()).containsEntry("sidecar.istio.io/inject", "false"));
  }

  @Test
  void stuckRolloutNeverCompletesAndReportsProgressDeadlineExceeded() {
    cluster.namespace("payments", ON_1_19).deployment("payments", "api", 3);
    cluster.stuckRollout("payments", "api");

    flip("payments", "1-20-0");
    restart("deployments", "payments", "api");

    await()
        .atMost(TIMEOUT)
        .until(
            () -> progressing(deployment("payments", "api")).getReason(),
            "ProgressDeadlineExceeded"::equals);
    cluster.awaitRolloutsIdle(TIMEOUT);
    Deployment api = deployment("payments", "api");
    assertThat(rolledOut(api)).isFalse();
    assertThat(progressing(api).getStatus()).isEqualTo("False");
    assertThat(api.getStatus().getUpdatedReplicas()).isNull();
    assertThat(cluster.census("payments")).isEqualTo(census(Map.of("1-19-0", 3), 0));
  }

  @Test
  void podsThatNeverBecomeReadyKeepTheRolloutShortUntilTheFaultIsCleared() {
    cluster.namespace("payments", ON_1_19).deployment("payments", "api", 2);
    cluster.podNeverReady("payments", "api");

    flip("payments", "1-20-0");
    restart("deployments", "payments", "api");
    await()
        .atMost(TIMEOUT)
        .until(() -> cluster.census("payments").equals(census(Map.of("1-20-0", 2), 0)));
    cluster.awaitRolloutsIdle(TIMEOUT);

    Deployment api = deployment("payments", "api");
    assertThat(api.getStatus().getObservedGeneration())
        .isEqualTo(api.getMetadata().getGeneration());
    assertThat(api.getStatus().getUpdatedReplicas()).isEqualTo(2);
    assertThat(api.getStatus().getAvailableReplicas()).isNull();
    assertThat(rolledOut(api)).isFalse();
    assertThat(pods("payments")).hasSize(2).noneMatch(ClusterSimulatorTest::ready);

    cluster.clearFaults("payments", "api");

    await().atMost(TIMEOUT).until(() -> rolledOut(deployment("payments", "api")));
    assertThat(pods("payments")).hasSize(2).allMatch(ClusterSimulatorTest::ready);
    assertThat(cluster.census("payments")).isEqualTo(census(Map.of("1-20-0", 2), 0));
  }

  @Test
  void istiodCanBecomeUnavailableAndBeRemovedWithItsWebhook() {
    var istiod = client.apps().deployments().inNamespace("istio-system").withLabel("app", "istiod");
    assertThat(istiod.list().getItems())
        .extracting(d -> d.getMetadata().getLabels().get("istio.io/rev"))
        .containsExactlyInAnyOrder("1-19-0", "1-20-0");
    assertThat(available(deployment("istio-system", "istiod-1-20-0"))).isEqualTo("True");

    cluster.istiodAvailable("1-20-0", false).removeIstiod("1-19-0");

    assertThat(available(deployment("istio-system", "istiod-1-20-0"))).isEqualTo("False");
    assertThat(deployment("istio-system", "istiod-1-19-0")).isNull();
    assertThat(
            client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withLabel("istio.io/rev")
                .list()
                .getItems())
        .extracting(w -> w.getMetadata().getName())
        .containsExactly("istio-sidecar-injector-1-20-0");
    assertThat(deployment("istio-system", "istiod-1-20-0").getMetadata().getLabels())
        .containsEntry("istio", "pilot")
        .containsEntry("app", "istiod");
  }

  private static String available(Deployment d) {
    return d.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Available"))
        .map(DeploymentCondition::getStatus)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void recordsTheCallsOfOtherClientsButNotTheSimulatorsOwn() {
    cluster.namespace("payments", ON_1_19).deployment("payments", "api", 2);
    cluster.clearApiCalls();

    client.pods().inNamespace("payments").withLabel("app", "api").list();
    flip("payments", "1-20-0");
    restart("deployments", "payments", "api");
    await()
        .atMost(TIMEOUT)
        .until(() -> cluster.census("payments").equals(census(Map.of("1-20-0", 2), 0)));
    cluster.awaitRolloutsIdle(TIMEOUT);

    // the simulator listed, created and deleted pods and wrote status meanwhile
    assertThat(cluster.apiCalls())
        .extracting(ApiCall::method, ApiCall::path)
        .containsExactly(
            tuple("GET", "/api/v1/namespaces/payments/pods?labelSelector=app%3Dapi"),
            // fabric8's patch(PatchContext, String) reads the resource first
            tuple("GET", "/api/v1/namespaces/payments"),
            tuple("PATCH", "/api/v1/namespaces/payments"),
            tuple("GET", "/apis/apps/v1/namespaces/payments/deployments/api"),
            tuple("PATCH", "/apis/apps/v1/namespaces/payments/deployments/api"));
  }

  @Test
  void recordsListsPatchesAndWatchesWithTheirQueryStrings() throws Exception {
    cluster.namespace("payments", ON_1_19).deployment("payments", "api", 2);
    cluster.clearApiCalls();

    client.pods().inNamespace("payments").withLabel("app", "api").list();
    flip("payments", "1-20-0");
    try (var informer = client.apps().deployments().inNamespace("payments").inform()) {
      cluster.awaitRolloutsIdle(TIMEOUT);
    }

    assertThat(cluster.apiCalls())
        .extracting(ApiCall::method, ApiCall::resourcePath)
        .contains(
            tuple("GET", "/api/v1/namespaces/payments/pods"),
            tuple("PATCH", "/api/v1/namespaces/payments"));
    assertThat(cluster.apiCalls())
        .anySatisfy(c -> assertThat(c.path()).contains("labelSelector=app%3Dapi"))
        .anySatisfy(
            c -> {
              assertThat(c.isWatch()).isTrue();
              assertThat(c.resourcePath())
                  .isEqualTo("/apis/apps/v1/namespaces/payments/deployments");
            })
        .allSatisfy(c -> assertThat(c.userAgent()).startsWith("fabric8-kubernetes-client/"));
  }

  @Test
  void refusesAWorkloadInANamespaceThatDoesNotExist() {
    assertThatThrownBy(() -> cluster.deployment("nowhere", "api", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "nowhere/Deployment/api: namespace \"nowhere\" does not exist;"
                + " add it with namespace(name, labels) first");
  }

  @Test
  void moreClientsCanBeBuiltFromTheConfig() {
    cluster.namespace("payments", ON_1_19);

    try (KubernetesClient second =
        new KubernetesClientBuilder().withConfig(cluster.config()).build()) {
      assertThat(second.namespaces().withName("payments").get()).isNotNull();
    }
  }
}

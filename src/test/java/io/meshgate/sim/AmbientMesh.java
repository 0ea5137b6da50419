package io.meshgate.sim;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Istio's ambient data plane as a ztunnel upgrade sees it, on a {@link RealCluster} and {@link
 * FakeKubelet}: the {@code ztunnel} DaemonSet of {@code istio-system} with {@code updateStrategy:
 * OnDelete} (what Istio's upgrade guide asks for), ambient namespaces ({@code
 * istio.io/dataplane-mode=ambient}, Istio's own label) with Deployments spread over the nodes and
 * PodDisruptionBudgets the real disruption controller keeps, and the pods an upgrade must leave
 * alone. No container runs: the ztunnel pods only carry the template a node is on.
 *
 * <pre>{@code
 * AmbientMesh ambient = new AmbientMesh(admin, kubelet).labelNodes(Map.of("pool", "general"));
 * ambient.ztunnel("OnDelete").ambientNamespace("shop").deployment("shop", "web", 6, Map.of());
 * String old = ambient.ztunnelHash();
 * ambient.upgradeZtunnel("1.20.0");
 * }</pre>
 */
public final class AmbientMesh implements AutoCloseable {
  public static final String ZTUNNEL_NAMESPACE = "istio-system";
  public static final String ZTUNNEL = "ztunnel";
  public static final String DATAPLANE_MODE = "istio.io/dataplane-mode";

  /** The label the DaemonSet controller puts on its pods: the template they were created from. */
  public static final String HASH_LABEL = "controller-revision-hash";

  private static final Duration SETTLE = Duration.ofSeconds(60);

  private final KubernetesClient admin;
  private final FakeKubelet kubelet;
  private final ScheduledExecutorService rechecks = Executors.newSingleThreadScheduledExecutor();

  public AmbientMesh(KubernetesClient admin, FakeKubelet kubelet) {
    this.admin = admin;
    this.kubelet = kubelet;
  }

  /** Adds {@code labels} to every node of the kubelet, e.g. a pool a wave selects. */
  public AmbientMesh labelNodes(Map<String, String> labels) {
    for (String node : kubelet.nodes()) {
      admin.nodes().withName(node).edit(n -> withLabels(n, labels));
    }
    return this;
  }

  private static Node withLabels(Node node, Map<String, String> labels) {
    node.getMetadata().getLabels().putAll(labels);
    return node;
  }

  /**
   * The ztunnel DaemonSet ({@code strategy} {@code OnDelete} or {@code RollingUpdate}), one pod per
   * node, image {@code istio/ztunnel:1.19.0}; waits until every node runs a Ready one.
   */
  public AmbientMesh ztunnel(String strategy) {
    return ztunnel(ZTUNNEL, strategy);
  }

  /** As {@link #ztunnel(String)}, a DaemonSet named {@code name} (pods labelled app=name). */
  public AmbientMesh ztunnel(String name, String strategy) {
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ZTUNNEL_NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();
    admin
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withNamespace(ZTUNNEL_NAMESPACE)
                .withName(name)
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withNewUpdateStrategy()
                .withType(strategy)
                .endUpdateStrategy()
                .withTemplate(template(Map.of("app", name), "istio/ztunnel:1.19.0"))
                .endSpec()
                .build())
        .create();
    if (name.equals(ZTUNNEL)) {
      awaitZtunnelOnEveryNode();
    }
    return this;
  }

  /**
   * A new ztunnel template, as {@code helm upgrade} of Istio's ztunnel chart makes one: the image
   * tag and an environment variable changed. Waits for its ControllerRevision; with {@code
   * OnDelete} no pod moves by itself.
   */
  public AmbientMesh upgradeZtunnel(String version) {
    int before = ztunnelRevisions().size();
    DaemonSet ds = daemonSet();
    var container = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
    container.setImage("istio/ztunnel:" + version);
    container.setEnv(
        List.of(new EnvVarBuilder().withName("ISTIO_VERSION").withValue(version).build()));
    admin.resource(ds).update();
    await("a ControllerRevision of the new ztunnel template")
        .atMost(SETTLE)
        .until(() -> ztunnelRevisions().size() > before);
    return this;
  }

  public DaemonSet daemonSet() {
    return admin.apps().daemonSets().inNamespace(ZTUNNEL_NAMESPACE).withName(ZTUNNEL).get();
  }

  /**
   * The ztunnel DaemonSet's ControllerRevisions, oldest first: the last is its current template (a
   * rollback to an old template renumbers that old revision as the newest, as {@code kubectl
   * rollout undo} shows).
   */
  public List<ControllerRevision> ztunnelRevisions() {
    return admin
        .apps()
        .controllerRevisions()
        .inNamespace(ZTUNNEL_NAMESPACE)
        .list()
        .getItems()
        .stream()
        .filter(
            r ->
                r.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> o.getName().equals(ZTUNNEL)))
        .sorted(Comparator.comparing(ControllerRevision::getRevision))
        .toList();
  }

  /** The hash of the DaemonSet's current template (its newest ControllerRevision). */
  public String ztunnelHash() {
    List<ControllerRevision> revisions = ztunnelRevisions();
    return revisions.get(revisions.size() - 1).getMetadata().getLabels().get(HASH_LABEL);
  }

  /** The template hash of each node's live ztunnel pod, by node. */
  public Map<String, String> ztunnelHashByNode() {
    Map<String, String> hashes = new TreeMap<>();
    for (Pod pod : ztunnelPods()) {
      if (pod.getSpec().getNodeName() != null) {
        hashes.put(pod.getSpec().getNodeName(), pod.getMetadata().getLabels().get(HASH_LABEL));
      }
    }
    return hashes;
  }

  /** The live pods of the ztunnel DaemonSet. */
  public List<Pod> ztunnelPods() {
    return livePods(ZTUNNEL_NAMESPACE).stream()
        .filter(p -> ZTUNNEL.equals(p.getMetadata().getLabels().get("app")))
        .toList();
  }

  /**
   * Pods take {@code delay} from creation to Ready, as an application's readiness probe makes them:
   * a pod evicted from a budget at its minimum is replaced slowly enough for the Eviction API to
   * refuse the next one (429), as in a cluster. Stopped with {@link #close}.
   */
  public AmbientMesh readinessDelay(Duration delay) {
    kubelet.keepUnready(
        "readiness delay",
        pod ->
            Instant.parse(pod.getMetadata().getCreationTimestamp())
                .plus(delay)
                .isAfter(Instant.now()));
    rechecks.scheduleWithFixedDelay(kubelet::recheck, 250, 250, TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void close() {
    rechecks.shutdownNow();
  }

  /** Waits until every node runs one Ready ztunnel pod. */
  public void awaitZtunnelOnEveryNode() {
    await("a Ready ztunnel on every node")
        .atMost(SETTLE)
        .until(
            () -> {
              DaemonSet ds = daemonSet();
              return ds.getStatus() != null
                  && Objects.equals(ds.getStatus().getNumberReady(), kubelet.nodes().size())
                  && ztunnelHashByNode().size() == kubelet.nodes().size();
            });
  }

  /** A namespace labelled {@code istio.io/dataplane-mode=ambient}. */
  public AmbientMesh ambientNamespace(String name) {
    return namespace(name, Map.of(DATAPLANE_MODE, "ambient"));
  }

  public AmbientMesh namespace(String name, Map<String, String> labels) {
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .serverSideApply();
    await()
        .atMost(SETTLE)
        .until(() -> admin.serviceAccounts().inNamespace(name).withName("default").get() != null);
    return this;
  }

  /**
   * A Deployment of pods labelled {@code app=<name>} and {@code podLabels} (e.g. {@code
   * istio.io/dataplane-mode=none}); the kubelet spreads them round robin over the schedulable
   * nodes.
   */
  public AmbientMesh deployment(
      String namespace, String name, int replicas, Map<String, String> podLabels) {
    Map<String, String> labels = new TreeMap<>(podLabels);
    labels.put("app", name);
    admin
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withTemplate(template(labels, "registry.example/" + name + ":1"))
                .endSpec()
                .build())
        .create();
    return this;
  }

  /** A DaemonSet of an application (a log agent): never drained, as kubectl drain leaves it. */
  public AmbientMesh daemonSet(String namespace, String name) {
    admin
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withTemplate(template(Map.of("app", name), "registry.example/" + name + ":1"))
                .endSpec()
                .build())
        .create();
    return this;
  }

  /**
   * A PodDisruptionBudget over the pods labelled {@code app} keeping {@code minAvailable}: the real
   * disruption controller computes how many may go, the Eviction API answers 429 past it.
   */
  public AmbientMesh podDisruptionBudget(String namespace, String app, int minAvailable) {
    admin.resource(RealMesh.budget(namespace, app, minAvailable)).serverSideApply();
    return this;
  }

  /** Waits until the disruption controller has computed the budget against every Ready pod. */
  public void awaitBudget(String namespace, String app, int disruptionsAllowed) {
    await("PodDisruptionBudget " + namespace + "/" + app + " allows " + disruptionsAllowed)
        .atMost(SETTLE)
        .until(
            () -> {
              PodDisruptionBudget pdb =
                  admin
                      .policy()
                      .v1()
                      .podDisruptionBudget()
                      .inNamespace(namespace)
                      .withName(app)
                      .get();
              return pdb.getStatus() != null
                  && Objects.equals(
                      pdb.getStatus().getObservedGeneration(), pdb.getMetadata().getGeneration())
                  && pdb.getStatus().getDisruptionsAllowed() == disruptionsAllowed;
            });
  }

  /** Waits until every Deployment of the namespace has all its replicas available. */
  public void awaitAvailable(String namespace) {
    await("the Deployments of " + namespace + " available")
        .atMost(SETTLE)
        .until(
            () ->
                admin.apps().deployments().inNamespace(namespace).list().getItems().stream()
                    .allMatch(AmbientMesh::available));
  }

  private static boolean available(Deployment d) {
    var s = d.getStatus();
    return s != null
        && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && Objects.equals(s.getAvailableReplicas(), d.getSpec().getReplicas())
        && Objects.equals(s.getReplicas(), d.getSpec().getReplicas());
  }

  /** Pods of the namespace not being deleted. */
  public List<Pod> livePods(String namespace) {
    return admin.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** Cordons {@code node} as {@code kubectl cordon} does (no annotation: not meshgate's). */
  public void cordon(String node, boolean unschedulable) {
    admin
        .nodes()
        .withName(node)
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            "{\"spec\":{\"unschedulable\":" + unschedulable + "}}");
  }

  private static PodTemplateSpec template(Map<String, String> labels, String image) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(0L)
        .addToContainers(new ContainerBuilder().withName("main").withImage(image).build())
        .endSpec()
        .build();
  }
}

package io.meshgate.sim;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio mesh on a {@link RealCluster}: fake nodes and kubelets, Istio's own control plane per
 * revision ({@link IstioControlPlane}: the API server calls Istio's injector), and application
 * namespaces whose workloads the real controllers roll out.
 *
 * <pre>{@code
 * try (RealMesh mesh = RealMesh.start(3)) {
 *   mesh.istiod("1-19-0").istiod("1-20-0");
 *   mesh.namespace("payments", Map.of("istio.io/rev", "1-19-0")).deployment("payments", "web", 2);
 *   mesh.awaitSettled("payments");
 * }
 * }</pre>
 */
public final class RealMesh implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String CONTROL_PLANE_NAMESPACE = "istio-system";
  private static final Duration SETTLE = Duration.ofSeconds(60);

  public final RealCluster cluster;
  public final FakeKubelet kubelet;
  public final IstioControlPlane istio;
  private final KubernetesClient admin;

  private RealMesh(RealCluster cluster, int nodes) {
    this.cluster = cluster;
    this.admin = cluster.admin();
    this.kubelet = FakeKubelet.start(admin, nodes);
    this.istio = IstioControlPlane.on(cluster);
  }

  /** Starts a cluster with {@code nodes} fake nodes, ready for Istio's revisions. */
  public static RealMesh start(int nodes) {
    RealCluster cluster = RealCluster.start();
    try {
      return new RealMesh(cluster, nodes);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public KubernetesClient admin() {
    return admin;
  }

  /**
   * Installs Istio's revision {@code revision} ({@link IstioControlPlane#install}): its charts
   * applied, its istiod running and injecting; waits until the chart's Deployment {@code
   * istiod-<rev>} is Available, as meshgate requires of a revision.
   */
  public RealMesh istiod(String revision) {
    istio.install(revision);
    await().atMost(SETTLE).until(() -> istiodAvailable(revision));
    return this;
  }

  /**
   * Takes istiod of {@code revision} down: its Deployment scaled to zero (not Available) and its
   * process stopped, so that its injector fails closed as a real one's would.
   */
  public RealMesh istiodDown(String revision) {
    admin
        .apps()
        .deployments()
        .inNamespace(CONTROL_PLANE_NAMESPACE)
        .withName("istiod-" + revision)
        .scale(0);
    istio.stop(revision);
    return this;
  }

  /** Brings istiod of {@code revision} back and waits until it is Available. */
  public RealMesh istiodUp(String revision) {
    istio.start(revision);
    admin
        .apps()
        .deployments()
        .inNamespace(CONTROL_PLANE_NAMESPACE)
        .withName("istiod-" + revision)
        .scale(1);
    await().atMost(SETTLE).until(() -> istiodAvailable(revision));
    return this;
  }

  /**
   * A Gateway API Gateway of class {@code istio} with one HTTP listener, labelled {@code
   * istio.io/rev=<revision>}: istiod of that revision deploys it (Deployment {@code <name>-istio}).
   */
  public RealMesh gateway(String namespace, String name, String revision) {
    admin
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("gateway.networking.k8s.io/v1")
                .withKind("Gateway")
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withLabels(Map.of(Sidecars.REVISION_LABEL, revision))
                .endMetadata()
                .addToAdditionalProperties(
                    "spec",
                    Map.of(
                        "gatewayClassName",
                        "istio",
                        "listeners",
                        List.of(Map.of("name", "http", "port", 80, "protocol", "HTTP"))))
                .build())
        .serverSideApply();
    return this;
  }

  /**
   * An injected gateway as Istio's gateway chart installs one ({@code manifests/charts/gateway}): a
   * Deployment whose pod template is labelled {@code sidecar.istio.io/inject: "true"} and {@code
   * istio.io/rev=<revision>} and annotated {@code inject.istio.io/templates: gateway}, with one
   * container {@code istio-proxy} of image {@code auto} that Istio's injector fills in.
   */
  public RealMesh injectedGateway(String namespace, String name, String revision) {
    return injectedGateway(namespace, name, revision, 1);
  }

  /** As {@link #injectedGateway(String, String, String)}, with {@code replicas} pods. */
  public RealMesh injectedGateway(String namespace, String name, String revision, int replicas) {
    PodTemplateSpec template =
        template(
            Map.of(
                "app", name, "sidecar.istio.io/inject", "true", Sidecars.REVISION_LABEL, revision),
            Map.of("inject.istio.io/templates", "gateway"),
            "istio-proxy",
            "auto");
    return deployment(namespace, name, replicas, template);
  }

  /**
   * Deletes the Gateway API's Gateway CRD, as on a cluster where it was never installed, and waits
   * until discovery no longer serves Gateways (the group keeps its other kinds).
   */
  public RealMesh removeGatewayCrd() {
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("gateways.gateway.networking.k8s.io")
        .delete();
    await("the Gateway CRD is gone")
        .atMost(SETTLE)
        .until(
            () ->
                admin.getApiResources("gateway.networking.k8s.io/v1").getResources().stream()
                    .noneMatch(r -> r.getName().equals("gateways")));
    return this;
  }

  /** {@code istioctl tag set TAG --revision REV --overwrite}, as a user points a tag. */
  public RealMesh tag(String tag, String revision) {
    istio.tagSet(tag, revision);
    return this;
  }

  /** Whether the istiod Deployment of {@code revision} reports condition Available. */
  public boolean istiodAvailable(String revision) {
    return available(CONTROL_PLANE_NAMESPACE, "istiod-" + revision);
  }

  private boolean available(String namespace, String name) {
    Deployment d = admin.apps().deployments().inNamespace(namespace).withName(name).get();
    return d != null
        && d.getStatus() != null
        && d.getStatus().getConditions() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Creates the namespace with these labels, or sets them. */
  public RealMesh namespace(String name, Map<String, String> labels) {
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

  public RealMesh deployment(String namespace, String name, int replicas) {
    return deployment(namespace, name, replicas, Map.of());
  }

  /** A Deployment whose pod template carries these annotations, e.g. an injection opt-out. */
  public RealMesh deployment(
      String namespace, String name, int replicas, Map<String, String> templateAnnotations) {
    return deployment(
        namespace,
        name,
        replicas,
        template(
            Map.of("app", name), templateAnnotations, "app", "registry.example/" + name + ":1"));
  }

  /** A Deployment of pods labelled {@code app=<name>} from {@code template}. */
  private RealMesh deployment(
      String namespace, String name, int replicas, PodTemplateSpec template) {
    return create(
        new DeploymentBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withLabels(Map.of("app", name))
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withTemplate(template)
            .endSpec()
            .build());
  }

  /**
   * Gives the Deployment's rollouts {@code seconds} to progress: past that, the deployment
   * controller reports {@code Progressing=False, ProgressDeadlineExceeded}.
   */
  public RealMesh progressDeadline(String namespace, String name, int seconds) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("spec").put("progressDeadlineSeconds", seconds);
    admin
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    return this;
  }

  public RealMesh statefulSet(String namespace, String name, int replicas) {
    return create(
        new StatefulSetBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withLabels(Map.of("app", name))
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withServiceName(name)
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withTemplate(appTemplate(name))
            .endSpec()
            .build());
  }

  /**
   * {@code updateStrategy: OnDelete} on a StatefulSet or DaemonSet ({@code resource}: statefulsets
   * or daemonsets): its controller replaces no pod; someone deletes them.
   */
  public RealMesh onDelete(String namespace, String resource, String name) {
    return patch(
        namespace,
        resource,
        name,
        "{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}");
  }

  /** A StatefulSet's {@code rollingUpdate.partition}: pods below it keep their template. */
  public RealMesh partition(String namespace, String statefulSet, int partition) {
    return patch(
        namespace,
        "statefulsets",
        statefulSet,
        "{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":"
            + partition
            + "}}}}");
  }

  /** Pauses or resumes a Deployment ({@code spec.paused}). */
  public RealMesh paused(String namespace, String deployment, boolean paused) {
    return patch(namespace, "deployments", deployment, "{\"spec\":{\"paused\":" + paused + "}}");
  }

  private RealMesh patch(String namespace, String resource, String name, String patch) {
    admin
        .genericKubernetesResources("apps/v1", kindOf(resource))
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    return this;
  }

  private static String kindOf(String resource) {
    return switch (resource) {
      case "deployments" -> "Deployment";
      case "statefulsets" -> "StatefulSet";
      case "daemonsets" -> "DaemonSet";
      default -> throw new IllegalArgumentException("not a workload resource: " + resource);
    };
  }

  /**
   * A PodDisruptionBudget over the pods labelled {@code app}: the disruption controller of the real
   * kube-controller-manager keeps its status, the Eviction API answers 429 when it is spent.
   */
  public RealMesh podDisruptionBudget(String namespace, String app, int minAvailable) {
    admin.resource(budget(namespace, app, minAvailable)).serverSideApply();
    return this;
  }

  /**
   * A PodDisruptionBudget over the pods labelled {@code app=<app>} keeping {@code minAvailable}.
   */
  static PodDisruptionBudget budget(String namespace, String app, int minAvailable) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(app)
        .endMetadata()
        .withNewSpec()
        .withNewMinAvailable(minAvailable)
        .withNewSelector()
        .withMatchLabels(Map.of("app", app))
        .endSelector()
        .endSpec()
        .build();
  }

  /** A pod no controller owns (its sidecar is what the namespace injects). */
  public RealMesh barePod(String namespace, String name) {
    admin
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withSpec(appTemplate(name).getSpec())
                .build())
        .create();
    return this;
  }

  /** A Job whose one pod runs until the test ends (the fake kubelet never completes it). */
  public RealMesh job(String namespace, String name) {
    PodTemplateSpec template = appTemplate(name);
    template.getSpec().setRestartPolicy("Never");
    admin
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withTemplate(template)
                .endSpec()
                .build())
        .create();
    return this;
  }

  /** A DaemonSet: one pod on each fake node. */
  public RealMesh daemonSet(String namespace, String name) {
    return create(
        new DaemonSetBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withLabels(Map.of("app", name))
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withTemplate(appTemplate(name))
            .endSpec()
            .build());
  }

  /** An application namespace with a Deployment (2), a StatefulSet (1) and a DaemonSet. */
  public RealMesh appNamespace(String name, Map<String, String> labels) {
    return namespace(name, labels)
        .deployment(name, name + "-web", 2)
        .statefulSet(name, name + "-db", 1)
        .daemonSet(name, name + "-agent");
  }

  private RealMesh create(HasMetadata workload) {
    admin.resource(workload).create();
    return this;
  }

  private static PodTemplateSpec appTemplate(String name) {
    return template(Map.of("app", name), Map.of(), "app", "registry.example/" + name + ":1");
  }

  private static PodTemplateSpec template(
      Map<String, String> labels, Map<String, String> annotations, String container, String image) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(0L)
        .addToContainers(new ContainerBuilder().withName(container).withImage(image).build())
        .endSpec()
        .build();
  }

  /** Waits until every workload of the namespace is rolled out, by kubectl's rules. */
  public void awaitSettled(String namespace) {
    await()
        .atMost(SETTLE)
        .untilAsserted(
            () ->
                org.assertj.core.api.Assertions.assertThat(unsettled(namespace))
                    .as("workloads of %s not rolled out", namespace)
                    .isEmpty());
  }

  public boolean settled(String namespace) {
    return unsettled(namespace).isEmpty();
  }

  /** What is still rolling out in the namespace, one line per workload or pod. */
  public List<String> unsettled(String namespace) {
    List<String> pending = new ArrayList<>();
    for (Deployment d : admin.apps().deployments().inNamespace(namespace).list().getItems()) {
      if (!rolledOut(d)) {
        pending.add("Deployment " + d.getMetadata().getName() + " " + d.getStatus());
      }
    }
    for (StatefulSet s : admin.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      if (!rolledOut(s)) {
        pending.add("StatefulSet " + s.getMetadata().getName() + " " + s.getStatus());
      }
    }
    for (DaemonSet d : admin.apps().daemonSets().inNamespace(namespace).list().getItems()) {
      if (!rolledOut(d)) {
        pending.add("DaemonSet " + d.getMetadata().getName() + " " + d.getStatus());
      }
    }
    for (Pod p : admin.pods().inNamespace(namespace).list().getItems()) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        pending.add("Pod " + p.getMetadata().getName() + " being deleted");
      }
    }
    return pending;
  }

  private static boolean rolledOut(Deployment d) {
    var s = d.getStatus();
    int replicas = d.getSpec().getReplicas();
    return s != null
        && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && Objects.equals(s.getUpdatedReplicas(), replicas)
        && Objects.equals(s.getReplicas(), replicas)
        && Objects.equals(s.getAvailableReplicas(), replicas);
  }

  /**
   * kubectl's rule; with OnDelete or a partition the controller never sets currentRevision, so
   * there: every pod it is to update is updated (none at all with OnDelete) and all are ready.
   */
  private static boolean rolledOut(StatefulSet st) {
    var s = st.getStatus();
    if (s == null
        || !Objects.equals(s.getObservedGeneration(), st.getMetadata().getGeneration())
        || !Objects.equals(s.getReadyReplicas(), st.getSpec().getReplicas())) {
      return false;
    }
    var strategy = st.getSpec().getUpdateStrategy();
    if (strategy != null && "OnDelete".equals(strategy.getType())) {
      return true;
    }
    Integer partition =
        strategy == null || strategy.getRollingUpdate() == null
            ? null
            : strategy.getRollingUpdate().getPartition();
    if (partition != null && partition > 0) {
      int updated = s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
      return updated >= st.getSpec().getReplicas() - partition;
    }
    return Objects.equals(s.getUpdateRevision(), s.getCurrentRevision());
  }

  private static boolean rolledOut(DaemonSet ds) {
    var s = ds.getStatus();
    return s != null
        && Objects.equals(s.getObservedGeneration(), ds.getMetadata().getGeneration())
        && s.getDesiredNumberScheduled() != null
        && s.getDesiredNumberScheduled() > 0
        && Objects.equals(s.getUpdatedNumberScheduled(), s.getDesiredNumberScheduled())
        && Objects.equals(s.getNumberAvailable(), s.getDesiredNumberScheduled());
  }

  /** Pods of {@code namespace} by sidecar revision, read as istioctl reads it. */
  public Census census(String namespace) {
    return Census.of(pods(namespace));
  }

  /** Live pods of a namespace (those being deleted excluded). */
  public List<Pod> pods(String namespace) {
    return admin.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  public Map<String, String> labels(String namespace) {
    var ns = admin.namespaces().withName(namespace).get();
    return ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
  }

  @Override
  public void close() {
    istio.close();
    kubelet.close();
    cluster.close();
  }
}

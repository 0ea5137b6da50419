package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The kubelets of the simulated nodes, as they report the pods they run: a pod is Running as soon
 * as it is bound, every container started, and Ready (conditions ContainersReady and Ready) unless
 * a fault keeps its readiness probe failing. There is no scheduler: whoever makes a pod names its
 * node. Worker thread only.
 */
final class Kubelet {
  static final String NODE = "sim-node-0";

  private final SimContext context;
  private final Namespaces namespaces;
  private final SidecarInjector injector;

  Kubelet(SimContext context, Namespaces namespaces, SidecarInjector injector) {
    this.context = context;
    this.namespaces = namespaces;
    this.injector = injector;
  }

  /** Writes into {@code pod} the status its kubelet reports once its containers run. */
  static void start(Pod pod, boolean ready) {
    String now = Instant.now().toString();
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withStartTime(now)
            .withConditions(
                condition("PodScheduled", true),
                condition("Initialized", true),
                condition("ContainersReady", ready),
                condition("Ready", ready))
            .withContainerStatuses(
                pod.getSpec().getContainers().stream()
                    .map(
                        container ->
                            new ContainerStatusBuilder()
                                .withName(container.getName())
                                .withImage(container.getImage())
                                .withReady(ready)
                                .withStarted(true)
                                .withRestartCount(0)
                                .withNewState()
                                .withNewRunning()
                                .withStartedAt(now)
                                .endRunning()
                                .endState()
                                .build())
                    .toList())
            .build());
  }

  /**
   * Creates a Ready pod of image {@code app} that no imitated controller makes (a bare pod, a pod
   * of a Job or of an Argo Rollout), with the sidecar its namespace's labels inject.
   */
  void createRunning(
      String namespace,
      String name,
      String app,
      Map<String, String> extraLabels,
      OwnerReference owner) {
    Map<String, String> labels = new LinkedHashMap<>(Map.of("app", app));
    labels.putAll(extraLabels);
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(new LinkedHashMap<>())
            .withOwnerReferences(owner == null ? List.of() : List.of(owner))
            .endMetadata()
            .withNewSpec()
            .addToContainers(
                new ContainerBuilder().withName("app").withImage("registry.example/" + app).build())
            .withNodeName(NODE)
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withConditions(condition("Ready", true))
            .endStatus()
            .build();
    injector.admit(pod, namespaces.labels(namespace));
    context.sim.resource(pod).create();
  }

  /** Creates running pod {@code pod} of Job {@code job}, owned by it as the Job controller does. */
  void createJobPod(String namespace, String job, String pod) {
    OwnerReference owner =
        new OwnerReferenceBuilder()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName(job)
            .withUid(UUID.randomUUID().toString())
            .withController(true)
            .build();
    createRunning(namespace, pod, pod, Map.of(), owner);
  }

  private static PodCondition condition(String type, boolean status) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withLastTransitionTime(Instant.now().toString())
        .build();
  }

  static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  static int ready(List<Pod> pods) {
    return (int) pods.stream().filter(Kubelet::isReady).count();
  }
}

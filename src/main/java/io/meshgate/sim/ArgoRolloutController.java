package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * As Argo Rollouts' controller restarts a Rollout (argoproj.io/v1alpha1): when {@code
 * spec.restartAt} differs from {@code status.restartedAt} it recreates every pod (one ReplicaSet,
 * pods labelled {@code rollouts-pod-template-hash}), then sets {@code status.restartedAt}; an
 * evicted pod is replaced. No canary steps, no garbage collection of a deleted Rollout's pods.
 */
final class ArgoRolloutController implements ImitatedController {
  private static final ResourceDefinitionContext ROLLOUTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("argoproj.io")
          .withVersion("v1alpha1")
          .withKind("Rollout")
          .withPlural("rollouts")
          .withNamespaced(true)
          .build();

  private static final String ROLLOUT_HASH = "rollouts-pod-template-hash";

  private final SimContext context;
  private final Kubelet kubelet;

  ArgoRolloutController(SimContext context, Kubelet kubelet) {
    this.context = context;
    this.kubelet = kubelet;
  }

  @Override
  public List<SharedIndexInformer<?>> watch() {
    return List.of(
        context
            .sim
            .genericKubernetesResources(ROLLOUTS)
            .inAnyNamespace()
            .inform(
                SimContext.<GenericKubernetesResource>onEvent(
                    this::queue,
                    // its pods stay: the simulator keeps no garbage collector for Rollouts
                    rollout -> {}),
                0));
  }

  private void queue(GenericKubernetesResource rollout) {
    queue(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName());
  }

  private void queue(String namespace, String name) {
    context.later(null, () -> reconcile(namespace, name));
  }

  /** A pod of ReplicaSet {@code <rollout>-<hash>} with the Rollout's label is the Rollout's. */
  @Override
  public void podEvicted(
      String namespace, String ownerKind, String ownerName, Map<String, String> podLabels) {
    if ("ReplicaSet".equals(ownerKind) && podLabels.containsKey(ROLLOUT_HASH)) {
      queue(namespace, ownerName.substring(0, Math.max(0, ownerName.lastIndexOf('-'))));
    }
  }

  /** Creates Rollout {@code name} (a canary strategy) with {@code replicas} pods running. */
  void add(String namespace, String name, int replicas) {
    GenericKubernetesResource rollout = new GenericKubernetesResource();
    rollout.setApiVersion("argoproj.io/v1alpha1");
    rollout.setKind("Rollout");
    rollout.setMetadata(WorkloadTemplates.workloadMeta(namespace, name));
    rollout.setAdditionalProperty(
        "spec",
        Map.of(
            "replicas",
            replicas,
            "selector",
            Map.of("matchLabels", Map.of("app", name)),
            "template",
            SimContext.SORTED_JSON.convertValue(
                WorkloadTemplates.appTemplate(name, ClusterSimulator.Injection.DEFAULT), Map.class),
            "strategy",
            Map.of("canary", Map.of("steps", List.of(Map.of("setWeight", 20))))));
    context.sim.genericKubernetesResources(ROLLOUTS).resource(rollout).create();
    pods(namespace, name, replicas, false);
  }

  /** Replaces the pods older than {@code spec.restartAt}, then says the restart is done. */
  private void reconcile(String namespace, String name) {
    GenericKubernetesResource rollout =
        context
            .sim
            .genericKubernetesResources(ROLLOUTS)
            .inNamespace(namespace)
            .withName(name)
            .get();
    if (rollout == null) {
      return;
    }
    String restartAt = rollout.get("spec", "restartAt");
    String restartedAt = rollout.get("status", "restartedAt");
    Integer replicas = rollout.get("spec", "replicas");
    if (restartAt != null && !restartAt.equals(restartedAt)) {
      pods(namespace, name, replicas == null ? 1 : replicas, true);
      restartedAt = restartAt;
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", "Healthy");
    status.put("replicas", replicas);
    status.put("availableReplicas", replicas);
    if (restartedAt != null) {
      status.put("restartedAt", restartedAt);
    }
    if (!status.equals(rollout.get("status"))) {
      context.patchStatus(
          context.sim.genericKubernetesResources(ROLLOUTS).inNamespace(namespace).withName(name),
          status);
    }
  }

  /**
   * Keeps {@code replicas} pods of the Rollout; a restart recreates every one there is (they are
   * all older than a restartAt the test's clock may have set anywhere in time).
   */
  private void pods(String namespace, String name, int replicas, boolean restart) {
    String hash = "5f7c9d";
    String replicaSet = name + "-" + hash;
    List<Pod> pods =
        context
            .sim
            .pods()
            .inNamespace(namespace)
            .withLabel(ROLLOUT_HASH, hash)
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getMetadata().getName().startsWith(replicaSet + "-"))
            .toList();
    int kept = 0;
    for (Pod pod : pods) {
      if (restart || kept >= replicas) {
        context.sim.resource(pod).delete();
      } else {
        kept++;
      }
    }
    OwnerReference owner =
        new OwnerReferenceBuilder()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName(replicaSet)
            .withUid(UUID.nameUUIDFromBytes(replicaSet.getBytes(StandardCharsets.UTF_8)).toString())
            .withController(true)
            .build();
    for (; kept < replicas; kept++) {
      kubelet.createRunning(
          namespace, replicaSet + "-" + context.suffix(), name, Map.of(ROLLOUT_HASH, hash), owner);
    }
  }
}

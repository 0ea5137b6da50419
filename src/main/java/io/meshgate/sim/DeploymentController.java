package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * As the Deployment controller (with the ReplicaSet controller's part): one ReplicaSet per pod
 * template, named {@code <deployment>-<pod-template-hash>}, owning the pods; older ReplicaSets are
 * deleted (no revision history); {@code spec.paused} rolls nothing out; a rollout that cannot
 * finish reports {@code Progressing=False, ProgressDeadlineExceeded}.
 */
final class DeploymentController extends WorkloadController {
  DeploymentController(SimContext context, Namespaces namespaces, SidecarInjector injector) {
    super(WorkloadKind.DEPLOYMENT, context, namespaces, injector);
  }

  @Override
  String podName(WorkloadKey key, String revision, int slot) {
    return key.name() + "-" + revision + "-" + context.suffix();
  }

  @Override
  OwnerReference podOwner(WorkloadKey key, HasMetadata workload, String revision, int desired) {
    String name = key.name() + "-" + revision;
    for (ReplicaSet old :
        context
            .sim
            .apps()
            .replicaSets()
            .inNamespace(key.namespace())
            .withLabels(WorkloadKind.selector(workload).getMatchLabels())
            .list()
            .getItems()) {
      if (ownedBy(old, workload) && !old.getMetadata().getName().equals(name)) {
        context.sim.resource(old).delete();
      }
    }
    ReplicaSet current =
        context.sim.apps().replicaSets().inNamespace(key.namespace()).withName(name).get();
    if (current == null) {
      PodTemplateSpec template =
          new PodTemplateSpecBuilder(WorkloadKind.template(workload))
              .editMetadata()
              .addToLabels(kind.revisionLabel, revision)
              .endMetadata()
              .build();
      Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
      current =
          context
              .sim
              .resource(
                  new ReplicaSetBuilder()
                      .withNewMetadata()
                      .withName(name)
                      .withNamespace(key.namespace())
                      .withLabels(labels)
                      .withOwnerReferences(WorkloadTemplates.ownerReference(workload))
                      .endMetadata()
                      .withNewSpec()
                      .withReplicas(desired)
                      .withNewSelector()
                      .withMatchLabels(labels)
                      .endSelector()
                      .withTemplate(template)
                      .endSpec()
                      .build())
              .create();
    }
    return WorkloadTemplates.ownerReference(current);
  }

  /** Through the ReplicaSet of the pod's own template hash. */
  @Override
  boolean ownsPod(WorkloadKey key, Pod pod) {
    String replicaSet = key.name() + "-" + pod.getMetadata().getLabels().get(kind.revisionLabel);
    return pod.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> ref.getKind().equals("ReplicaSet") && ref.getName().equals(replicaSet));
  }

  /** Also through a ReplicaSet {@code <deployment>-<hash>}. */
  @Override
  boolean ownedThrough(WorkloadKey key, String ownerKind, String ownerName) {
    return super.ownedThrough(key, ownerKind, ownerName)
        || ("ReplicaSet".equals(ownerKind)
            && key.name().equals(ownerName.substring(0, Math.max(0, ownerName.lastIndexOf('-')))));
  }

  @Override
  void collectOwnedObjects(WorkloadKey key, Map<String, String> selector) {
    for (ReplicaSet replicaSet :
        context
            .sim
            .apps()
            .replicaSets()
            .inNamespace(key.namespace())
            .withLabels(selector)
            .list()
            .getItems()) {
      if (replicaSet.getMetadata().getOwnerReferences().stream()
          .anyMatch(ref -> ref.getName().equals(key.name()))) {
        context.sim.resource(replicaSet).delete();
      }
    }
  }

  private static boolean ownedBy(HasMetadata dependent, HasMetadata owner) {
    return dependent.getMetadata().getOwnerReferences().stream()
        .anyMatch(
            ref ->
                ref.getKind().equals(owner.getKind())
                    && ref.getName().equals(owner.getMetadata().getName()));
  }
}

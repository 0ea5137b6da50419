package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.Map;

/**
 * The objects the simulator's setup methods create, as a user's manifests would declare them
 * (selector and pod label {@code app: <name>}, one container), and the owner references the
 * controllers set on what they make.
 */
final class WorkloadTemplates {
  private WorkloadTemplates() {}

  /** A Deployment of {@code replicas} pods of application {@code name}. */
  static HasMetadata deployment(
      String namespace, String name, int replicas, ClusterSimulator.Injection injection) {
    return new DeploymentBuilder()
        .withMetadata(workloadMeta(namespace, name))
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(Map.of("app", name))
        .endSelector()
        .withTemplate(appTemplate(name, injection))
        .endSpec()
        .build();
  }

  /**
   * An injected gateway as Istio's gateway chart ({@code manifests/charts/gateway}) declares one: a
   * Deployment whose pod template is labelled {@code sidecar.istio.io/inject: "true"} and {@code
   * istio.io/rev=<revision>}, annotated {@code inject.istio.io/templates: gateway}, with one
   * container {@code istio-proxy} of image {@code auto} that the injector fills in.
   */
  static HasMetadata injectedGateway(String namespace, String name, String revision, int replicas) {
    return new DeploymentBuilder()
        .withMetadata(workloadMeta(namespace, name))
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(Map.of("app", name))
        .endSelector()
        .withTemplate(
            template(
                Map.of("app", name, Sidecars.INJECT, "true", Sidecars.REVISION_LABEL, revision),
                Map.of(Sidecars.TEMPLATES, Sidecars.GATEWAY_TEMPLATE),
                "istio-proxy",
                "auto"))
        .endSpec()
        .build();
  }

  /** A StatefulSet (RollingUpdate) of {@code replicas} pods of application {@code name}. */
  static HasMetadata statefulSet(
      String namespace, String name, int replicas, ClusterSimulator.Injection injection) {
    return new StatefulSetBuilder()
        .withMetadata(workloadMeta(namespace, name))
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(name)
        .withNewSelector()
        .withMatchLabels(Map.of("app", name))
        .endSelector()
        .withTemplate(appTemplate(name, injection))
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .endUpdateStrategy()
        .endSpec()
        .build();
  }

  /** A DaemonSet (RollingUpdate) of application {@code name}. */
  static HasMetadata daemonSet(
      String namespace, String name, ClusterSimulator.Injection injection) {
    return new DaemonSetBuilder()
        .withMetadata(workloadMeta(namespace, name))
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Map.of("app", name))
        .endSelector()
        .withTemplate(appTemplate(name, injection))
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .endUpdateStrategy()
        .endSpec()
        .build();
  }

  static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static ObjectMeta workloadMeta(String namespace, String name) {
    return new ObjectMetaBuilder()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(Map.of("app", name))
        .build();
  }

  /** The pod template of application {@code name}, opted out of injection if asked. */
  static PodTemplateSpec appTemplate(String name, ClusterSimulator.Injection injection) {
    Map<String, String> annotations =
        injection == ClusterSimulator.Injection.OPTED_OUT
            ? Map.of(Sidecars.INJECT, "false")
            : Map.of();
    return template(Map.of("app", name), annotations, "app", "registry.example/" + name + ":1");
  }

  static PodTemplateSpec template(
      Map<String, String> labels, Map<String, String> annotations, String container, String image) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .addToContainers(new ContainerBuilder().withName(container).withImage(image).build())
        .endSpec()
        .build();
  }
}

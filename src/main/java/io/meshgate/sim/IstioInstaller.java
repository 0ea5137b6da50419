package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Istio control plane as the Sail Operator installs it and {@code istioctl tag set} points
 * tags: per revision an istiod Deployment and its injector webhook, per tag a webhook calling one
 * revision's istiod. istiod's status is written here, never by the Deployment controller. Worker
 * thread only.
 */
final class IstioInstaller {
  static final String TAG_WEBHOOK_PREFIX = "istio-revision-tag-";

  private final SimContext context;
  private final Namespaces namespaces;

  IstioInstaller(SimContext context, Namespaces namespaces) {
    this.context = context;
    this.namespaces = namespaces;
  }

  /**
   * Creates or updates istiod {@code istiod-<rev>} and webhook {@code
   * istio-sidecar-injector-<rev>}.
   */
  void istiod(String revision, boolean available) {
    namespaces.ensure(ClusterSimulator.CONTROL_PLANE_NAMESPACE);
    Map<String, String> labels =
        Map.of("app", "istiod", Sidecars.REVISION_LABEL, revision, "istio", "pilot");
    Deployment istiod =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("istiod-" + revision)
            .withNamespace(ClusterSimulator.CONTROL_PLANE_NAMESPACE)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .withMatchLabels(Map.of("app", "istiod", Sidecars.REVISION_LABEL, revision))
            .endSelector()
            .withTemplate(
                WorkloadTemplates.template(labels, Map.of(), "discovery", "docker.io/istio/pilot"))
            .endSpec()
            .build();
    context.sim.resource(istiod).createOr(NonDeletingOperation::update);
    context.sim.resource(injectorWebhook(revision)).createOr(NonDeletingOperation::update);
    writeIstiodStatus(revision, available);
  }

  Resource<Deployment> istiodResource(String revision) {
    return context
        .sim
        .apps()
        .deployments()
        .inNamespace(ClusterSimulator.CONTROL_PLANE_NAMESPACE)
        .withName("istiod-" + revision);
  }

  /** A rolled-out istiod, Available or not (as when its pods crash). */
  void writeIstiodStatus(String revision, boolean available) {
    WorkloadKind.Counts counts = new WorkloadKind.Counts(1, 1, 1, available ? 1 : 0);
    long generation = SimContext.generation(istiodResource(revision).get());
    Map<String, Object> status =
        WorkloadKind.DEPLOYMENT.status(generation, counts, "istiod-" + revision, null, null, false);
    context.patchStatus(istiodResource(revision), status);
  }

  /** Creates tag webhook {@code istio-revision-tag-<tag>}, or points it at {@code revision}. */
  void tag(String tag, String revision) {
    context
        .sim
        .resource(
            injectionWebhook(
                TAG_WEBHOOK_PREFIX + tag,
                Map.of(
                    "istio.io/tag",
                    tag,
                    Sidecars.REVISION_LABEL,
                    revision,
                    "app",
                    "sidecar-injector"),
                tag,
                revision))
        .createOr(NonDeletingOperation::update);
  }

  /** The tag's webhook as it now is; null when the tag does not exist. */
  MutatingWebhookConfiguration tagWebhook(String tag) {
    return context
        .sim
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(TAG_WEBHOOK_PREFIX + tag)
        .get();
  }

  private static MutatingWebhookConfiguration injectorWebhook(String revision) {
    return injectionWebhook(
        "istio-sidecar-injector-" + revision,
        Map.of(Sidecars.REVISION_LABEL, revision, "app", "sidecar-injector"),
        revision,
        revision);
  }

  /**
   * The webhooks Istio's chart renders for a revision or a tag {@code selected}
   * (templates/mutatingwebhook.yaml, revision-tags-mwc.yaml): namespaces labelled with it, and pods
   * labelled with it in namespaces with neither injection label; tag {@code default} also takes
   * {@code istio-injection=enabled} namespaces and pods labelled {@code sidecar.istio.io/inject:
   * "true"}. Every one calls istiod of {@code revision}.
   */
  private static MutatingWebhookConfiguration injectionWebhook(
      String name, Map<String, String> labels, String selected, String revision) {
    List<MutatingWebhook> webhooks = new ArrayList<>();
    webhooks.add(
        webhook(
            "rev.namespace.sidecar-injector.istio.io",
            revision,
            List.of(
                requirement(Sidecars.REVISION_LABEL, "In", selected),
                requirement(Sidecars.INJECTION_LABEL, "DoesNotExist")),
            List.of(requirement(Sidecars.INJECT, "NotIn", "false"))));
    webhooks.add(
        webhook(
            "rev.object.sidecar-injector.istio.io",
            revision,
            List.of(
                requirement(Sidecars.REVISION_LABEL, "DoesNotExist"),
                requirement(Sidecars.INJECTION_LABEL, "DoesNotExist")),
            List.of(
                requirement(Sidecars.INJECT, "NotIn", "false"),
                requirement(Sidecars.REVISION_LABEL, "In", selected))));
    if ("default".equals(selected)) {
      webhooks.add(
          webhook(
              "namespace.sidecar-injector.istio.io",
              revision,
              List.of(requirement(Sidecars.INJECTION_LABEL, "In", "enabled")),
              List.of(requirement(Sidecars.INJECT, "NotIn", "false"))));
      webhooks.add(
          webhook(
              "object.sidecar-injector.istio.io",
              revision,
              List.of(
                  requirement(Sidecars.INJECTION_LABEL, "DoesNotExist"),
                  requirement(Sidecars.REVISION_LABEL, "DoesNotExist")),
              List.of(
                  requirement(Sidecars.INJECT, "In", "true"),
                  requirement(Sidecars.REVISION_LABEL, "DoesNotExist"))));
    }
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withWebhooks(webhooks)
        .build();
  }

  private static MutatingWebhook webhook(
      String name,
      String revision,
      List<LabelSelectorRequirement> namespaces,
      List<LabelSelectorRequirement> objects) {
    return new MutatingWebhookBuilder()
        .withName(name)
        .withNewClientConfig()
        .withNewService()
        .withName("istiod-" + revision)
        .withNamespace(ClusterSimulator.CONTROL_PLANE_NAMESPACE)
        .withPath("/inject")
        .withPort(443)
        .endService()
        .endClientConfig()
        .withNewNamespaceSelector()
        .withMatchExpressions(namespaces)
        .endNamespaceSelector()
        .withNewObjectSelector()
        .withMatchExpressions(objects)
        .endObjectSelector()
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .withReinvocationPolicy("Never")
        .withTimeoutSeconds(10)
        .build();
  }

  private static LabelSelectorRequirement requirement(
      String key, String operator, String... values) {
    return new LabelSelectorRequirementBuilder()
        .withKey(key)
        .withOperator(operator)
        .withValues(values)
        .build();
  }
}

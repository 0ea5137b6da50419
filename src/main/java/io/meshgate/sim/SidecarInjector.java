package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's sidecar injector, as its mutating webhooks act when a pod is created: the namespace's
 * {@code istio-injection} or {@code istio.io/rev} label picks the webhook, else the pod's own
 * {@code istio.io/rev} (an injected gateway's), a revision tag's webhook sends the pod to the
 * istiod it points at, {@code sidecar.istio.io/inject: "false"} opts out (istio-facts.md section
 * 4). Worker thread only.
 */
final class SidecarInjector {
  private final SimContext context;

  SidecarInjector(SimContext context) {
    this.context = context;
  }

  /**
   * Adds to {@code pod}, before it is created, the sidecar its namespace's or its labels select.
   */
  void admit(Pod pod, Map<String, String> namespaceLabels) {
    injectedBy(
            Sidecars.injectingRevision(
                namespaceLabels,
                SimContext.mapOrEmpty(pod.getMetadata().getLabels()),
                SimContext.mapOrEmpty(pod.getMetadata().getAnnotations())))
        .ifPresent(revision -> Sidecars.inject(pod, revision));
  }

  /**
   * The revision that injects a pod whose namespace selects {@code selected}: through a tag, the
   * istiod its webhook calls (what {@code tag set --overwrite} changes), as the API server would.
   */
  private Optional<String> injectedBy(Optional<String> selected) {
    if (selected.isEmpty()) {
      return selected;
    }
    MutatingWebhookConfiguration tag =
        context
            .sim
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(IstioInstaller.TAG_WEBHOOK_PREFIX + selected.get())
            .get();
    if (tag == null || tag.getWebhooks() == null || tag.getWebhooks().isEmpty()) {
      return selected;
    }
    ServiceReference istiod = tag.getWebhooks().get(0).getClientConfig().getService();
    return Optional.of(
        istiod != null && istiod.getName().startsWith("istiod-")
            ? istiod.getName().substring("istiod-".length())
            : tag.getMetadata().getLabels().get(Sidecars.REVISION_LABEL));
  }
}

package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whether a control-plane revision can serve proxies (DESIGN.md section 5, "Revisions exist"): its
 * istiod Deployment in the control-plane namespace, and its injector webhook. From two informers:
 * the istiod Deployments, and every MutatingWebhookConfiguration labelled {@code istio.io/rev}
 * (revision tags' webhooks among them, read by {@link RevisionTags}).
 */
final class Revisions {
  private final Watched<Deployment> istiods;
  private final Watched<MutatingWebhookConfiguration> webhooks;

  Revisions(KubernetesClient client, String controlPlaneNamespace) {
    this.istiods =
        new Watched<>(
            "istiod deployments in " + controlPlaneNamespace,
            "deployments",
            () ->
                client
                    .apps()
                    .deployments()
                    .inNamespace(controlPlaneNamespace)
                    .withLabel("app", "istiod")
                    .withLimit(NamespaceWatch.PAGE)
                    .runnableInformer(0),
            List.of());
    this.webhooks =
        new Watched<>(
            "mutatingwebhookconfigurations labelled " + Annotations.REV_LABEL,
            "mutatingwebhookconfigurations",
            () ->
                client
                    .admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withLabel(Annotations.REV_LABEL)
                    .withLimit(NamespaceWatch.PAGE)
                    .runnableInformer(0),
            List.of());
  }

  /** The informers, in the order they start. */
  List<Watched<?>> informers() {
    return List.of(istiods, webhooks);
  }

  /**
   * istiod of the revision Available in the control-plane namespace; for the target also its
   * webhook.
   */
  boolean available(String revision, boolean needsWebhook) {
    boolean istiod =
        istiods.list().stream()
            .filter(d -> revision.equals(Meta.labels(d.getMetadata()).get(Annotations.REV_LABEL)))
            .filter(d -> "istiod".equals(Meta.labels(d.getMetadata()).get("app")))
            .anyMatch(Revisions::serving);
    if (!istiod || !needsWebhook) {
      return istiod;
    }
    return injectorWebhook(revision).isPresent();
  }

  /** The revision's istiod Deployment in the control-plane namespace, from the cache. */
  Optional<Deployment> istiod(String revision) {
    return istiods.list().stream()
        .filter(d -> revision.equals(Meta.labels(d.getMetadata()).get(Annotations.REV_LABEL)))
        .filter(d -> "istiod".equals(Meta.labels(d.getMetadata()).get("app")))
        .min(Comparator.comparing(d -> d.getMetadata().getName()));
  }

  /** The revision's own injector webhook: labelled with it, and not a tag's. */
  Optional<MutatingWebhookConfiguration> injectorWebhook(String revision) {
    return webhooks.list().stream()
        .filter(w -> revision.equals(Meta.labels(w.getMetadata()).get(Annotations.REV_LABEL)))
        .filter(w -> !Meta.labels(w.getMetadata()).containsKey(Annotations.TAG_LABEL))
        .filter(w -> w.getWebhooks() != null && !w.getWebhooks().isEmpty())
        .min(Comparator.comparing(w -> w.getMetadata().getName()));
  }

  /** Every webhook labelled {@code istio.io/rev}, revisions' and tags', from the cache. */
  List<MutatingWebhookConfiguration> webhooks() {
    return webhooks.list();
  }

  /**
   * Available with at least one available pod: a Deployment scaled to zero reports Available (it
   * has all the replicas it wants), but an istiod without a pod serves no proxy.
   */
  private static boolean serving(Deployment d) {
    return d.getStatus() != null
        && d.getStatus().getAvailableReplicas() != null
        && d.getStatus().getAvailableReplicas() > 0
        && d.getStatus().getConditions() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}

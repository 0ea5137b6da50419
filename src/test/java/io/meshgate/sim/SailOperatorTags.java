package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IstioRevisionTag part of the {@link SailOperator} stand-in ({@code
 * controllers/istiorevisiontag/istiorevisiontag_controller.go}): a tag's revision is its {@code
 * targetRef}, an IstioRevision by name or an Istio's {@code status.activeRevisionName}; its webhook
 * {@code istio-revision-tag-<tag>} is what {@code istioctl tag generate} renders for that revision
 * (the revision's injector with the tag's selectors), labelled {@code managed-by: sail-operator}
 * with a controller ownerReference to the tag ({@code pkg/helm/postrenderer.go}). The webhook is
 * watched and rendered again on any change but of the caBundle (which istiod patches), so a direct
 * edit is reverted ({@code pkg/watches/watches.go}).
 */
final class SailOperatorTags {
  private static final Logger LOG = LoggerFactory.getLogger(SailOperatorTags.class);
  private static final String PREFIX = "istio-revision-tag-";

  private final SailOperator sail;
  private final IstioControlPlane istio;

  /** istioctl's rendering per {@code tag/revision}: it never changes for a pair. */
  private final Map<String, MutatingWebhookConfiguration> rendered = new ConcurrentHashMap<>();

  /**
   * What the API server stored of each tag webhook at our last write for a revision ({@code
   * tag/revision}), caBundles left out: the server's defaults are in it, so it compares with what
   * the informer sees.
   */
  private final Map<String, MutatingWebhookConfiguration> written = new ConcurrentHashMap<>();

  private final Map<String, String> pointsAt = new ConcurrentHashMap<>();
  private SharedIndexInformer<MutatingWebhookConfiguration> webhooks;

  SailOperatorTags(SailOperator sail, IstioControlPlane istio) {
    this.sail = sail;
    this.istio = istio;
  }

  SharedIndexInformer<MutatingWebhookConfiguration> watch(
      ResourceEventHandler<MutatingWebhookConfiguration> handler) {
    webhooks =
        sail.admin.admissionRegistration().v1().mutatingWebhookConfigurations().inform(handler);
    return webhooks;
  }

  /** The revision the tag {@code name} points at, when there is such a tag. */
  Optional<String> revisionOfTag(String name) {
    return Optional.ofNullable(pointsAt.get(name));
  }

  void reconcile(GenericKubernetesResource tag) {
    String name = tag.getMetadata().getName();
    String revision = target(tag);
    if (revision == null) {
      pointsAt.remove(name);
      return;
    }
    pointsAt.put(name, revision);
    MutatingWebhookConfiguration current = webhooks.getStore().getByKey(PREFIX + name);
    if (current == null || !same(current, written.get(name + "/" + revision))) {
      MutatingWebhookConfiguration desired = desired(tag, revision, current);
      MutatingWebhookConfiguration stored =
          current == null
              ? sail.admin.resource(desired).create()
              : sail.admin.resource(desired).update();
      written.put(name + "/" + revision, withoutCaBundles(stored));
      LOG.info("Sail stand-in: rendered the webhook of tag {} for revision {}", name, revision);
    }
    if (!revision.equals(SailObjects.path(tag, "status", "istioRevision"))) {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("istioRevision", revision);
      status.put("istiodNamespace", IstioControlPlane.NAMESPACE);
      sail.patchStatus(SailOperator.TAGS, name, status);
    }
  }

  /** The revision the tag's targetRef resolves to, or null when it names nothing (yet). */
  private String target(GenericKubernetesResource tag) {
    String kind = (String) SailObjects.path(tag, "spec", "targetRef", "kind");
    String name = (String) SailObjects.path(tag, "spec", "targetRef", "name");
    if ("Istio".equals(kind)) {
      GenericKubernetesResource owner = sail.istio(name);
      return owner == null
          ? null
          : (String) SailObjects.path(owner, "status", "activeRevisionName");
    }
    return name;
  }

  private MutatingWebhookConfiguration desired(
      GenericKubernetesResource tag, String revision, MutatingWebhookConfiguration current) {
    String name = tag.getMetadata().getName();
    MutatingWebhookConfiguration template =
        rendered.computeIfAbsent(name + "/" + revision, k -> render(name, revision));
    MutatingWebhookConfiguration desired = sail.admin.getKubernetesSerialization().clone(template);
    Map<String, String> labels = new HashMap<>(desired.getMetadata().getLabels());
    labels.put("managed-by", "sail-operator");
    desired.getMetadata().setLabels(labels);
    desired.getMetadata().setOwnerReferences(List.of(SailObjects.controllerReference(tag)));
    if (current != null) {
      desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
      Map<String, String> caBundles = new HashMap<>();
      current
          .getWebhooks()
          .forEach(w -> caBundles.put(w.getName(), w.getClientConfig().getCaBundle()));
      desired
          .getWebhooks()
          .forEach(w -> w.getClientConfig().setCaBundle(caBundles.get(w.getName())));
    }
    return desired;
  }

  private MutatingWebhookConfiguration render(String tag, String revision) {
    String manifest = istio.istioctl("tag", "generate", tag, "--revision", revision, "--overwrite");
    List<HasMetadata> objects =
        sail.admin
            .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
            .items();
    return objects.stream()
        .filter(MutatingWebhookConfiguration.class::isInstance)
        .map(MutatingWebhookConfiguration.class::cast)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("istioctl rendered no webhook:\n" + manifest));
  }

  /** The same labels, owners and webhooks as at our last write; the caBundles do not count. */
  private boolean same(MutatingWebhookConfiguration current, MutatingWebhookConfiguration last) {
    if (last == null) {
      return false;
    }
    MutatingWebhookConfiguration now = withoutCaBundles(current);
    return now.getMetadata().getLabels().equals(last.getMetadata().getLabels())
        && now.getMetadata().getOwnerReferences().equals(last.getMetadata().getOwnerReferences())
        && now.getWebhooks().equals(last.getWebhooks());
  }

  private MutatingWebhookConfiguration withoutCaBundles(MutatingWebhookConfiguration webhook) {
    MutatingWebhookConfiguration copy = sail.admin.getKubernetesSerialization().clone(webhook);
    copy.getWebhooks().stream()
        .map(MutatingWebhook::getClientConfig)
        .forEach(c -> c.setCaBundle(null));
    return copy;
  }
}

package io.meshgate.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.controller.ClusterWriteException;
import io.meshgate.controller.TagPort;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.migration.Observed;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revision tags as Istio keeps them: a tag is its webhook {@code istio-revision-tag-<tag>},
 * labelled with the revision it points at. Read from the webhook cache of {@link Revisions}; moved
 * as {@code istioctl tag set --overwrite} moves one. A tag the Sail Operator renders from an
 * IstioRevisionTag is moved through that resource's {@code spec.targetRef} instead (Sail reverts
 * any edit of the webhook it owns), and where it points is still what its webhook says once Sail
 * rendered it again.
 */
final class RevisionTags implements TagPort {
  private static final Logger LOG = LoggerFactory.getLogger(RevisionTags.class);
  private static final ObjectMapper JSON = Mappers.json();
  private static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  private static final String HELM = "Helm";
  private static final String SAIL_MANAGED_BY = "managed-by";
  private static final String SAIL = "sail-operator";

  private final KubernetesClient client;
  private final WriteHook hook;
  private final Revisions revisions;
  private final SailOperator sail;

  RevisionTags(KubernetesClient client, WriteHook hook, Revisions revisions, SailOperator sail) {
    this.client = client;
    this.hook = hook;
    this.revisions = revisions;
    this.sail = sail;
  }

  /** Every revision tag, from its webhook {@code istio-revision-tag-<tag>} in the cache. */
  Map<String, Observed.TagWebhook> all() {
    Map<String, Observed.TagWebhook> tags = new HashMap<>();
    for (MutatingWebhookConfiguration w : revisions.webhooks()) {
      Map<String, String> labels = Meta.labels(w.getMetadata());
      String tag = labels.get(Annotations.TAG_LABEL);
      if (tag != null && w.getMetadata().getName().equals(Annotations.TAG_WEBHOOK_PREFIX + tag)) {
        GenericKubernetesResource sailTag = sail.tag(tag).orElse(null);
        Map<String, String> annotations =
            Meta.annotations(sailTag == null ? w.getMetadata() : sailTag.getMetadata());
        tags.put(
            tag,
            new Observed.TagWebhook(
                labels.get(Annotations.REV_LABEL),
                annotations.get(Annotations.MIGRATION),
                annotations.get(Annotations.PREVIOUS_REVISION),
                sailTag == null ? null : SailOperator.targetRef(sailTag),
                HELM.equals(labels.get(MANAGED_BY))));
      }
    }
    return tags;
  }

  /** The {@code istio.io/rev} values that select {@code revision}: itself and its tags. */
  static Set<String> labelsOf(String revision, Map<String, Observed.TagWebhook> tags) {
    Set<String> labels = new HashSet<>();
    labels.add(revision);
    tags.forEach(
        (tag, webhook) -> {
          if (revision.equals(webhook.revision())) {
            labels.add(tag);
          }
        });
    return labels;
  }

  /**
   * Whether a namespace's pods are injected through tag {@code tag}: labelled {@code
   * istio.io/rev=<tag>} without {@code istio-injection} (which would override it), or for tag
   * {@code default} also {@code istio-injection=enabled}, as Istio's webhooks select them.
   */
  static boolean follows(GenericKubernetesResource namespace, String tag) {
    if (namespace == null) {
      return false;
    }
    Map<String, String> labels = Meta.labels(namespace.getMetadata());
    String injection = labels.get(Annotations.INJECTION_LABEL);
    if (injection != null) {
      return "default".equals(tag)
          && "enabled".equals(injection)
          && !labels.containsKey(Annotations.REV_LABEL);
    }
    return tag.equals(labels.get(Annotations.REV_LABEL));
  }

  @Override
  public void moveTag(String migration, String tag, String revision, String previousRevision) {
    if (sail.tag(tag).isPresent()) {
      moveSailTag(migration, tag, revision, previousRevision);
      return;
    }
    String name = Annotations.TAG_WEBHOOK_PREFIX + tag;
    MutatingWebhookConfiguration current =
        revisions.webhooks().stream()
            .filter(w -> w.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("tag " + tag + " has no webhook " + name));
    if (SAIL.equals(Meta.labels(current.getMetadata()).get(SAIL_MANAGED_BY))) {
      // Sail would revert the edit: the tag moves through its IstioRevisionTag, unread here
      throw new ClusterWriteException(
          "tag",
          "list",
          SailOperator.Kind.TAG.plural,
          tag,
          403,
          "not sent: webhook "
              + name
              + " is rendered by the Sail Operator, which reverts a direct edit, and meshgate"
              + " cannot read the IstioRevisionTag to move instead");
    }
    MutatingWebhookConfiguration injector =
        revisions
            .injectorWebhook(revision)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "revision "
                            + revision
                            + " has no injector webhook to point tag "
                            + tag
                            + " at"));
    // istioctl points every webhook of the tag at the revision's injector; the selectors,
    // which name the tag, stay
    WebhookClientConfig target = injector.getWebhooks().get(0).getClientConfig();
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.putObject("labels").put(Annotations.REV_LABEL, revision);
    ObjectNode annotationPatch = metadata.putObject("annotations");
    annotationPatch.put(Annotations.MIGRATION, migration);
    annotationPatch.put(Annotations.PREVIOUS_REVISION, previousRevision);
    ArrayNode webhookPatch = patch.putArray("webhooks");
    for (MutatingWebhook w : current.getWebhooks()) {
      ObjectNode moved = JSON.valueToTree(w);
      moved.set("clientConfig", JSON.valueToTree(target));
      webhookPatch.add(moved);
    }
    Refusals.refusedAs(
        "tag",
        "patch",
        "mutatingwebhookconfigurations",
        name,
        () ->
            client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    LOG.info(
        "moved tag {} to {} (was on {}; webhooks now call {})",
        tag,
        revision,
        Meta.labels(current.getMetadata()).get(Annotations.REV_LABEL),
        injector.getMetadata().getName());
    hook.afterWrite("patch", "mutatingwebhookconfigurations", name);
  }

  /**
   * Points the IstioRevisionTag {@code tag} at the IstioRevision {@code revision} by a merge patch
   * of its {@code spec.targetRef}, with the migration's annotations; Sail renders the webhook
   * again.
   */
  private void moveSailTag(String migration, String tag, String revision, String previousRevision) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
    annotations.put(Annotations.MIGRATION, migration);
    annotations.put(Annotations.PREVIOUS_REVISION, previousRevision);
    ObjectNode targetRef = patch.putObject("spec").putObject("targetRef");
    targetRef.put("kind", SailOperator.Kind.REVISION.kind);
    targetRef.put("name", revision);
    Refusals.refusedAs(
        "tag",
        "patch",
        SailOperator.Kind.TAG.plural,
        tag,
        () ->
            client
                .genericKubernetesResources(SailOperator.Kind.TAG.context())
                .withName(tag)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    LOG.info(
        "moved Sail's IstioRevisionTag {} to IstioRevision {} (spec.targetRef; Sail renders its"
            + " webhook)",
        tag,
        revision);
    hook.afterWrite("patch", SailOperator.Kind.TAG.plural, tag);
  }
}

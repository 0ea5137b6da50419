package io.meshgate.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.controller.GatewayPort;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.migration.GatewayRef;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flip of a gateway's {@code istio.io/rev} label and its exact undo (DESIGN.md section 12):
 * JSON merge patches of an injected gateway's Deployment (its pod template's label, and the restart
 * id in the same patch, so the flip is one rollout) or of a Gateway (its own label; istiod renders
 * the rest). The previous value is kept in {@code meshgate.io/previous-labels} on the object. Each
 * write reads the object first, not a cache: a flip seen late must not record the flipped label as
 * the previous one, nor a restart start a second rollout.
 */
final class GatewayLabels implements GatewayPort {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayLabels.class);
  private static final ObjectMapper JSON = Mappers.json();

  private final KubernetesClient client;
  private final Clock clock;
  private final WriteHook hook;
  private final GatewayApi gatewayApi;

  GatewayLabels(KubernetesClient client, Clock clock, WriteHook hook, GatewayApi gatewayApi) {
    this.client = client;
    this.clock = clock;
    this.hook = hook;
    this.gatewayApi = gatewayApi;
  }

  @Override
  public void flip(String migration, GatewayRef gateway, String label, String restartId) {
    HasMetadata object = existing(gateway);
    Map<String, String> annotations = Meta.annotations(object.getMetadata());
    Map<String, String> labels = Meta.labels(labelled(gateway, object));
    boolean flippedBefore = migration.equals(annotations.get(Annotations.MIGRATION));
    if (flippedBefore
        && label.equals(labels.get(Annotations.REV_LABEL))
        && (restartId == null || restartId.equals(restartIdOf(gateway, object)))) {
      return;
    }
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode annotationPatch = patch.putObject("metadata").putObject("annotations");
    annotationPatch.put(Annotations.MIGRATION, migration);
    if (!flippedBefore) {
      Map<String, String> previous = new LinkedHashMap<>();
      previous.put(Annotations.REV_LABEL, labels.get(Annotations.REV_LABEL));
      annotationPatch.put(Annotations.PREVIOUS_LABELS, json(previous));
    }
    labelPatch(gateway, patch).put(Annotations.REV_LABEL, label);
    if (restartId != null) {
      templateAnnotations(patch).put(Annotations.RESTART_ID, restartId);
    }
    patch("flip", gateway, patch);
    LOG.info("{}: {}={} (previous {})", gateway, Annotations.REV_LABEL, label, labels);
  }

  @Override
  public void restore(GatewayRef gateway, String restartId) {
    HasMetadata object = existing(gateway);
    Map<String, String> annotations = Meta.annotations(object.getMetadata());
    String recorded = annotations.get(Annotations.PREVIOUS_LABELS);
    if (recorded == null) {
      if (annotations.get(Annotations.MIGRATION) == null) {
        return;
      }
      throw new IllegalStateException(
          gateway + " has no " + Annotations.PREVIOUS_LABELS + " annotation; cannot restore it");
    }
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode annotationPatch = patch.putObject("metadata").putObject("annotations");
    annotationPatch.putNull(Annotations.MIGRATION);
    annotationPatch.putNull(Annotations.PREVIOUS_LABELS);
    JsonNode previous;
    try {
      previous = JSON.readTree(recorded);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          gateway + " has an unreadable " + Annotations.PREVIOUS_LABELS + ": " + recorded, e);
    }
    JsonNode value = previous.path(Annotations.REV_LABEL);
    if (value.isTextual()) {
      labelPatch(gateway, patch).put(Annotations.REV_LABEL, value.asText());
    } else {
      labelPatch(gateway, patch).putNull(Annotations.REV_LABEL);
    }
    if (restartId != null) {
      templateAnnotations(patch).put(Annotations.RESTART_ID, restartId);
    }
    patch("restore", gateway, patch);
    LOG.info("{}: restored labels {}", gateway, recorded);
  }

  @Override
  public void restart(String migration, GatewayRef gateway, String restartId) {
    HasMetadata object = existing(gateway);
    if (gateway.kind() != GatewayRef.Kind.Deployment
        || restartId == null
        || restartId.equals(restartIdOf(gateway, object))) {
      return;
    }
    ObjectNode patch = JSON.createObjectNode();
    templateAnnotations(patch)
        .put(Annotations.RESTARTED_AT, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString())
        .put(Annotations.RESTART_ID, restartId);
    patch("restart", gateway, patch);
    LOG.info("{}: restarted (restart-id {})", gateway, restartId);
  }

  private HasMetadata existing(GatewayRef gateway) {
    HasMetadata object =
        gateway.kind() == GatewayRef.Kind.Deployment
            ? client
                .apps()
                .deployments()
                .inNamespace(gateway.namespace())
                .withName(gateway.name())
                .get()
            : gatewayApi.get(gateway.namespace(), gateway.name());
    if (object == null) {
      throw new IllegalStateException(gateway + " does not exist");
    }
    return object;
  }

  /** Where the label lives: a Deployment's pod template, a Gateway's own metadata. */
  private static ObjectMeta labelled(GatewayRef gateway, HasMetadata object) {
    if (gateway.kind() == GatewayRef.Kind.Deployment) {
      ObjectMeta template = ((Deployment) object).getSpec().getTemplate().getMetadata();
      return template == null ? new ObjectMeta() : template;
    }
    return object.getMetadata();
  }

  private static String restartIdOf(GatewayRef gateway, HasMetadata object) {
    return gateway.kind() == GatewayRef.Kind.Deployment
        ? Meta.annotations(labelled(gateway, object)).get(Annotations.RESTART_ID)
        : null;
  }

  private static ObjectNode labelPatch(GatewayRef gateway, ObjectNode patch) {
    ObjectNode metadata =
        gateway.kind() == GatewayRef.Kind.Deployment
            ? templateMetadata(patch)
            : (ObjectNode) patch.get("metadata");
    return metadata.has("labels")
        ? (ObjectNode) metadata.get("labels")
        : metadata.putObject("labels");
  }

  private static ObjectNode templateMetadata(ObjectNode patch) {
    ObjectNode spec = patch.has("spec") ? (ObjectNode) patch.get("spec") : patch.putObject("spec");
    ObjectNode template =
        spec.has("template") ? (ObjectNode) spec.get("template") : spec.putObject("template");
    return template.has("metadata")
        ? (ObjectNode) template.get("metadata")
        : template.putObject("metadata");
  }

  private static ObjectNode templateAnnotations(ObjectNode patch) {
    ObjectNode metadata = templateMetadata(patch);
    return metadata.has("annotations")
        ? (ObjectNode) metadata.get("annotations")
        : metadata.putObject("annotations");
  }

  private void patch(String action, GatewayRef gateway, ObjectNode patch) {
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    String body = patch.toString();
    String object = gateway.namespace() + "/" + gateway.name();
    String resource = gateway.kind() == GatewayRef.Kind.Deployment ? "deployments" : "gateways";
    Refusals.refusedAs(
        action,
        "patch",
        resource,
        object,
        () ->
            gateway.kind() == GatewayRef.Kind.Deployment
                ? client
                    .apps()
                    .deployments()
                    .inNamespace(gateway.namespace())
                    .withName(gateway.name())
                    .patch(merge, body)
                : client
                    .genericKubernetesResources(GatewayApi.GATEWAYS)
                    .inNamespace(gateway.namespace())
                    .withName(gateway.name())
                    .patch(merge, body));
    hook.afterWrite("patch", resource, object);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.meshgate.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.controller.LabelPort;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flip of a namespace's injection labels and its exact undo (DESIGN.md section 5): JSON merge
 * patches of the namespace, the previous values kept in annotation {@code
 * meshgate.io/previous-labels} by the flip and read back by the restore.
 */
final class NamespaceLabels implements LabelPort {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceLabels.class);
  private static final ObjectMapper JSON = Mappers.json();

  private final KubernetesClient client;
  private final WriteHook hook;
  private final NamespaceIndex namespaces;

  NamespaceLabels(KubernetesClient client, WriteHook hook, NamespaceIndex namespaces) {
    this.client = client;
    this.hook = hook;
    this.namespaces = namespaces;
  }

  @Override
  public void flip(String migration, String ns, String toRevision) {
    GenericKubernetesResource namespace = existing(ns);
    Map<String, String> labels = Meta.labels(namespace.getMetadata());
    Map<String, String> previous = new LinkedHashMap<>();
    previous.put(Annotations.REV_LABEL, labels.get(Annotations.REV_LABEL));
    previous.put(Annotations.INJECTION_LABEL, labels.get(Annotations.INJECTION_LABEL));
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    ObjectNode labelPatch = metadata.putObject("labels");
    labelPatch.put(Annotations.REV_LABEL, toRevision);
    // any istio-injection value, even "disabled", overrides istio.io/rev
    labelPatch.putNull(Annotations.INJECTION_LABEL);
    ObjectNode annotationPatch = metadata.putObject("annotations");
    annotationPatch.put(Annotations.MIGRATION, migration);
    annotationPatch.put(Annotations.PREVIOUS_LABELS, json(previous));
    patch("flip", ns, patch);
    LOG.info(
        "flipped {}={} (previous labels {})", Annotations.REV_LABEL, toRevision, json(previous));
    hook.afterWrite("patch", "namespaces", ns);
  }

  @Override
  public void restoreLabels(String ns) {
    GenericKubernetesResource namespace = existing(ns);
    String recorded = Meta.annotations(namespace.getMetadata()).get(Annotations.PREVIOUS_LABELS);
    if (recorded == null) {
      throw new IllegalStateException(
          "namespace "
              + ns
              + " has no "
              + Annotations.PREVIOUS_LABELS
              + " annotation; cannot restore its labels");
    }
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    ObjectNode labelPatch = metadata.putObject("labels");
    try {
      JsonNode previous = JSON.readTree(recorded);
      for (String key : List.of(Annotations.REV_LABEL, Annotations.INJECTION_LABEL)) {
        JsonNode value = previous.path(key);
        if (value.isTextual()) {
          labelPatch.put(key, value.asText());
        } else {
          labelPatch.putNull(key);
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "namespace "
              + ns
              + " has an unreadable "
              + Annotations.PREVIOUS_LABELS
              + " annotation: "
              + recorded,
          e);
    }
    ObjectNode annotationPatch = metadata.putObject("annotations");
    annotationPatch.putNull(Annotations.MIGRATION);
    annotationPatch.putNull(Annotations.PREVIOUS_LABELS);
    patch("restore", ns, patch);
    LOG.info("restored labels {}", recorded);
    hook.afterWrite("patch", "namespaces", ns);
  }

  private GenericKubernetesResource existing(String ns) {
    GenericKubernetesResource namespace = namespaces.get(ns);
    if (namespace == null) {
      throw new IllegalStateException("namespace " + ns + " does not exist");
    }
    return namespace;
  }

  private void patch(String action, String ns, ObjectNode patch) {
    Refusals.refusedAs(
        action,
        "patch",
        "namespaces",
        ns,
        () ->
            client
                .namespaces()
                .withName(ns)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

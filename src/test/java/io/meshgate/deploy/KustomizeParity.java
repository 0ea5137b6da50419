package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What may differ between the chart's render and kustomize's of the same manifests, taken out so
 * that the rest must be equal: the labels Helm adds to every object, the content hash kustomize
 * appends to the generated ConfigMaps' names (the chart rolls the pods with a checksum annotation
 * instead), and the text of files in ConfigMaps (the chart renders the config from values, so
 * comments and key order differ: their parsed content must not). A CRD of the chart's {@code crds/}
 * is installed as it is, never templated, so it carries none of the labels kustomize adds.
 */
final class KustomizeParity {
  static final List<String> HELM_LABELS =
      List.of(
          "helm.sh/chart",
          "app.kubernetes.io/managed-by",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/version");
  static final String CHECKSUM = "checksum/config";
  private static final Pattern HASH = Pattern.compile("-[a-z0-9]{10}$");

  private KustomizeParity() {}

  /** The objects by {@code Kind/namespace/name} (hash suffixes removed), made comparable. */
  static Map<String, JsonNode> comparable(List<JsonNode> objects) {
    Map<String, JsonNode> byId = new TreeMap<>();
    for (JsonNode object : objects) {
      JsonNode normal = comparable(object);
      byId.put(Manifests.id(normal), normal);
    }
    return byId;
  }

  static JsonNode comparable(JsonNode original) {
    ObjectNode object = original.deepCopy();
    ObjectNode metadata = (ObjectNode) object.path("metadata");
    String kind = object.path("kind").asText();
    if (kind.equals("CustomResourceDefinition")) {
      metadata.remove("labels");
    } else if (metadata.path("labels") instanceof ObjectNode labels) {
      labels.remove(HELM_LABELS);
    }
    if (kind.equals("ConfigMap")) {
      metadata.put("name", unhashed(metadata.path("name").asText()));
      object.set("data", parsedFiles(object.path("data")));
    }
    if (kind.equals("Deployment")) {
      ObjectNode template = (ObjectNode) object.path("spec").path("template");
      if (template.path("metadata").path("annotations") instanceof ObjectNode annotations) {
        annotations.remove(CHECKSUM);
        if (annotations.isEmpty()) {
          ((ObjectNode) template.path("metadata")).remove("annotations");
        }
      }
      for (JsonNode volume : template.path("spec").path("volumes")) {
        if (volume.path("configMap") instanceof ObjectNode configMap) {
          configMap.set("name", TextNode.valueOf(unhashed(configMap.path("name").asText())));
        }
      }
    }
    return object;
  }

  private static String unhashed(String name) {
    return HASH.matcher(name).replaceFirst("");
  }

  private static JsonNode parsedFiles(JsonNode data) {
    ObjectNode parsed = Mappers.json().createObjectNode();
    data.fields()
        .forEachRemaining(
            e -> {
              String name = e.getKey();
              String text = e.getValue().asText();
              try {
                parsed.set(
                    name,
                    name.endsWith(".json")
                        ? Mappers.json().readTree(text)
                        : Mappers.yaml().readTree(text));
              } catch (IOException ex) {
                throw new UncheckedIOException("ConfigMap file " + name + " does not parse", ex);
              }
            });
    return parsed;
  }
}

package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Where the files of ConfigMaps and Secrets appear in a Deployment's container. */
final class PodSpec {
  /** A ConfigMap or Secret a volume mounts, and whether the pod starts without it. */
  record Source(String kind, String name, boolean optional) {}

  private PodSpec() {}

  static JsonNode podSpec(JsonNode deployment) {
    return deployment.path("spec").path("template").path("spec");
  }

  static JsonNode container(JsonNode deployment) {
    JsonNode containers = podSpec(deployment).path("containers");
    if (containers.size() != 1) {
      throw new AssertionError("expected one container, found " + containers.size());
    }
    return containers.get(0);
  }

  /** Every ConfigMap and Secret the pod's volumes read, projected sources included. */
  static List<Source> sources(JsonNode deployment) {
    List<Source> sources = new ArrayList<>();
    for (JsonNode volume : podSpec(deployment).path("volumes")) {
      add(sources, "ConfigMap", volume.path("configMap"), "name");
      add(sources, "Secret", volume.path("secret"), "secretName");
      for (JsonNode source : volume.path("projected").path("sources")) {
        add(sources, "ConfigMap", source.path("configMap"), "name");
        add(sources, "Secret", source.path("secret"), "name");
      }
    }
    return sources;
  }

  private static void add(List<Source> sources, String kind, JsonNode ref, String nameField) {
    if (ref.isObject()) {
      sources.add(
          new Source(kind, ref.path(nameField).asText(), ref.path("optional").asBoolean(false)));
    }
  }

  /**
   * The path in the container of {@code key} of the ConfigMap or Secret {@code name}, or null when
   * no mount shows it.
   */
  static String fileOf(JsonNode deployment, String kind, String name, String key) {
    for (JsonNode volume : podSpec(deployment).path("volumes")) {
      String inVolume = null;
      if (kind.equals("ConfigMap") && volume.path("configMap").path("name").asText().equals(name)) {
        inVolume = pathInVolume(volume.path("configMap"), key);
      }
      if (kind.equals("Secret") && volume.path("secret").path("secretName").asText().equals(name)) {
        inVolume = pathInVolume(volume.path("secret"), key);
      }
      for (JsonNode source : volume.path("projected").path("sources")) {
        JsonNode ref = source.path(kind.equals("ConfigMap") ? "configMap" : "secret");
        if (ref.path("name").asText().equals(name)) {
          inVolume = pathInVolume(ref, key);
        }
      }
      if (inVolume == null) {
        continue;
      }
      for (JsonNode mount : container(deployment).path("volumeMounts")) {
        if (!mount.path("name").asText().equals(volume.path("name").asText())) {
          continue;
        }
        String subPath = mount.path("subPath").asText("");
        if (subPath.isEmpty()) {
          return mount.path("mountPath").asText() + "/" + inVolume;
        }
        if (subPath.equals(inVolume)) {
          return mount.path("mountPath").asText();
        }
      }
    }
    return null;
  }

  /** Items select and rename keys; without items every key is a file of its own name. */
  private static String pathInVolume(JsonNode ref, String key) {
    if (!ref.has("items")) {
      return key;
    }
    for (JsonNode item : ref.path("items")) {
      if (item.path("key").asText().equals(key)) {
        return item.path("path").asText();
      }
    }
    return null;
  }
}

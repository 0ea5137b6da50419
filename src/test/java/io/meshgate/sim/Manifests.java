package io.meshgate.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Manifests for tests that store what a current CRD would refuse. */
public final class Manifests {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Manifests() {}

  /**
   * The manifest with {@code specOverride} (YAML, e.g. {@code interval: 0s}) laid over its spec,
   * field by field, as a generic object that any content fits in.
   */
  public static GenericKubernetesResource overlaid(String manifest, String specOverride) {
    try {
      ObjectNode tree = (ObjectNode) YAML.readTree(manifest);
      if (!specOverride.isBlank()) {
        ((ObjectNode) tree.get("spec")).setAll((ObjectNode) YAML.readTree(specOverride));
      }
      return YAML.treeToValue(tree, GenericKubernetesResource.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code kubectl kustomize deploy/} builds, for the subset of kustomize that
 * deploy/kustomization.yaml uses: resources (files), namespace, labels and configMapGenerator with
 * file keys. Anything else in the kustomization is refused, so that a test never passes on a
 * feature this class silently ignores. Generated names carry no content hash (kustomize adds one
 * and rewrites the references to it).
 *
 * <pre>{@code
 * List<JsonNode> objects = Kustomization.load(Path.of("deploy")).build();
 * }</pre>
 */
final class Kustomization {
  static final Set<String> CLUSTER_SCOPED =
      Set.of("Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding");
  private static final Set<String> SUPPORTED =
      Set.of("apiVersion", "kind", "namespace", "labels", "resources", "configMapGenerator");

  /** One configMapGenerator entry: its name, its data files and its extra labels. */
  record Generator(String name, List<Path> files, Map<String, String> labels) {}

  private final Path root;
  private final String namespace;
  private final Map<String, String> labels;
  private final List<Path> resources;
  private final List<Generator> generators;

  private Kustomization(
      Path root,
      String namespace,
      Map<String, String> labels,
      List<Path> resources,
      List<Generator> generators) {
    this.root = root;
    this.namespace = namespace;
    this.labels = labels;
    this.resources = resources;
    this.generators = generators;
  }

  static Kustomization load(Path root) {
    Path file = root.resolve("kustomization.yaml");
    JsonNode tree;
    try {
      tree = Mappers.yaml().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    for (Iterator<String> keys = tree.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!SUPPORTED.contains(key)) {
        throw new IllegalStateException(
            file + ": field '" + key + "' is not emulated by " + Kustomization.class.getName());
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (JsonNode entry : tree.path("labels")) {
      entry
          .path("pairs")
          .fields()
          .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
      if (entry.path("includeSelectors").asBoolean(false)
          || entry.path("includeTemplates").asBoolean(false)) {
        throw new IllegalStateException(
            file + ": labels with includeSelectors or includeTemplates are not emulated");
      }
    }
    List<Path> resources = new ArrayList<>();
    for (JsonNode entry : tree.path("resources")) {
      resources.add(existingFile(root, file, entry.asText()));
    }
    List<Generator> generators = new ArrayList<>();
    for (JsonNode entry : tree.path("configMapGenerator")) {
      List<Path> files = new ArrayList<>();
      for (JsonNode f : entry.path("files")) {
        if (f.asText().contains("=")) {
          throw new IllegalStateException(file + ": key=path file entries are not emulated");
        }
        files.add(existingFile(root, file, f.asText()));
      }
      Map<String, String> extra = new LinkedHashMap<>();
      entry
          .path("options")
          .path("labels")
          .fields()
          .forEachRemaining(f -> extra.put(f.getKey(), f.getValue().asText()));
      generators.add(new Generator(entry.path("name").asText(), files, extra));
    }
    return new Kustomization(
        root, tree.path("namespace").asText(null), labels, resources, generators);
  }

  /** A path the kustomization names, which must exist inside its root (kustomize's rule). */
  private static Path existingFile(Path root, Path kustomization, String entry) {
    Path path = root.resolve(entry).normalize();
    if (!path.startsWith(root.normalize())) {
      throw new IllegalStateException(
          kustomization
              + ": '"
              + entry
              + "' is outside "
              + root
              + "; kustomize's load restrictor refuses it");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(kustomization + ": '" + entry + "' does not exist");
    }
    return path;
  }

  Path root() {
    return root;
  }

  String namespace() {
    return namespace;
  }

  List<Path> resources() {
    return resources;
  }

  List<Generator> generators() {
    return generators;
  }

  /** Every file the kustomization reads. */
  List<Path> referencedFiles() {
    List<Path> files = new ArrayList<>(resources);
    generators.forEach(g -> files.addAll(g.files()));
    return files;
  }

  /** The objects, resources first, then the generated ConfigMaps. */
  List<JsonNode> build() {
    List<JsonNode> objects = new ArrayList<>();
    for (Path resource : resources) {
      objects.addAll(Manifests.documents(resource));
    }
    for (Generator generator : generators) {
      objects.add(configMap(generator));
    }
    for (JsonNode object : objects) {
      ObjectNode metadata = metadata(object);
      if (namespace != null && !CLUSTER_SCOPED.contains(object.path("kind").asText())) {
        metadata.put("namespace", namespace);
      }
      ObjectNode objectLabels = metadata.withObjectProperty("labels");
      labels.forEach(objectLabels::put);
    }
    return objects;
  }

  private static ObjectNode configMap(Generator generator) {
    ObjectNode map = Mappers.yaml().createObjectNode();
    map.put("apiVersion", "v1");
    map.put("kind", "ConfigMap");
    ObjectNode metadata = map.putObject("metadata");
    metadata.put("name", generator.name());
    if (!generator.labels().isEmpty()) {
      ObjectNode labels = metadata.putObject("labels");
      generator.labels().forEach(labels::put);
    }
    ObjectNode data = map.putObject("data");
    for (Path file : generator.files()) {
      String key = file.getFileName().toString();
      if (data.has(key)) {
        throw new IllegalStateException(generator.name() + ": two files with the key " + key);
      }
      try {
        data.put(key, Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return map;
  }

  private static ObjectNode metadata(JsonNode object) {
    if (!(object instanceof ObjectNode o)) {
      throw new IllegalStateException("not a Kubernetes object: " + object);
    }
    return o.withObjectProperty("metadata");
  }
}

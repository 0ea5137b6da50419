package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading Kubernetes manifests the way {@code kubectl apply -f} does: {@code ---} separated. */
final class Manifests {
  static final Path DEPLOY = Path.of("deploy");

  private Manifests() {}

  /** Every non-empty document of a YAML text. */
  static List<JsonNode> documents(String text) {
    try (MappingIterator<JsonNode> documents =
        Mappers.yaml().readerFor(JsonNode.class).readValues(text)) {
      List<JsonNode> list = new ArrayList<>();
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          list.add(document);
        }
      }
      return list;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> documents(Path file) {
    try {
      return documents(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The YAML files under {@code dir}, sorted. */
  static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * The YAML files under {@code deploy/} but the Helm chart's, whose templates are YAML only once
   * Helm renders them: HelmChartIT holds its render to the same checks.
   */
  static List<Path> manifestFiles() {
    return yamlFiles(DEPLOY).stream().filter(p -> !p.startsWith(Helm.CHART)).toList();
  }

  /** {@code Kind/name}, or {@code Kind/namespace/name} for a namespaced object. */
  static String id(JsonNode object) {
    String namespace = object.path("metadata").path("namespace").asText("");
    return object.path("kind").asText()
        + "/"
        + (namespace.isEmpty() ? "" : namespace + "/")
        + object.path("metadata").path("name").asText();
  }

  /** What is missing for a document to be a Kubernetes object; empty when nothing is. */
  static List<String> objectProblems(String source, JsonNode document) {
    List<String> problems = new ArrayList<>();
    if (!document.isObject()) {
      problems.add(source + ": is not a mapping; expected a Kubernetes object");
      return problems;
    }
    for (String field : List.of("apiVersion", "kind")) {
      if (!document.path(field).isTextual() || document.path(field).asText().isBlank()) {
        problems.add(source + ": field '" + field + "' is missing");
      }
    }
    if (!document.path("metadata").path("name").isTextual()
        || document.path("metadata").path("name").asText().isBlank()) {
      problems.add(source + ": field 'metadata.name' is missing");
    }
    return problems;
  }

  /** The only object of {@code kind} in a list, failing when there is not exactly one. */
  static JsonNode only(List<JsonNode> objects, String kind) {
    List<JsonNode> found =
        objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  static JsonNode named(List<JsonNode> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }
}

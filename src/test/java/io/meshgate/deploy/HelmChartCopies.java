package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A chart reads no file outside its directory ({@code .Files} holds the chart's own files only:
 * helm.sh/helm/v4@v4.3.2 pkg/engine/files.go, newFiles from the loaded chart), so {@code
 * deploy/helm/meshgate} holds copies: the CRD in {@code crds/}, {@code alerts/*.rules.yaml}, {@code
 * rules/*.yaml} (their editor's schema path relative to the copy) and the Grafana dashboard under
 * {@code files/}, and in {@code values.schema.json} the daemon config's schema as {@code
 * properties.config} with the shared definitions as {@code $defs} (Helm compiles that one file as
 * file:///values.schema.json, pkg/chart/common/util/jsonschema.go ValidateAgainstSingleSchema, so
 * {@code common.schema.json#/$defs/x} becomes {@code #/$defs/x}). This finds where they drifted,
 * and its {@link #main} refreshes them.
 */
public final class HelmChartCopies {
  static final String REFRESH =
      "./mvnw -B -q test-compile exec:java -Dexec.classpathScope=test"
          + " -Dexec.mainClass=io.meshgate.deploy.HelmChartCopies";

  private static final Path CHART = Helm.CHART;
  private static final String SCHEMA_PATH = "\\$schema=(\\.\\./)+schemas/";
  private static final String COMMON_REF = "common.schema.json#";

  /** Copies of whole directories: the chart's directory, the original, which files. */
  private record Mirror(Path copy, Path original, String suffix) {}

  private static final List<Mirror> MIRRORS =
      List.of(
          new Mirror(CHART.resolve("crds"), Path.of("deploy", "crds"), ".yaml"),
          new Mirror(CHART.resolve("files/alerts"), Path.of("alerts"), ".rules.yaml"),
          new Mirror(CHART.resolve("files/rules"), Path.of("rules"), ".yaml"),
          new Mirror(CHART.resolve("files/grafana"), Path.of("deploy", "grafana"), ".json"));

  private HelmChartCopies() {}

  /** Every copy under {@code root} that differs from, is missing next to, or lacks its original. */
  static List<String> drift(Path root) {
    List<String> drift = new ArrayList<>();
    for (Mirror mirror : MIRRORS) {
      Set<String> originals = names(root.resolve(mirror.original()), mirror.suffix());
      Set<String> copies = names(root.resolve(mirror.copy()), mirror.suffix());
      for (String name : originals) {
        Path copy = mirror.copy().resolve(name);
        Path original = mirror.original().resolve(name);
        if (!copies.contains(name)) {
          drift.add(slashes(copy) + " is missing; it copies " + slashes(original));
        } else if (!comparable(root.resolve(copy)).equals(comparable(root.resolve(original)))) {
          drift.add(slashes(copy) + " differs from " + slashes(original));
        }
      }
      for (String name : copies) {
        if (!originals.contains(name)) {
          drift.add(
              slashes(mirror.copy().resolve(name))
                  + " has no original "
                  + slashes(mirror.original().resolve(name)));
        }
      }
    }
    JsonNode values = readJson(root.resolve(CHART.resolve("values.schema.json")));
    if (!values.path("properties").path("config").equals(configSchema(root))) {
      drift.add(
          slashes(CHART.resolve("values.schema.json"))
              + " properties.config differs from schemas/meshgate.schema.json");
    }
    if (!values.path("$defs").equals(commonDefs(root))) {
      drift.add(
          slashes(CHART.resolve("values.schema.json"))
              + " $defs differ from those of schemas/common.schema.json");
    }
    return drift;
  }

  /** Refreshes every copy from its original, in the working directory (the project's root). */
  public static void main(String[] args) throws IOException {
    Path root = Path.of("");
    for (Mirror mirror : MIRRORS) {
      for (String stale : names(mirror.copy(), mirror.suffix())) {
        Files.delete(mirror.copy().resolve(stale));
      }
      Files.createDirectories(mirror.copy());
      for (String name : names(mirror.original(), mirror.suffix())) {
        String text = Files.readString(mirror.original().resolve(name));
        String up = "../".repeat(mirror.copy().getNameCount());
        Files.writeString(
            mirror.copy().resolve(name),
            text.replaceFirst(SCHEMA_PATH, "\\$schema=" + up + "schemas/"));
      }
    }
    Path schemaFile = CHART.resolve("values.schema.json");
    ObjectNode values = (ObjectNode) readJson(schemaFile);
    ((ObjectNode) values.path("properties")).set("config", configSchema(root));
    values.set("$defs", commonDefs(root));
    Files.writeString(
        schemaFile,
        Mappers.json().writerWithDefaultPrettyPrinter().writeValueAsString(values) + "\n");
  }

  /** The daemon config's schema as values.schema.json holds it. */
  private static JsonNode configSchema(Path root) {
    ObjectNode schema = (ObjectNode) readJson(root.resolve("schemas/meshgate.schema.json"));
    schema.remove("$schema");
    localRefs(schema);
    return schema;
  }

  private static JsonNode commonDefs(Path root) {
    return readJson(root.resolve("schemas/common.schema.json")).path("$defs");
  }

  private static void localRefs(JsonNode node) {
    if (node instanceof ObjectNode object) {
      JsonNode ref = object.get("$ref");
      if (ref != null && ref.asText().startsWith(COMMON_REF)) {
        object.set("$ref", TextNode.valueOf("#" + ref.asText().substring(COMMON_REF.length())));
      }
    }
    for (JsonNode child : node) {
      localRefs(child);
    }
  }

  /** A file's text with its editor's schema path made independent of where the file lies. */
  private static String comparable(Path file) {
    try {
      return Files.readString(file).replaceFirst(SCHEMA_PATH, "\\$schema=schemas/");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static JsonNode readJson(Path file) {
    try {
      return Mappers.json().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Set<String> names(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(suffix))
          .collect(TreeSet::new, Set::add, Set::addAll);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static String slashes(Path path) {
    return path.toString().replace('\\', '/');
  }
}

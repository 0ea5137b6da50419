package io.meshgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Names;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each form is defined once, in schemas/common.schema.json. The CRD cannot refer to it and the Java
 * parsers need their own matchers, so these keep them equal.
 */
class SchemasTest {
  private static final Path SCHEMAS = Path.of("schemas");

  private static JsonNode json(Path file) throws IOException {
    return Mappers.json().readTree(Files.readString(file));
  }

  private static String pattern(String def) throws IOException {
    return json(SCHEMAS.resolve("common.schema.json"))
        .path("$defs")
        .path(def)
        .path("pattern")
        .asText();
  }

  private static Set<String> patternsOf(JsonNode node, Set<String> into) {
    if (node.has("pattern") && node.path("pattern").isTextual()) {
      into.add(node.path("pattern").asText());
    }
    node.forEach(child -> patternsOf(child, into));
    return into;
  }

  @Test
  void theCrdUsesOnlyTheSharedForms() throws IOException {
    JsonNode crd =
        Mappers.yaml()
            .readTree(Files.readString(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml")));

    assertThat(patternsOf(crd, new TreeSet<>()))
        .as(
            "every pattern of the CRD is a definition of common.schema.json, so it is said the same")
        .containsExactlyInAnyOrder(
            pattern("duration"), pattern("dns1123Label"), pattern("dns1123Subdomain"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5m",
        "1h30m",
        "250ms",
        "2w",
        "1y2w3d4h5m6s7ms",
        "0s",
        "",
        "5",
        "m",
        "1.5h",
        "5M",
        "1m1h",
        "-5m",
        " 5m",
        "5m ",
        "1h 30m",
        "90s",
        "5mm"
      })
  void durationsParseExactlyWhatTheSchemaAccepts(String text) throws IOException {
    boolean schema = Pattern.compile(pattern("duration")).matcher(text).find() && !text.isEmpty();
    boolean parsed;
    try {
      Durations.parse(text);
      parsed = !text.isBlank() && text.strip().equals(text);
    } catch (IllegalArgumentException e) {
      parsed = false;
    }
    assertThat(parsed).as("\"%s\" parsed", text).isEqualTo(schema);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "payments",
        "a",
        "a-b",
        "1-20-0",
        "-a",
        "a-",
        "A",
        "a_b",
        "a.b",
        "",
        "a--b",
        "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh",
        "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi"
      })
  void namesPastedIntoPromqlAreExactlyTheSchemasDns1123Labels(String name) throws IOException {
    JsonNode def = json(SCHEMAS.resolve("common.schema.json")).path("$defs").path("dns1123Label");
    boolean schema =
        name.length() <= def.path("maxLength").asInt()
            && Pattern.compile(def.path("pattern").asText()).matcher(name).find();

    assertThat(Names.dns1123Problem(name) == null).as("\"%s\" is a name", name).isEqualTo(schema);
  }

  @Test
  void everyShippedRuleAndConfigNamesItsSchemaForEditors() throws IOException {
    List<String> missing = new ArrayList<>();
    for (String dir : List.of("rules", "deploy/config/rules", "daemon", "deploy/config")) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
          String first = Files.readAllLines(file).get(0);
          String schema = dir.endsWith("rules") ? "rule.schema.json" : "meshgate.schema.json";
          if (file.getFileName().toString().equals("demo-migration.yaml")) {
            continue;
          }
          Path named = file.getParent().resolve(first.replaceFirst(".*\\$schema=", "")).normalize();
          if (!first.startsWith("# yaml-language-server: $schema=")
              || !named.equals(SCHEMAS.resolve(schema))
              || !Files.isRegularFile(named)) {
            missing.add(file + ": " + first);
          }
        }
      }
    }
    assertThat(missing).isEmpty();
  }
}

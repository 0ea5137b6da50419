package io.meshgate.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.cli.MeshgateCommand;
import io.meshgate.json.Mappers;
import io.meshgate.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Each reference page in docs/ names everything the code has (options, metrics, keys, fields) and
 * nothing it does not: a new option or a renamed key fails here until the page says so.
 */
class ReferencePagesTest {
  private static final Path CLI = Path.of("docs/cli.md");
  private static final Path METRICS = Path.of("docs/metrics.md");
  private static final Path CONFIGURATION = Path.of("docs/configuration.md");
  private static final Path RULES = Path.of("docs/rules.md");
  private static final Path MIGRATION = Path.of("docs/revisionmigration.md");

  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> commands =
        new LinkedHashMap<>(MeshgateCommand.commandLine().getSubcommands());
    commands.remove("help");
    return commands;
  }

  @Test
  void everyCommandAndEveryOptionOfItIsOnTheCliPage() {
    String page = Markdown.read(CLI).text();
    List<String> problems = new ArrayList<>();
    commands()
        .forEach(
            (name, command) -> {
              if (!page.contains("`meshgate " + name)) {
                problems.add(CLI + " has no section or mention `meshgate " + name + "`");
              }
              for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp()) {
                  continue;
                }
                boolean named = false;
                for (String optionName : option.names()) {
                  named |=
                      Pattern.compile("(?<![\\w-])" + Pattern.quote(optionName) + "(?![\\w-])")
                          .matcher(page)
                          .find();
                }
                if (!named) {
                  problems.add(
                      CLI
                          + " does not document option "
                          + String.join(", ", option.names())
                          + " of `meshgate "
                          + name
                          + "`");
                }
              }
            });

    assertThat(problems).isEmpty();
  }

  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[a-zA-Z][\\w-]*)");

  @Test
  void everyOptionTheCliPageShowsWithACommandIsAnOptionOfIt() {
    Markdown page = Markdown.read(CLI);
    Map<String, Integer> shown = new LinkedHashMap<>(page.codeSpans());
    page.blocks().stream()
        .filter(b -> b.lang().isEmpty())
        .forEach(b -> shown.putIfAbsent(b.content(), b.line()));
    Map<String, CommandLine> commands = commands();
    List<String> problems = new ArrayList<>();
    int synopses = 0;
    for (Map.Entry<String, Integer> entry : shown.entrySet()) {
      String text = entry.getKey().replaceFirst("^meshgate ", "");
      String name = text.split("[\\s\\[]", 2)[0];
      CommandLine command = commands.get(name);
      if (command == null) {
        continue;
      }
      synopses++;
      Matcher option = OPTION.matcher(text);
      while (option.find()) {
        if (command.getCommandSpec().findOption(option.group(1)) == null) {
          problems.add(
              CLI
                  + ":"
                  + entry.getValue()
                  + ": `"
                  + entry.getKey().lines().findFirst().orElse("")
                  + "` shows option "
                  + option.group(1)
                  + ", which `meshgate "
                  + name
                  + "` does not have");
        }
      }
    }

    assertThat(synopses).isGreaterThan(10);
    assertThat(problems).isEmpty();
  }

  @Test
  void everyMetricIsOnTheMetricsPageAndEveryMetricThereExists() {
    Metrics metrics = new Metrics();
    metrics.watching(() -> 0, () -> 0);
    Set<String> exposed = new LinkedHashSet<>();
    for (MetricSnapshot snapshot : metrics.registry.scrape()) {
      String name = snapshot.getMetadata().getPrometheusName();
      exposed.add(snapshot instanceof CounterSnapshot ? name + "_total" : name);
    }
    Map<String, Integer> documented = codeCells(METRICS, "| metric |");

    assertThat(exposed).hasSizeGreaterThan(10);
    assertThat(differences(METRICS, "metric", exposed, documented)).isEmpty();
  }

  @Test
  void everyDaemonConfigKeyIsOnTheConfigurationPageAndEveryKeyThereExists() throws IOException {
    JsonNode schema =
        Mappers.json().readTree(Files.readString(Path.of("schemas/meshgate.schema.json")));
    Map<String, Boolean> keys = new LinkedHashMap<>();
    jsonSchemaPaths(schema, "", keys);

    assertThat(coverage(CONFIGURATION, "key", keys, codeCells(CONFIGURATION, "| key |"))).isEmpty();
  }

  @Test
  void everyRuleFieldIsOnTheRulesPageAndEveryFieldThereExists() throws IOException {
    JsonNode schema =
        Mappers.json().readTree(Files.readString(Path.of("schemas/rule.schema.json")));
    Map<String, Boolean> fields = new LinkedHashMap<>();
    jsonSchemaPaths(schema, "", fields);

    assertThat(fields).hasSizeGreaterThan(10);
    assertThat(coverage(RULES, "field", fields, codeCells(RULES, "| field | meaning |"))).isEmpty();
  }

  @Test
  void everyRevisionMigrationFieldIsOnItsPageAndEveryFieldThereExists() throws IOException {
    JsonNode crd =
        Mappers.yaml()
            .readTree(Files.readString(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml")));
    JsonNode spec =
        crd.path("spec")
            .path("versions")
            .get(0)
            .path("schema")
            .path("openAPIV3Schema")
            .path("properties")
            .path("spec");
    Map<String, Boolean> fields = new LinkedHashMap<>();
    jsonSchemaPaths(spec, "", fields);

    assertThat(fields).hasSizeGreaterThan(20);
    assertThat(
            coverage(
                MIGRATION, "field", fields, codeCells(MIGRATION, "| field | default | meaning |")))
        .isEmpty();
  }

  /**
   * Every property path of a JSON Schema (OpenAPI too), arrays as {@code name[]}, with whether it
   * is a leaf (no properties of its own). A leaf array of scalars is named without its {@code []}.
   */
  private static void jsonSchemaPaths(JsonNode schema, String path, Map<String, Boolean> paths) {
    if (schema.path("type").asText().equals("array") && schema.has("items")) {
      JsonNode items = schema.path("items");
      boolean leaf = !items.has("properties");
      if (leaf) {
        paths.put(path, true);
      } else {
        paths.put(path, false);
        paths.put(path + "[]", false);
        jsonSchemaPaths(items, path + "[]", paths);
      }
      return;
    }
    if (!schema.has("properties")) {
      paths.put(path, true);
      return;
    }
    if (!path.isEmpty()) {
      paths.put(path, false);
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            p ->
                jsonSchemaPaths(
                    p.getValue(), path.isEmpty() ? p.getKey() : path + "." + p.getKey(), paths));
  }

  /** The code spans of the first column of a table, with the line of their row. */
  private static Map<String, Integer> codeCells(Path file, String header) {
    Map<String, Integer> cells = new LinkedHashMap<>();
    Markdown.read(file)
        .firstColumn(header)
        .forEach(
            (cell, line) -> {
              Matcher span = Pattern.compile("`([^`]+)`").matcher(cell);
              while (span.find()) {
                cells.put(span.group(1), line);
              }
            });
    assertThat(cells).as(file + " has a table starting " + header).isNotEmpty();
    return cells;
  }

  private static List<String> differences(
      Path file, String what, Set<String> actual, Map<String, Integer> documented) {
    List<String> problems = new ArrayList<>();
    actual.stream()
        .filter(name -> !documented.containsKey(name))
        .forEach(name -> problems.add(file + " has no row for " + what + " " + name));
    documented.forEach(
        (name, line) -> {
          if (!actual.contains(name)) {
            problems.add(file + ":" + line + ": " + what + " " + name + " does not exist");
          }
        });
    return problems;
  }

  /**
   * Every leaf path documented by a row of its own or of an ancestor (a row {@code restart} covers
   * {@code restart.timeout}), and every row a path of the schema.
   */
  private static List<String> coverage(
      Path file, String what, Map<String, Boolean> paths, Map<String, Integer> documented) {
    List<String> problems = new ArrayList<>();
    paths.forEach(
        (path, leaf) -> {
          if (leaf
              && documented.keySet().stream()
                  .noneMatch(
                      row ->
                          path.equals(row)
                              || path.startsWith(row + ".")
                              || path.startsWith(row + "["))) {
            problems.add(file + " has no row for " + what + " " + path);
          }
        });
    documented.forEach(
        (row, line) -> {
          if (!paths.containsKey(row)) {
            problems.add(file + ":" + line + ": " + what + " " + row + " is not in the schema");
          }
        });
    return problems;
  }
}

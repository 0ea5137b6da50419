package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.gate.CohortMode;
import io.meshgate.gate.Durations;
import io.meshgate.gate.NoDataPolicy;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Scope;
import io.meshgate.gate.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads gate rules, one YAML file each, reporting every problem of every file with the file name
 * and the field.
 *
 * <pre>{@code
 * List<Rule> rules = RuleLoader.loadDirectory(Path.of("rules")); // throws InvalidInputException
 * }</pre>
 */
public final class RuleLoader {
  private RuleLoader() {}

  public static List<Rule> loadDirectory(Path dir) {
    Problems problems = new Problems();
    List<Rule> rules = loadDirectory(dir, problems);
    problems.throwIfAny();
    return rules;
  }

  public static List<Rule> loadDirectory(Path dir, Problems problems) {
    if (!Files.isDirectory(dir)) {
      problems.add(
          "rules directory "
              + dir
              + (Files.exists(dir) ? " is not a directory" : " does not exist")
              + "; pass --rules DIR or set rulesDir");
      return List.of();
    }
    List<Path> files = yamlFiles(dir, problems);
    if (files.isEmpty() && problems.isEmpty()) {
      problems.add("rules directory " + dir + " has no rule files (*.yaml, *.yml)");
    }
    List<Rule> rules = new ArrayList<>();
    Map<String, Path> seen = new HashMap<>();
    for (Path file : files) {
      Rule rule = loadFile(file, problems);
      if (rule == null) {
        continue;
      }
      Path previous = seen.putIfAbsent(rule.name(), file);
      if (previous != null) {
        problems.add(
            file.toString(), "name", "is \"" + rule.name() + "\", already used by " + previous);
      } else {
        rules.add(rule);
      }
    }
    return rules;
  }

  static List<Path> yamlFiles(Path dir, Problems problems) {
    try (Stream<Path> listing = Files.list(dir)) {
      return listing
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      problems.add("rules directory " + dir + " cannot be listed: " + e.getMessage());
      return List.of();
    }
  }

  /** The rule in {@code file}, or null after recording its problems. */
  public static Rule loadFile(Path file, Problems problems) {
    String source = file.toString();
    JsonNode tree = Yaml.read(file, source, problems);
    return tree == null ? null : parse(source, tree, problems);
  }

  /**
   * The rule in {@code tree}, or null after recording its problems: first what the published schema
   * says ({@code schemas/rule.schema.json}), then, for a rule of the right shape, what only the
   * rule itself can say ({@link Rule#problems}).
   */
  public static Rule parse(String source, JsonNode tree, Problems problems) {
    if (!tree.isObject()) {
      problems.add(source, null, "is not a YAML mapping of fields");
      return null;
    }
    List<SchemaCheck.Problem> shape = SchemaCheck.RULE.problems(tree);
    shape.forEach(p -> problems.add(source, p.field(), p.message()));
    if (!shape.isEmpty()) {
      return null;
    }
    String window = tree.path("window").asText();
    if (Checks.positiveDuration(window) != null) {
      problems.add(source, "window", Checks.positiveDuration(window));
      return null;
    }
    try {
      return new Rule(
          tree.path("name").asText(),
          text(tree, "description"),
          Scope.valueOf(constant(tree, "scope")),
          tree.path("query").asText(),
          groupBy(tree),
          Durations.parse(window),
          number(tree, "max"),
          number(tree, "min"),
          number(tree, "maxIncrease"),
          number(tree, "baselineFloor"),
          number(tree, "minVolume"),
          text(tree, "volumeQuery"),
          Severity.valueOf(constant(tree, "severity")),
          tree.has("onNoData") ? NoDataPolicy.valueOf(constant(tree, "onNoData")) : null,
          tree.has("cohort") ? CohortMode.valueOf(constant(tree, "cohort")) : null,
          number(tree, "cohortMargin"),
          texts(tree, "acceptWarnings"));
    } catch (Rule.InvalidRuleException e) {
      e.problems().forEach(p -> problems.add(source, p.field(), p.message()));
      return null;
    }
  }

  private static String text(JsonNode tree, String field) {
    JsonNode value = tree.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /**
   * The labels of {@code groupBy}: one written as a string (a namespace-scoped rule's usual form),
   * or a list; null when absent. Which form a scope takes is the rule's to say.
   */
  private static List<String> groupBy(JsonNode tree) {
    JsonNode value = tree.get("groupBy");
    return value != null && value.isTextual() ? List.of(value.asText()) : texts(tree, "groupBy");
  }

  /** A list of strings (the schema checked the shape); null when absent. */
  private static List<String> texts(JsonNode tree, String field) {
    JsonNode value = tree.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    List<String> texts = new ArrayList<>();
    value.forEach(v -> texts.add(v.asText()));
    return texts;
  }

  private static Double number(JsonNode tree, String field) {
    JsonNode value = tree.get(field);
    return value == null || value.isNull() ? null : value.asDouble();
  }

  /** The schema allows only the lower-case names of the enum's constants. */
  private static String constant(JsonNode tree, String field) {
    return tree.path(field).asText().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }
}

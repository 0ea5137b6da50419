package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
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

  public static Rule parse(String source, JsonNode tree, Problems problems) {
    YamlNode node = YamlNode.root(source, tree, problems);
    if (!node.isPresent()) {
      return null;
    }
    int before = problems.list().size();
    String name = node.requiredString("name", "a DNS-1123 rule name such as error-rate");
    String description = node.string("description");
    Scope scope = node.enumValue("scope", Scope.class);
    String query = node.requiredString("query", "a PromQL template");
    String groupBy = node.string("groupBy");
    var window = node.duration("window");
    Double max = node.number("max", "a number");
    Double min = node.number("min", "a number");
    Double maxIncrease = node.number("maxIncrease", "a number >= 0 (0.5 means +50%)");
    Double baselineFloor = node.number("baselineFloor", "a number >= 0");
    Double minVolume = node.number("minVolume", "a number >= 0");
    String volumeQuery = node.string("volumeQuery");
    Severity severity = node.enumValue("severity", Severity.class);
    NoDataPolicy onNoData = node.enumValue("onNoData", NoDataPolicy.class);
    node.rejectUnknown();
    if (tree.get("window") == null) {
      node.problem("window", "is missing; expected a duration such as 5m");
    }
    if (tree.get("scope") == null) {
      node.problem("scope", "is missing; expected one of namespace, revision");
    }
    if (tree.get("severity") == null) {
      node.problem("severity", "is missing; expected one of critical, warning");
    }
    if (problems.list().size() > before) {
      return null;
    }
    try {
      return new Rule(
          name,
          description,
          scope,
          query,
          groupBy,
          window,
          max,
          min,
          maxIncrease,
          baselineFloor,
          minVolume,
          volumeQuery,
          severity,
          onNoData);
    } catch (Rule.InvalidRuleException e) {
      e.problems().forEach(p -> problems.add(source, p.field(), p.message()));
      return null;
    }
  }
}

package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.gate.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What {@code meshgate validate} checks: each file's kind is told from its content. */
public final class Validator {
  /** Valid files (one line each, with what they are) and every problem found. */
  public record Report(List<String> valid, List<String> problems) {}

  private Validator() {}

  public static Report validate(List<Path> paths) {
    Problems problems = new Problems();
    List<String> valid = new ArrayList<>();
    Map<String, Path> ruleNames = new HashMap<>();
    for (Path file : files(paths, problems)) {
      String source = file.toString();
      int before = problems.list().size();
      JsonNode tree = Yaml.read(file, source, problems);
      if (tree == null) {
        continue;
      }
      String kind = kind(tree);
      switch (kind) {
        case "rule" -> {
          Rule rule = RuleLoader.parse(source, tree, problems);
          if (rule != null) {
            Path previous = ruleNames.putIfAbsent(rule.name(), file);
            if (previous != null) {
              problems.add(
                  source, "name", "is \"" + rule.name() + "\", already used by " + previous);
            }
          }
        }
        case "config" -> DaemonConfigLoader.parse(source, tree, false, problems);
        default -> problems.add(source, null, kind);
      }
      if (problems.list().size() == before) {
        valid.add(source + " (" + (kind.equals("rule") ? "gate rule" : "daemon config") + ")");
      }
    }
    return new Report(valid, problems.list());
  }

  private static String kind(JsonNode tree) {
    if (!tree.isObject()) {
      return "is not a YAML mapping; expected a gate rule or a daemon config";
    }
    if (tree.has("kind")) {
      return "is a "
          + tree.path("kind").asText()
          + " manifest; this version validates gate rules and daemon configs";
    }
    if (tree.has("query") || tree.has("scope") || tree.has("volumeQuery")) {
      return "rule";
    }
    if (tree.has("prometheus") || tree.has("rulesDir") || tree.has("http") || tree.has("alerts")) {
      return "config";
    }
    return "is neither a gate rule (name, scope, query, ...) nor a daemon config (prometheus, rulesDir, ...)";
  }

  private static List<Path> files(List<Path> paths, Problems problems) {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          List<Path> found =
              walk.filter(Files::isRegularFile)
                  .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                  .sorted()
                  .toList();
          if (found.isEmpty()) {
            problems.add(path + ": directory has no *.yaml or *.yml file");
          }
          files.addAll(found);
        } catch (IOException e) {
          problems.add(path + ": cannot be listed: " + e.getMessage());
        }
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else {
        problems.add(path + ": does not exist");
      }
    }
    return files;
  }
}

package io.meshgate.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.Problems;
import io.meshgate.config.RuleLoader;
import io.meshgate.config.SchemaCheck;
import io.meshgate.config.Yaml;
import io.meshgate.gate.Rule;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code meshgate validate} checks: each document's kind is told from its content. Files may
 * hold several {@code ---} separated documents; a problem then names the document by its number.
 */
public final class Validator {
  /**
   * Valid documents (one line each, with what they are), every problem found, and warnings: what is
   * valid but likely not meant (a soak shorter than its gates' windows).
   */
  public record Report(List<String> valid, List<String> problems, List<String> warnings) {}

  private final Path rulesDir;
  private final Problems problems = new Problems();
  private final List<String> valid = new ArrayList<>();
  private final Problems warnings = new Problems();
  private final Map<String, Path> ruleNames = new HashMap<>();
  private List<Rule> gateRules;
  private boolean gateRulesLoaded;

  private Validator(Path rulesDir) {
    this.rulesDir = rulesDir;
  }

  /**
   * @param rulesDir the rules RevisionMigration gates may name; read only if a manifest is found
   */
  public static Report validate(List<Path> paths, Path rulesDir) {
    Validator validator = new Validator(rulesDir);
    for (Path file : files(paths, validator.problems)) {
      validator.file(file);
    }
    // rules named on the command line and loaded for --rules report the same problem twice
    return new Report(
        validator.valid,
        validator.problems.list().stream().distinct().toList(),
        validator.warnings.list());
  }

  /**
   * What {@code validate} says of a RevisionMigration as the API server stored it, without a file
   * ({@code field 'spec.interval' is "0s"; expected a positive duration ...}): its spec, with the
   * gates checked against {@code rules}, and fields this version does not know ignored (a reader of
   * API objects ignores them; a manifest author is told).
   */
  public static List<String> storedMigrationProblems(
      JsonNode object, Collection<String> rules, String rulesDir) {
    ObjectNode document = Mappers.yaml().createObjectNode();
    document.put("apiVersion", RevisionMigration.API_VERSION);
    document.put("kind", RevisionMigration.KIND);
    document.putObject("metadata").set("name", object.path("metadata").path("name"));
    document.set("spec", object.path("spec"));
    List<SchemaCheck.Problem> schema = RevisionMigrationSchema.storedProblems(document);
    return migrationProblems(document, schema, rules, rulesDir).stream()
        .map(p -> "field '" + p.field() + "' " + p.message())
        .distinct()
        .toList();
  }

  private void file(Path file) {
    List<JsonNode> documents = Yaml.readAll(file, file.toString(), problems);
    if (documents == null) {
      return;
    }
    for (int i = 0; i < documents.size(); i++) {
      String source = documents.size() == 1 ? file.toString() : file + " document " + (i + 1);
      document(file, source, documents.get(i));
    }
  }

  private void document(Path file, String source, JsonNode tree) {
    int before = problems.list().size();
    String kind = kind(tree);
    String what =
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
            yield "gate rule";
          }
          case "config" -> {
            DaemonConfig config = DaemonConfigLoader.parse(source, tree, false, problems);
            if (config != null && config.sail().template() != null) {
              sailTemplate(source, config.sail().template());
            }
            yield "daemon config";
          }
          case "migration" -> {
            migration(source, tree);
            yield RevisionMigration.KIND + " " + tree.path("metadata").path("name").asText();
          }
          default -> {
            problems.add(source, null, kind);
            yield null;
          }
        };
    if (problems.list().size() == before) {
      valid.add(source + " (" + what + ")");
    }
  }

  private void sailTemplate(String source, JsonNode template) {
    List<Rule> rules = gateRules();
    List<String> names = rules == null ? null : rules.stream().map(Rule::name).toList();
    SailTemplate.problems(template, names, rulesDir.toString())
        .forEach(p -> problems.add(source, p.field(), p.message()));
  }

  private void migration(String source, JsonNode tree) {
    List<Rule> rules = gateRules();
    List<String> names = rules == null ? null : rules.stream().map(Rule::name).toList();
    migrationProblems(tree, RevisionMigrationSchema.problems(tree), names, rulesDir.toString())
        .forEach(p -> problems.add(source, p.field(), p.message()));
    RevisionMigrationSpec spec = RevisionMigrationChecks.read(tree.path("spec"));
    if (rules != null && spec != null) {
      SoakWarnings.of(spec, rules).forEach(w -> warnings.add(source, w.field(), w.message()));
    }
  }

  /**
   * Schema and meaning problems together; where both speak of one field, the meaning check's
   * message (it says more: "expected a number >= 0 (0.5 means +50%)") replaces the schema's.
   */
  static List<SchemaCheck.Problem> migrationProblems(
      JsonNode document,
      List<SchemaCheck.Problem> schema,
      Collection<String> rules,
      String rulesDir) {
    List<SchemaCheck.Problem> checks = RevisionMigrationChecks.problems(document, rules, rulesDir);
    Set<String> checked = new HashSet<>();
    checks.forEach(p -> checked.add(p.field()));
    List<SchemaCheck.Problem> found = new ArrayList<>();
    schema.stream().filter(p -> !checked.contains(p.field())).forEach(found::add);
    found.addAll(checks);
    found.sort(Comparator.comparing(SchemaCheck.Problem::field));
    return found;
  }

  /** The rules in {@code --rules}, or null when none could be loaded. */
  private List<Rule> gateRules() {
    if (!gateRulesLoaded) {
      gateRulesLoaded = true;
      List<Rule> rules = RuleLoader.loadDirectory(rulesDir, problems);
      gateRules = rules.isEmpty() ? null : rules;
    }
    return gateRules;
  }

  private static String kind(JsonNode tree) {
    if (!tree.isObject()) {
      return "is not a YAML mapping; expected a RevisionMigration, a gate rule or a daemon config";
    }
    if (tree.has("kind")) {
      String kind = tree.path("kind").asText();
      String apiVersion = tree.path("apiVersion").asText();
      if (kind.equals(RevisionMigration.KIND) && apiVersion.equals(RevisionMigration.API_VERSION)) {
        return "migration";
      }
      if (kind.equals(RevisionMigration.KIND)) {
        return "field 'apiVersion' is \""
            + apiVersion
            + "\"; expected "
            + RevisionMigration.API_VERSION;
      }
      return "is a "
          + kind
          + " manifest; this version validates "
          + RevisionMigration.KIND
          + " ("
          + RevisionMigration.API_VERSION
          + "), gate rules and daemon configs";
    }
    if (tree.has("query") || tree.has("scope") || tree.has("volumeQuery")) {
      return "rule";
    }
    if (tree.has("prometheus") || tree.has("rulesDir") || tree.has("http") || tree.has("alerts")) {
      return "config";
    }
    return "is neither a gate rule (name, scope, query, ...), a daemon config (prometheus,"
        + " rulesDir, ...) nor a RevisionMigration (apiVersion, kind, spec)";
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

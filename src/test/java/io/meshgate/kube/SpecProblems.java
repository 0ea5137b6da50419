package io.meshgate.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.Rule;
import io.meshgate.validate.Validator;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** What the daemon checks stored RevisionMigrations with, for the rules of {@code rules/}. */
public final class SpecProblems {
  private static final Path RULES = Path.of("rules");

  /** As the daemon wires it: {@code validate}'s checks, gates against the shipped rules. */
  public static final Function<JsonNode, List<String>> SHIPPED_RULES = of(RULES);

  private SpecProblems() {}

  public static Function<JsonNode, List<String>> of(Path rulesDir) {
    List<String> names = RuleLoader.loadDirectory(rulesDir).stream().map(Rule::name).toList();
    return object -> Validator.storedMigrationProblems(object, names, rulesDir.toString());
  }
}

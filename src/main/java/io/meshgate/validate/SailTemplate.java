package io.meshgate.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.config.SchemaCheck;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import java.util.Collection;
import java.util.List;

/**
 * What {@code meshgate validate} says of {@code sail.template} of the daemon config: the template
 * is checked as the spec of a RevisionMigration (the CRD's schema, unknown fields included, and the
 * meaning checks, gates against the rules), with the revisions each Istio change fills in standing
 * in for {@code fromRevision} and {@code toRevision}. Fields are named from the config's root
 * ({@code sail.template.waves[0].soak}), in messages too ("did you mean 'sail.template.waves'?").
 *
 * <pre>{@code
 * List<SchemaCheck.Problem> problems = SailTemplate.problems(config.sail().template(), ruleNames, "rules");
 * }</pre>
 */
public final class SailTemplate {
  static final String FIELD = "sail.template";

  private SailTemplate() {}

  /**
   * @param rules names of the rules gates may use, or null to skip that check
   * @return every problem, empty when a migration made from the template would be valid
   */
  public static List<SchemaCheck.Problem> problems(
      JsonNode template, Collection<String> rules, String rulesDir) {
    ObjectNode document = Mappers.yaml().createObjectNode();
    document.put("apiVersion", RevisionMigration.API_VERSION);
    document.put("kind", RevisionMigration.KIND);
    document.putObject("metadata").put("name", "sail-template");
    JsonNode spec = template.deepCopy();
    if (spec instanceof ObjectNode object) {
      // the config loader reports a template that names them; here they are the Istio's
      object.put("fromRevision", "previous-revision");
      object.put("toRevision", "active-revision");
    }
    document.set("spec", spec);
    return Validator.migrationProblems(
            document, RevisionMigrationSchema.problems(document), rules, rulesDir)
        .stream()
        .map(
            p ->
                new SchemaCheck.Problem(
                    field(p.field()), p.message().replace("'spec.", "'" + FIELD + ".")))
        .toList();
  }

  private static String field(String field) {
    if (field.equals("spec")) {
      return FIELD;
    }
    return field.startsWith("spec.") ? FIELD + field.substring("spec".length()) : field;
  }
}

package io.meshgate.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.meshgate.config.YamlNode;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The CRD of RevisionMigration, read from the classpath (the build copies {@code deploy/crds}), and
 * its OpenAPI schema as a validator. The CRD is the one definition of the fields: nothing here
 * repeats them.
 *
 * <pre>{@code
 * List<RevisionMigrationSchema.Problem> problems = RevisionMigrationSchema.problems(document);
 * }</pre>
 */
public final class RevisionMigrationSchema {
  static final String CRD_RESOURCE = "/revisionmigrations.meshgate.io.yaml";
  static final String DNS_1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  static final String DURATION =
      "^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$";
  private static final String DURATION_EXPECTED = "a duration such as 30s, 5m or 1h30m";

  /** How the message of an unknown field starts. */
  static final String UNKNOWN = "is unknown";

  private static final JsonNode CRD = load();
  private static final JsonNode STRICT_SCHEMA = strict(openApiSchema().deepCopy());
  private static final JsonSchema VALIDATOR =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
          .getSchema(STRICT_SCHEMA, SchemaValidatorsConfig.builder().locale(Locale.ROOT).build());

  /** One schema violation: the field path ({@code spec.waves[1].name}) and what is wrong. */
  public record Problem(String field, String message) {}

  private RevisionMigrationSchema() {}

  /** The {@code openAPIV3Schema} of the served version, as the API server sees it. */
  public static JsonNode openApiSchema() {
    for (JsonNode version : CRD.path("spec").path("versions")) {
      if (version.path("name").asText().equals(RevisionMigration.VERSION)) {
        return version.path("schema").path("openAPIV3Schema");
      }
    }
    throw new IllegalStateException(
        CRD_RESOURCE
            + " has no version "
            + RevisionMigration.VERSION
            + "; it is part of the build");
  }

  /** Every way {@code document} breaks the schema, unknown fields included; empty when valid. */
  public static List<Problem> problems(JsonNode document) {
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage m : VALIDATOR.validate(document)) {
      problems.add(problem(m));
    }
    problems.sort(Comparator.comparing(Problem::field));
    return problems;
  }

  private static JsonNode load() {
    try (InputStream in = RevisionMigrationSchema.class.getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CRD_RESOURCE + " is not on the classpath; the build copies it from deploy/crds");
      }
      return Mappers.yaml().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CRD_RESOURCE, e);
    }
  }

  /**
   * A structural CRD schema cannot say {@code additionalProperties: false} next to {@code
   * properties} (the API server prunes unknown fields silently instead); a user validating a
   * manifest wants a typo reported, so every object with properties gets it here.
   */
  private static JsonNode strict(JsonNode schema) {
    if (schema instanceof ObjectNode object) {
      if (object.has("properties") && !object.has("additionalProperties")) {
        object.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = object.path("properties").elements(); it.hasNext(); ) {
        strict(it.next());
      }
      strict(object.path("items"));
      strict(object.path("additionalProperties"));
    }
    return schema;
  }

  private static Problem problem(ValidationMessage m) {
    String at = path(m.getInstanceLocation());
    JsonNode value = m.getInstanceNode();
    JsonNode owner = owner(m.getSchemaLocation().getFragment());
    return switch (m.getType()) {
      case "additionalProperties" ->
          new Problem(join(at, m.getProperty()), UNKNOWN + suggestion(at, m.getProperty(), owner));
      case "required" ->
          new Problem(
              join(at, m.getProperty()),
              "is missing; expected "
                  + expectation(owner.path("properties").path(m.getProperty())));
      case "type" ->
          new Problem(
              at, "is " + YamlNode.shown(value) + "; expected " + typeName(owner.path("type")));
      case "enum" ->
          new Problem(
              at, "is " + YamlNode.shown(value) + "; expected one of " + list(owner.path("enum")));
      case "pattern", "minLength" ->
          new Problem(at, "is " + YamlNode.shown(value) + "; expected " + form(owner));
      case "maxLength" ->
          new Problem(
              at,
              "is "
                  + value.asText().length()
                  + " characters long; expected at most "
                  + owner.path("maxLength").asInt());
      case "minimum" ->
          new Problem(
              at,
              "is "
                  + YamlNode.shown(value)
                  + "; expected at least "
                  + owner.path("minimum").asText());
      case "maximum" ->
          new Problem(
              at,
              "is "
                  + YamlNode.shown(value)
                  + "; expected at most "
                  + owner.path("maximum").asText());
      case "minItems" ->
          new Problem(
              at,
              "has "
                  + value.size()
                  + (value.size() == 1 ? " item" : " items")
                  + "; expected at least "
                  + owner.path("minItems").asInt());
      case "format" ->
          new Problem(at, "is " + YamlNode.shown(value) + "; expected an RFC 3339 time");
      default -> new Problem(at, m.getMessage());
    };
  }

  /** The schema object holding the keyword that failed: the fragment minus its last step. */
  private static JsonNode owner(JsonNodePath fragment) {
    JsonNode node = STRICT_SCHEMA;
    for (int i = 0; i < fragment.getNameCount() - 1; i++) {
      Object step = fragment.getElement(i);
      node = step instanceof Integer index ? node.path(index) : node.path(step.toString());
    }
    return node;
  }

  private static String expectation(JsonNode property) {
    if (property.has("pattern")) {
      return form(property);
    }
    if (property.has("enum")) {
      return "one of " + list(property.path("enum"));
    }
    return typeName(property.path("type"));
  }

  private static String form(JsonNode owner) {
    return switch (owner.path("pattern").asText()) {
      case DNS_1123_LABEL ->
          "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter"
              + " or digit)";
      case DURATION -> DURATION_EXPECTED;
      default -> "text matching " + owner.path("pattern").asText();
    };
  }

  /** {@code spec.waves[1].name} from the validator's path of the value. */
  private static String path(JsonNodePath location) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object step = location.getElement(i);
      if (step instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(step);
      }
    }
    return path.toString();
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String suggestion(String at, String key, JsonNode owner) {
    List<String> known = new ArrayList<>();
    owner.path("properties").fieldNames().forEachRemaining(known::add);
    String nearest = YamlNode.nearest(key, known);
    if (nearest != null) {
      return "; did you mean '" + join(at, nearest) + "'?";
    }
    return "; known fields: " + String.join(", ", known);
  }

  private static String typeName(JsonNode type) {
    return switch (type.asText()) {
      case "object" -> "a mapping";
      case "array" -> "a list";
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      default -> "a " + type.asText();
    };
  }

  private static String list(JsonNode values) {
    List<String> names = new ArrayList<>();
    values.forEach(v -> names.add(v.asText()));
    return String.join(", ", names);
  }
}

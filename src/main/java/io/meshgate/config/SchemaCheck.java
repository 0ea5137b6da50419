package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.KeywordFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.UnknownKeywordFactory;
import com.networknt.schema.ValidationMessage;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The one validation engine: a document checked against a JSON Schema, every violation said the way
 * a person fixes it (field, value, expectation, nearest known field). Rules files and the daemon
 * configuration use the schemas published in {@code schemas/} (on the classpath under {@code
 * meshgate/schemas/}); RevisionMigration manifests use the CRD's own schema.
 *
 * <p>What a value should look like comes from the schema: a node's {@code x-expected} annotation
 * (the property's own before the one of the definition it refers to), else the {@code x-expected}
 * of the shared definition in {@code common.schema.json} with the same pattern (the CRD cannot
 * refer to that file), else the enum or the type.
 *
 * <pre>{@code
 * List<SchemaCheck.Problem> problems = SchemaCheck.RULE.problems(tree);
 * }</pre>
 */
public final class SchemaCheck {
  private static final String DIRECTORY = "meshgate/schemas/";
  private static final String EXPECTED = "x-expected";
  private static final Map<String, JsonNode> DOCUMENTS = new HashMap<>();
  private static final Map<String, String> EXPECTED_BY_PATTERN = expectedByPattern();

  /** One schema violation: the field path ({@code spec.waves[1].name}) and what is wrong. */
  public record Problem(String field, String message) {}

  /** A gate rule, {@code schemas/rule.schema.json}. */
  public static final SchemaCheck RULE = published("rule.schema.json");

  /** The daemon configuration, {@code schemas/meshgate.schema.json}. */
  public static final SchemaCheck DAEMON_CONFIG = published("meshgate.schema.json");

  private final JsonNode root;
  private final JsonSchema validator;

  private SchemaCheck(JsonNode root, JsonSchema validator) {
    this.root = root;
    this.validator = validator;
  }

  private static SchemaCheck published(String name) {
    return new SchemaCheck(
        document(name),
        factory(SpecVersion.VersionFlag.V202012, JsonMetaSchema.getV202012())
            .getSchema(SchemaLocation.of("classpath:" + DIRECTORY + name), config()));
  }

  /** A check against an OpenAPI v3 (draft 4) schema held in memory, such as a CRD's. */
  public static SchemaCheck openApi(JsonNode schema) {
    return new SchemaCheck(
        schema,
        factory(SpecVersion.VersionFlag.V4, JsonMetaSchema.getV4()).getSchema(schema, config()));
  }

  /**
   * A factory that knows the annotations these schemas carry: meshgate's {@code x-expected}, and
   * OpenAPI's {@code nullable} and Kubernetes' {@code x-kubernetes-*} in a CRD. Any other unknown
   * keyword is still warned about: it is a typo in a schema.
   */
  private static JsonSchemaFactory factory(SpecVersion.VersionFlag version, JsonMetaSchema base) {
    KeywordFactory annotations =
        (keyword, context) ->
            keyword.startsWith("x-") || keyword.equals("nullable")
                ? new NonValidationKeyword(keyword)
                : UnknownKeywordFactory.getInstance().getKeyword(keyword, context);
    JsonMetaSchema meta = JsonMetaSchema.builder(base).unknownKeywordFactory(annotations).build();
    return JsonSchemaFactory.getInstance(version, builder -> builder.metaSchema(meta));
  }

  private static SchemaValidatorsConfig config() {
    return SchemaValidatorsConfig.builder().locale(Locale.ROOT).build();
  }

  /** Every way {@code document} breaks the schema, unknown fields included; empty when valid. */
  public List<Problem> problems(JsonNode document) {
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage m : validator.validate(document)) {
      problems.add(problem(m));
    }
    problems.sort(Comparator.comparing(Problem::field));
    return problems;
  }

  /**
   * The known name closest to a misspelt {@code key}, or null when none is close enough to be what
   * was meant.
   */
  public static String nearest(String key, Iterable<String> known) {
    LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
    String lower = key.toLowerCase(Locale.ROOT);
    String nearest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance.apply(candidate.toLowerCase(Locale.ROOT), lower);
      if (d < best) {
        best = d;
        nearest = candidate;
      }
    }
    return nearest != null && best <= Math.max(2, key.length() / 3) ? nearest : null;
  }

  /** A value as a message shows it: strings quoted, mappings and lists by their kind. */
  public static String shown(JsonNode value) {
    if (value.isTextual()) {
      return "\"" + value.asText() + "\"";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    return value.asText();
  }

  private Problem problem(ValidationMessage m) {
    String at = path(m.getInstanceLocation());
    JsonNode value = m.getInstanceNode();
    Walk walk = walk(m.getEvaluationPath());
    JsonNode owner = walk.owner;
    String expected = walk.expected != null ? walk.expected : expectation(owner);
    return switch (m.getType()) {
      case "additionalProperties" ->
          new Problem(join(at, m.getProperty()), "is unknown" + suggestion(at, m, owner));
      case "required" ->
          new Problem(
              join(at, m.getProperty()),
              "is missing; expected "
                  + expectation(owner.path("properties").path(m.getProperty())));
      case "type" ->
          new Problem(
              at,
              "is "
                  + shown(value)
                  + "; expected "
                  + (owner.path("type").asText().matches("object|array")
                      ? typeName(owner.path("type"))
                      : expected));
      case "minProperties" -> new Problem(at, "is empty; expected " + expected);
      case "maxLength" ->
          walk.expected == null
              ? new Problem(
                  at,
                  "is "
                      + value.asText().length()
                      + " characters long; expected at most "
                      + owner.path("maxLength").asInt())
              : new Problem(at, "is " + shown(value) + "; expected " + expected);
      case "minimum" ->
          walk.expected == null
              ? new Problem(
                  at,
                  "is " + shown(value) + "; expected at least " + owner.path("minimum").asText())
              : new Problem(at, "is " + shown(value) + "; expected " + expected);
      case "maximum" ->
          walk.expected == null
              ? new Problem(
                  at, "is " + shown(value) + "; expected at most " + owner.path("maximum").asText())
              : new Problem(at, "is " + shown(value) + "; expected " + expected);
      case "minItems" ->
          new Problem(
              at,
              "has "
                  + value.size()
                  + (value.size() == 1 ? " item" : " items")
                  + "; expected at least "
                  + owner.path("minItems").asInt());
      case "format" -> new Problem(at, "is " + shown(value) + "; expected an RFC 3339 time");
      case "enum", "pattern", "minLength" ->
          new Problem(at, "is " + shown(value) + "; expected " + expected);
      default -> new Problem(at, m.getMessage());
    };
  }

  /** Where the failing keyword sits, and the nearest {@code x-expected} for its value. */
  private record Walk(JsonNode owner, String expected) {}

  /**
   * Follows the evaluation path from the root, through {@code $ref}s: the node before the keyword
   * owns it; the first {@code x-expected} met since the value's location last changed (a
   * property's, before that of the definition it refers to) says what the value should be.
   */
  private Walk walk(JsonNodePath evaluation) {
    JsonNode node = root;
    String expected = node.path(EXPECTED).textValue();
    for (int i = 0; i < evaluation.getNameCount() - 1; i++) {
      Object step = evaluation.getElement(i);
      if ("$ref".equals(step)) {
        node = resolve(node.path("$ref").asText());
      } else if (step instanceof Integer index) {
        node = node.path(index);
      } else {
        String name = step.toString();
        boolean intoValue =
            name.equals("items")
                || name.equals("additionalProperties")
                || (i > 0 && "properties".equals(evaluation.getElement(i - 1)));
        node = node.path(name);
        if (intoValue) {
          expected = null;
        }
      }
      if (expected == null && node.path(EXPECTED).isTextual()) {
        expected = node.path(EXPECTED).asText();
      }
    }
    return new Walk(node, expected);
  }

  /** A reference to {@code #/$defs/x} or {@code common.schema.json#/$defs/x}. */
  private JsonNode resolve(String ref) {
    int hash = ref.indexOf('#');
    JsonNode node = hash == 0 ? root : document(ref.substring(0, hash < 0 ? ref.length() : hash));
    if (hash >= 0) {
      for (String step : ref.substring(hash + 1).split("/")) {
        if (!step.isEmpty()) {
          node = node.path(step);
        }
      }
    }
    return node;
  }

  private String expectation(JsonNode property) {
    if (property.path(EXPECTED).isTextual()) {
      return property.path(EXPECTED).asText();
    }
    if (property.has("$ref")) {
      return expectation(resolve(property.path("$ref").asText()));
    }
    if (property.has("pattern")
        && EXPECTED_BY_PATTERN.containsKey(property.path("pattern").asText())) {
      return EXPECTED_BY_PATTERN.get(property.path("pattern").asText());
    }
    if (property.has("pattern")) {
      return "text matching " + property.path("pattern").asText();
    }
    if (property.has("enum")) {
      List<String> names = new ArrayList<>();
      property.path("enum").forEach(v -> names.add(v.asText()));
      return "one of " + String.join(", ", names);
    }
    return typeName(property.path("type"));
  }

  private static String typeName(JsonNode type) {
    return switch (type.asText()) {
      case "object" -> "a mapping";
      case "array" -> "a list";
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      case "" -> "a value";
      default -> "a " + type.asText();
    };
  }

  private static String suggestion(String at, ValidationMessage m, JsonNode owner) {
    List<String> known = new ArrayList<>();
    owner.path("properties").fieldNames().forEachRemaining(known::add);
    String nearest = nearest(m.getProperty(), known);
    if (nearest != null) {
      return "; did you mean '" + join(at, nearest) + "'?";
    }
    return "; known fields: " + String.join(", ", known);
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

  /** The published schema {@code name}, read once. */
  private static synchronized JsonNode document(String name) {
    return DOCUMENTS.computeIfAbsent(
        name,
        n -> {
          try (InputStream in =
              SchemaCheck.class.getClassLoader().getResourceAsStream(DIRECTORY + n)) {
            if (in == null) {
              throw new IllegalStateException(
                  DIRECTORY + n + " is not on the classpath; the build copies schemas/ there");
            }
            return Mappers.json().readTree(in);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIRECTORY + n, e);
          }
        });
  }

  private static Map<String, String> expectedByPattern() {
    Map<String, String> byPattern = new HashMap<>();
    document("common.schema.json")
        .path("$defs")
        .forEach(
            def -> {
              if (def.has("pattern")) {
                byPattern.put(def.path("pattern").asText(), def.path(EXPECTED).asText());
              }
            });
    return Map.copyOf(byPattern);
  }
}

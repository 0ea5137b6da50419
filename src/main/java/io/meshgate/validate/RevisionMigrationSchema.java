package io.meshgate.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.config.SchemaCheck;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;

/**
 * The CRD of RevisionMigration, read from the classpath (the build copies {@code deploy/crds}), and
 * its OpenAPI schema as a validator. The CRD is the one definition of the fields: nothing here
 * repeats them.
 *
 * <pre>{@code
 * List<SchemaCheck.Problem> problems = RevisionMigrationSchema.problems(document);
 * }</pre>
 */
public final class RevisionMigrationSchema {
  static final String CRD_RESOURCE = "/revisionmigrations.meshgate.io.yaml";

  private static final JsonNode CRD = load();
  private static final JsonNode STRICT_SCHEMA = strict(openApiSchema().deepCopy());
  private static final SchemaCheck CHECK = SchemaCheck.openApi(STRICT_SCHEMA);
  private static final SchemaCheck STORED = SchemaCheck.openApi(openApiSchema());

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
  public static List<SchemaCheck.Problem> problems(JsonNode document) {
    return CHECK.problems(document);
  }

  /**
   * As {@link #problems}, for an object the API server stored: fields this version does not know
   * are not problems (the server prunes them; a reader of API objects ignores them).
   */
  public static List<SchemaCheck.Problem> storedProblems(JsonNode document) {
    return STORED.problems(document);
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
}

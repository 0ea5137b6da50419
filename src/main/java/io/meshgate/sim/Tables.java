package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.json.Mappers;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Server-side printing as the API server does it for {@code kubectl get} (which asks for {@code
 * application/json;as=Table;v=v1;g=meta.k8s.io}, k8s.io/kubectl {@code pkg/cmd/get/get.go}
 * transformRequests): a {@code meta.k8s.io/v1 Table} whose columns are a custom resource's {@code
 * additionalPrinterColumns} (k8s.io/apiextensions-apiserver {@code
 * pkg/registry/customresource/tableconvertor}), a Namespace's NAME STATUS AGE, or NAME AGE for the
 * other built-in kinds. Without it kubectl prints no printer column of a RevisionMigration.
 */
final class Tables {

  /** A column and the simple JSONPath ({@code .status.phase}) of its cells. */
  record Column(String name, String type, String format, String description, String jsonPath) {
    static Column objectName() {
      return new Column("Name", "string", "name", "Name must be unique within a namespace.", null);
    }

    static Column creation() {
      return new Column(
          "Age",
          "date",
          "",
          "CreationTimestamp is when the object was created.",
          ".metadata.creationTimestamp");
    }
  }

  private Tables() {}

  /**
   * The columns of {@code plural} in {@code group}: the printer columns of its CRD (served version
   * {@code version}) when it has one, the API server's for a Namespace, else NAME AGE.
   */
  static List<Column> columns(String group, String version, String plural, Discovery discovery) {
    List<Column> columns = new ArrayList<>(List.of(Column.objectName()));
    if (group.isEmpty() && plural.equals("namespaces")) {
      columns.add(
          new Column("Status", "string", "", "The status of the namespace", ".status.phase"));
      columns.add(Column.creation());
      return columns;
    }
    JsonNode printerColumns =
        discovery
            .crd(group, plural)
            .map(crd -> servedVersion(crd, version).path("additionalPrinterColumns"))
            .orElse(Mappers.json().missingNode());
    for (JsonNode column : printerColumns) {
      columns.add(
          new Column(
              column.path("name").asText(),
              column.path("type").asText("string"),
              column.path("format").asText(""),
              column
                  .path("description")
                  .asText(
                      "Custom resource definition column (in JSONPath format): "
                          + column.path("jsonPath").asText()),
              column.path("jsonPath").asText()));
    }
    if (columns.size() == 1) {
      columns.add(Column.creation());
    }
    return columns;
  }

  /**
   * {@code body} (a list or one object) as a Table; {@code includeObject} is the request's
   * parameter: {@code Object}, {@code None}, or else the object's metadata only, as the API server
   * does by default.
   */
  static ObjectNode table(JsonNode body, List<Column> columns, String includeObject, Instant now) {
    ObjectNode table =
        Mappers.json().createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table
        .putObject("metadata")
        .put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (Column column : columns) {
      definitions
          .addObject()
          .put("name", column.name())
          .put("type", column.type())
          .put("format", column.format())
          .put("description", column.description())
          .put("priority", 0);
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> objects = new ArrayList<>();
    if (body.has("items")) {
      body.path("items").forEach(objects::add);
    } else {
      objects.add(body);
    }
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Column column : columns) {
        cells.add(cell(column, object, now));
      }
      if ("Object".equals(includeObject)) {
        row.set("object", object);
      } else if (!"None".equals(includeObject)) {
        row.putObject("object")
            .put("kind", "PartialObjectMetadata")
            .put("apiVersion", "meta.k8s.io/v1")
            .set("metadata", object.path("metadata"));
      }
    }
    return table;
  }

  private static JsonNode cell(Column column, JsonNode object, Instant now) {
    if (column.jsonPath() == null) {
      return Mappers.json()
          .getNodeFactory()
          .textNode(object.path("metadata").path("name").asText());
    }
    JsonNode value = at(object, column.jsonPath());
    if (value.isMissingNode() || value.isNull()) {
      return Mappers.json().getNodeFactory().nullNode();
    }
    return switch (column.type()) {
      case "date" -> Mappers.json().getNodeFactory().textNode(age(value.asText(), now));
      case "string" ->
          Mappers.json()
              .getNodeFactory()
              .textNode(value.isValueNode() ? value.asText() : value.toString());
      default -> value;
    };
  }

  /** A JSONPath of field names only ({@code .status.phase}); anything else is missing. */
  static JsonNode at(JsonNode object, String jsonPath) {
    if (!jsonPath.matches("(\\.[A-Za-z0-9_-]+)+")) {
      return Mappers.json().missingNode();
    }
    JsonNode node = object;
    for (String field : jsonPath.substring(1).split("\\.")) {
      node = node.path(field);
    }
    return node;
  }

  /** A date cell as the API server writes it (k8s.io/apimachinery util/duration HumanDuration). */
  static String age(String timestamp, Instant now) {
    Duration d;
    try {
      d = Duration.between(Instant.parse(timestamp), now);
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
    long seconds = d.toSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return hours % 24 == 0
          ? hours / 24 + "d"
          : String.format(Locale.ROOT, "%dd%dh", hours / 24, hours % 24);
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }

  private static JsonNode servedVersion(JsonNode crd, String version) {
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals(version)) {
        return v;
      }
    }
    return Mappers.json().missingNode();
  }
}

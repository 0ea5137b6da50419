package io.meshgate.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.Series;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the Prometheus HTTP API envelope of an instant query. */
final class ResponseParser {
  /** errorTypes after which the same query may succeed later (Prometheus web/api/v1/api.go). */
  private static final Set<String> RETRYABLE_ERROR_TYPES =
      Set.of("timeout", "internal", "unavailable", "canceled");

  private final ObjectMapper json;

  ResponseParser(ObjectMapper json) {
    this.json = json;
  }

  QueryResult.Success parse(int httpStatus, String body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject() || !root.has("status")) {
      throw notAnEnvelope(httpStatus, body);
    }
    if (!"success".equals(root.path("status").asText())) {
      String errorType = root.path("errorType").asText("unknown");
      String error = root.path("error").asText("no error message");
      boolean retryable = RETRYABLE_ERROR_TYPES.contains(errorType) || httpStatus >= 500;
      throw new PrometheusException(
          errorType, "Prometheus answered " + errorType + ": " + error, retryable);
    }
    List<String> warnings = new ArrayList<>();
    root.path("warnings").forEach(w -> warnings.add(w.asText()));
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    return switch (type) {
      case "vector" -> new QueryResult.Success(vector(result), warnings);
      case "scalar" ->
          new QueryResult.Success(List.of(new Series(Map.of(), sampleValue(result))), warnings);
      default ->
          throw new PrometheusException(
              "unsupported_result",
              "query returned a "
                  + (type.isEmpty() ? "malformed" : type)
                  + " result; rules must return an instant vector or a scalar",
              false);
    };
  }

  private static PrometheusException notAnEnvelope(int httpStatus, String body) {
    String excerpt = body == null ? "" : body.strip();
    excerpt = excerpt.length() > 120 ? excerpt.substring(0, 120) + "..." : excerpt;
    if (httpStatus >= 200 && httpStatus < 300) {
      return new PrometheusException(
          "malformed",
          "Prometheus answered HTTP "
              + httpStatus
              + " with a body that is not a Prometheus API response: "
              + excerpt,
          false);
    }
    String hint =
        httpStatus == 401 || httpStatus == 403
            ? " (check prometheus.bearerTokenFile / basicAuth)"
            : httpStatus == 404 ? " (check prometheus.url and its path prefix)" : "";
    return new PrometheusException(
        "http_" + httpStatus,
        "Prometheus answered HTTP " + httpStatus + hint + ": " + excerpt,
        httpStatus >= 500 || httpStatus == 429);
  }

  private static List<Series> vector(JsonNode result) {
    if (!result.isArray()) {
      throw malformed("vector result is not a list");
    }
    List<Series> series = new ArrayList<>(result.size());
    for (JsonNode element : result) {
      Map<String, String> labels = new HashMap<>();
      element
          .path("metric")
          .fields()
          .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      series.add(new Series(labels, sampleValue(element.path("value"))));
    }
    return series;
  }

  /** A sample is {@code [<unix time>, "<value>"]}; the value is a string, possibly NaN or ±Inf. */
  private static double sampleValue(JsonNode sample) {
    if (!sample.isArray() || sample.size() != 2 || !sample.get(1).isTextual()) {
      throw malformed("sample is not [time, \"value\"]: " + sample);
    }
    String text = sample.get(1).asText();
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw malformed("sample value \"" + text + "\" is not a number");
        }
      }
    };
  }

  private static PrometheusException malformed(String detail) {
    return new PrometheusException("malformed", "malformed Prometheus response: " + detail, false);
  }
}

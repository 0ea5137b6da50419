package io.meshgate.prometheus;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.RangeResult;
import io.meshgate.gate.Series;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the Prometheus HTTP API envelope of an instant query. The result is streamed straight into
 * series: a tick over a thousand namespaces returns thousands of them, and a JSON tree per answer
 * doubled the cost of a tick.
 *
 * <p>{@code warnings} are kept for the gate to judge (a Thanos Querier, Mimir or Cortex says so
 * when an answer is partial). {@code infos} (Prometheus 3) are kept apart, never judged; a warning
 * that is a PromQL info annotation ({@code "PromQL info: ..."}, which Prometheus 2.46 to 2.53 and
 * Thanos put among the warnings) is an info too: the engine's note that a counter's name does not
 * end in {@code _total} says nothing about missing data.
 */
final class ResponseParser {
  /** errorTypes after which the same query may succeed later (Prometheus web/api/v1/api.go). */
  private static final Set<String> RETRYABLE_ERROR_TYPES =
      Set.of("timeout", "internal", "unavailable", "canceled");

  /** How the PromQL engine begins an info-level annotation (promql/annotations). */
  static final String PROMQL_INFO = "PromQL info: ";

  /**
   * What a refusal of the connection settings (not of the query) says to fix, by HTTP status. Mimir
   * and Cortex refuse a query without the tenant header with 401 {@code no org id} (grafana/dskit
   * middleware/http_auth.go, {@code AuthenticateUser}; user/http.go, {@code ErrNoOrgID}), and serve
   * the Prometheus API only under their prefix, {@code /prometheus} by default (Mimir's {@code
   * api.prometheus_http_prefix}): anything else is 404. Sending the same request again cannot help.
   */
  private static final Map<Integer, String> CONFIGURATION_ERRORS =
      Map.of(
          401,
          "set the tenant header prometheus.headers X-Scope-OrgID (Mimir, Cortex) or the"
              + " credentials prometheus.bearerTokenFile / basicAuth",
          403,
          "the tenant in prometheus.headers X-Scope-OrgID (Mimir, Cortex) or the credentials"
              + " prometheus.bearerTokenFile / basicAuth may not query here",
          404,
          "no Prometheus API under prometheus.url; check its path prefix (Mimir and Cortex serve"
              + " it under one, such as http://mimir/prometheus)");

  /** The {@code meshgate_prometheus_errors_total} reason of each configuration error. */
  static final Map<Integer, String> CONFIGURATION_REASONS =
      Map.of(401, "unauthorized", 403, "forbidden", 404, "not_found");

  private final ObjectMapper json;
  private final String url;

  ResponseParser(ObjectMapper json) {
    this(json, "the configured URL");
  }

  /** {@code url}: prometheus.url, as errors name it (credentials stripped). */
  ResponseParser(ObjectMapper json, String url) {
    this.json = json;
    this.url = url;
  }

  /** What the envelope held; fields arrive in any order. */
  private static final class Envelope {
    String status;
    String errorType;
    String error;
    String resultType;
    List<Series> series;
    JsonNode unparsedResult;
    final List<String> warnings = new ArrayList<>();
    final List<String> infos = new ArrayList<>();
  }

  QueryResult.Success parse(int httpStatus, byte[] body) {
    Envelope envelope = successful(httpStatus, body);
    String type = envelope.resultType == null ? "" : envelope.resultType;
    return switch (type) {
      case "vector" -> new QueryResult.Success(vector(envelope), envelope.warnings, envelope.infos);
      case "scalar" ->
          new QueryResult.Success(
              List.of(new Series(Map.of(), sampleValue(envelope.unparsedResult))),
              envelope.warnings,
              envelope.infos);
      default ->
          throw new PrometheusException(
              "unsupported_result",
              "query returned a "
                  + (type.isEmpty() ? "malformed" : type)
                  + " result; rules must return an instant vector or a scalar",
              false);
    };
  }

  /** The answer of {@code /api/v1/query_range}: a matrix of series over time. */
  RangeResult.Success parseMatrix(int httpStatus, byte[] body) {
    Envelope envelope = successful(httpStatus, body);
    if (!"matrix".equals(envelope.resultType) || envelope.unparsedResult == null) {
      throw malformed("range query returned a " + envelope.resultType + " result, not a matrix");
    }
    List<RangeResult.RangeSeries> series = new ArrayList<>();
    for (JsonNode element : envelope.unparsedResult) {
      Map<String, String> labels = new HashMap<>();
      element
          .path("metric")
          .fields()
          .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
      NavigableMap<Long, Double> samples = new TreeMap<>();
      for (JsonNode sample : element.path("values")) {
        samples.put(Math.round(sample.path(0).asDouble()), sampleValue(sample));
      }
      series.add(new RangeResult.RangeSeries(labels, samples));
    }
    return new RangeResult.Success(series, envelope.warnings, envelope.infos);
  }

  private Envelope successful(int httpStatus, byte[] body) {
    Envelope envelope;
    try (JsonParser parser = json.getFactory().createParser(body)) {
      envelope = envelope(parser);
    } catch (IOException | IllegalStateException e) {
      envelope = null;
    }
    if (envelope == null || envelope.status == null) {
      throw notAnEnvelope(httpStatus, new String(body, StandardCharsets.UTF_8));
    }
    if (!"success".equals(envelope.status)) {
      String errorType = envelope.errorType == null ? "unknown" : envelope.errorType;
      String error = envelope.error == null ? "no error message" : envelope.error;
      boolean retryable = RETRYABLE_ERROR_TYPES.contains(errorType) || httpStatus >= 500;
      throw new PrometheusException(
          errorType, "Prometheus answered " + errorType + ": " + error, retryable);
    }
    return envelope;
  }

  private Envelope envelope(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    Envelope envelope = new Envelope();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "status" -> envelope.status = parser.getValueAsString();
        case "errorType" -> envelope.errorType = parser.getValueAsString();
        case "error" -> envelope.error = parser.getValueAsString();
        case "warnings" -> {
          for (String warning : strings(parser, value)) {
            (warning.startsWith(PROMQL_INFO) ? envelope.infos : envelope.warnings).add(warning);
          }
        }
        case "infos" -> envelope.infos.addAll(strings(parser, value));
        case "data" -> data(parser, envelope);
        default -> parser.skipChildren();
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
      return null;
    }
    return envelope;
  }

  /** The texts of an array of strings; anything else is skipped (an odd server, not an error). */
  private static List<String> strings(JsonParser parser, JsonToken value) throws IOException {
    List<String> texts = new ArrayList<>();
    if (value != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return texts;
    }
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
      if (t == null) {
        throw new IOException("unterminated array");
      } else if (t == JsonToken.VALUE_STRING) {
        texts.add(parser.getText());
      } else {
        parser.skipChildren();
      }
    }
    return texts;
  }

  private void data(JsonParser parser, Envelope envelope) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      parser.nextToken();
      if (field.equals("resultType")) {
        envelope.resultType = parser.getValueAsString();
      } else if (field.equals("result")) {
        if ("vector".equals(envelope.resultType)
            && parser.currentToken() == JsonToken.START_ARRAY) {
          envelope.series = streamVector(parser);
        } else {
          envelope.unparsedResult = json.readTree(parser);
        }
      } else {
        parser.skipChildren();
      }
    }
  }

  private static List<Series> streamVector(JsonParser parser) throws IOException {
    List<Series> series = new ArrayList<>();
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      Map<String, String> labels = new HashMap<>();
      Double value = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken token = parser.nextToken();
        if (field.equals("metric") && token == JsonToken.START_OBJECT) {
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            labels.put(name, parser.getValueAsString());
          }
        } else if (field.equals("value") && token == JsonToken.START_ARRAY) {
          parser.nextToken();
          JsonToken sample = parser.nextToken();
          if (sample != JsonToken.VALUE_STRING) {
            throw malformed("sample is not [time, \"value\"]");
          }
          value = number(parser.getText());
          if (parser.nextToken() != JsonToken.END_ARRAY) {
            throw malformed("sample is not [time, \"value\"]");
          }
        } else {
          parser.skipChildren();
        }
      }
      if (value == null) {
        throw malformed("vector element without a value");
      }
      series.add(new Series(labels, value));
    }
    if (parser.currentToken() != JsonToken.END_ARRAY) {
      throw malformed("vector result is not a list of samples");
    }
    return series;
  }

  private static List<Series> vector(Envelope envelope) {
    if (envelope.series == null) {
      throw malformed("vector result is not a list");
    }
    return envelope.series;
  }

  private PrometheusException notAnEnvelope(int httpStatus, String body) {
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
    String fix = CONFIGURATION_ERRORS.get(httpStatus);
    if (fix != null) {
      return new PrometheusException(
          CONFIGURATION_REASONS.get(httpStatus),
          "Prometheus at "
              + url
              + " refused the query with HTTP "
              + httpStatus
              + (excerpt.isEmpty() ? "" : " \"" + excerpt + "\"")
              + ": a configuration error, not retried; "
              + fix,
          false);
    }
    return new PrometheusException(
        "http_" + httpStatus,
        "Prometheus answered HTTP " + httpStatus + ": " + excerpt,
        httpStatus >= 500 || httpStatus == 429);
  }

  /** A sample is {@code [<unix time>, "<value>"]}; the value is a string, possibly NaN or ±Inf. */
  private static double sampleValue(JsonNode sample) {
    if (sample == null || !sample.isArray() || sample.size() != 2 || !sample.get(1).isTextual()) {
      throw malformed("sample is not [time, \"value\"]: " + sample);
    }
    return number(sample.get(1).asText());
  }

  private static double number(String text) {
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

package io.meshgate.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The one JSON mapper and the one YAML mapper of meshgate, built once and shared (Jackson's mappers
 * are thread-safe and costly to build). What others send (API objects, Alertmanager payloads,
 * Prometheus answers) may carry fields this version does not know: readers ignore them; {@code
 * meshgate validate} reports them through the JSON schemas instead. Configure nothing on them:
 * derive a reader or writer ({@code json().readerFor(...)}) for anything special.
 *
 * <pre>{@code
 * JsonNode tree = Mappers.json().readTree(body);
 * }</pre>
 */
public final class Mappers {
  private static final JsonMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Mappers() {}

  public static JsonMapper json() {
    return JSON;
  }

  public static YAMLMapper yaml() {
    return YAML;
  }
}

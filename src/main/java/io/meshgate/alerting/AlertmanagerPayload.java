package io.meshgate.alerting;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Alertmanager's {@code webhook_config} body, version 4 (notify/webhook/webhook.go). Newer
 * Alertmanagers add fields; they are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertmanagerPayload(
    String version,
    String groupKey,
    Integer truncatedAlerts,
    String status,
    String receiver,
    Map<String, String> groupLabels,
    Map<String, String> commonLabels,
    Map<String, String> commonAnnotations,
    String externalURL,
    List<Alert> alerts) {

  /** One alert of the group. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Alert(
      String status,
      Map<String, String> labels,
      Map<String, String> annotations,
      String startsAt,
      String endsAt,
      String generatorURL,
      String fingerprint) {
    public boolean firing() {
      return "firing".equals(status);
    }
  }

  /** A payload that is not Alertmanager's version 4, with what is wrong. */
  public static final class MalformedPayloadException extends RuntimeException {
    public MalformedPayloadException(String message) {
      super(message);
    }
  }

  /** The payload's fields besides its alerts, and how many alerts it held. */
  public record Header(String version, String groupKey, Integer truncatedAlerts, int alerts) {}

  /**
   * Reads a payload from {@code body} one alert at a time, handing each to {@code each} as soon as
   * it is read and checked, so that memory does not grow with the payload.
   *
   * @throws MalformedPayloadException for anything but a version 4 payload whose alerts all have
   *     labels and status firing or resolved
   * @throws IOException when the body cannot be read
   */
  public static Header stream(InputStream body, ObjectMapper json, Consumer<Alert> each)
      throws IOException {
    String version = null;
    String groupKey = null;
    Integer truncated = null;
    int alerts = -1;
    try (JsonParser parser = json.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedPayloadException("malformed Alertmanager payload: not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "alerts" -> alerts = alerts(parser, value, json, each);
          case "version" -> version = parser.getValueAsString();
          case "groupKey" -> groupKey = parser.getValueAsString();
          case "truncatedAlerts" -> truncated = value.isNumeric() ? parser.getIntValue() : null;
          default -> parser.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw new MalformedPayloadException(
          "malformed Alertmanager payload: " + e.getOriginalMessage());
    }
    if (alerts < 0) {
      throw new MalformedPayloadException("malformed Alertmanager payload: no alerts list");
    }
    if (!"4".equals(version)) {
      throw new MalformedPayloadException(
          "unsupported Alertmanager payload version " + version + "; expected \"4\"");
    }
    return new Header(version, groupKey, truncated, alerts);
  }

  private static int alerts(
      JsonParser parser, JsonToken start, ObjectMapper json, Consumer<Alert> each)
      throws IOException {
    if (start != JsonToken.START_ARRAY) {
      throw new MalformedPayloadException("malformed Alertmanager payload: alerts is not a list");
    }
    int count = 0;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      Alert alert = json.readValue(parser, Alert.class);
      if (alert == null
          || alert.labels() == null
          || !("firing".equals(alert.status()) || "resolved".equals(alert.status()))) {
        throw new MalformedPayloadException(
            "malformed Alertmanager payload: every alert needs labels and status firing or"
                + " resolved");
      }
      each.accept(alert);
      count++;
    }
    return count;
  }
}

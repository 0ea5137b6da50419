package io.meshgate.alerting;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Alertmanager's {@code webhook_config} body, version 4 (notify/webhook/webhook.go). Newer
 * Alertmanagers add fields (template/template.go {@code Data}): {@code routeLabels} is ignored;
 * {@code notification_reason} (sent by 0.34.1 and 0.35, not 0.30) is read, see below. {@code
 * truncatedAlerts} counts the alerts of the group that {@code max_alerts} left out: the first
 * {@code max_alerts} are sent, the rest only counted, and {@code commonLabels} are computed from
 * the sent ones alone, whereas {@code groupLabels} (the route's {@code group_by} values) are
 * carried by every alert of the group. {@code notification_reason} is decided before the
 * truncation, on the whole group (notify/dedup_stage.go {@code needsUpdate}): {@value
 * #ALL_RESOLVED} says that no alert of the group is firing any more, those left out included.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertmanagerPayload(
    String version,
    String groupKey,
    Integer truncatedAlerts,
    String status,
    @JsonProperty("notification_reason") String notificationReason,
    String receiver,
    Map<String, String> groupLabels,
    Map<String, String> commonLabels,
    Map<String, String> commonAnnotations,
    String externalURL,
    List<Alert> alerts) {

  /** The {@code notification_reason} of a group's last notification: none of its alerts fire. */
  public static final String ALL_RESOLVED = "all alerts resolved";

  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

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
  public record Header(
      String version,
      String groupKey,
      Integer truncatedAlerts,
      String notificationReason,
      Map<String, String> groupLabels,
      Map<String, String> commonLabels,
      int alerts) {
    /** Alerts of the group Alertmanager counted but did not send ({@code max_alerts}). */
    public int truncated() {
      return truncatedAlerts == null ? 0 : Math.max(0, truncatedAlerts);
    }

    /** Whether every alert of the group, sent or left out, is resolved. */
    public boolean allResolved() {
      return ALL_RESOLVED.equals(notificationReason);
    }
  }

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
    String reason = null;
    Map<String, String> groupLabels = Map.of();
    Map<String, String> commonLabels = Map.of();
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
          case "notification_reason" -> reason = parser.getValueAsString();
          case "truncatedAlerts" -> truncated = value.isNumeric() ? parser.getIntValue() : null;
          case "groupLabels" -> groupLabels = labels(parser, value, json, field);
          case "commonLabels" -> commonLabels = labels(parser, value, json, field);
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
    return new Header(version, groupKey, truncated, reason, groupLabels, commonLabels, alerts);
  }

  private static Map<String, String> labels(
      JsonParser parser, JsonToken start, ObjectMapper json, String field) throws IOException {
    if (start == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    if (start != JsonToken.START_OBJECT) {
      throw new MalformedPayloadException(
          "malformed Alertmanager payload: " + field + " is not an object");
    }
    Map<String, String> labels = json.readValue(parser, LABELS);
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (label.getValue() == null) {
        throw new MalformedPayloadException(
            "malformed Alertmanager payload: "
                + field
                + " has no value for label "
                + label.getKey()
                + "; label values are strings");
      }
    }
    return Map.copyOf(labels);
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

package io.meshgate.alerting;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

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
}

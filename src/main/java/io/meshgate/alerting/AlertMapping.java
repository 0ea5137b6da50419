package io.meshgate.alerting;

import io.meshgate.config.DaemonConfig;
import io.meshgate.migration.AlertAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps an alert to what meshgate does with it (daemon config {@code alerts}): the first action
 * whose {@code match} labels all equal the alert's, the namespace from the first present namespace
 * label, the revision from the first present revision label.
 */
public final class AlertMapping {
  /** What one alert means for migrations; {@code action} null when no rule matches. */
  public record Mapped(
      String fingerprint, String name, AlertAction action, String namespace, String revision) {}

  private final DaemonConfig.Alerts config;

  public AlertMapping(DaemonConfig.Alerts config) {
    this.config = config;
  }

  public Mapped map(AlertmanagerPayload.Alert alert) {
    Map<String, String> labels = alert.labels() == null ? Map.of() : alert.labels();
    AlertAction action = null;
    for (DaemonConfig.AlertRoute candidate : config.actions()) {
      if (labels.entrySet().containsAll(candidate.match().entrySet())) {
        action = candidate.action();
        break;
      }
    }
    return new Mapped(
        fingerprint(alert, labels),
        labels.getOrDefault("alertname", "unnamed"),
        action,
        firstPresent(labels, config.namespaceLabels()),
        firstPresent(labels, config.revisionLabels()));
  }

  private static String firstPresent(Map<String, String> labels, java.util.List<String> names) {
    for (String name : names) {
      String value = labels.get(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  /** Alertmanager sends one since 0.19; older ones get the same kind of id from the labels. */
  static String fingerprint(AlertmanagerPayload.Alert alert, Map<String, String> labels) {
    if (alert.fingerprint() != null && !alert.fingerprint().isBlank()) {
      return alert.fingerprint();
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(labels)
          .forEach(
              (k, v) -> sha.update((k + "\u0000" + v + "\u0000").getBytes(StandardCharsets.UTF_8)));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}

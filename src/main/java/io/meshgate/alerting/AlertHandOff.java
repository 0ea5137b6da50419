package io.meshgate.alerting;

import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.NamespaceStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Hands Alertmanager's alerts over to the RevisionMigrations they concern, durably: firing alerts
 * are added (once per fingerprint), resolved ones removed, and only once every affected migration
 * is updated is the delivery acknowledged. Any replica may receive; the leader acts.
 */
public final class AlertHandOff {
  /** The migrations as the hand-off needs them, and a way to update their alerts. */
  public interface Migrations {
    List<Target> active();

    /**
     * Replaces the migration's alerts with {@code change} applied to the current ones, retrying on
     * conflicts.
     *
     * @throws RuntimeException when the update could not be persisted
     */
    void updateAlerts(String migration, UnaryOperator<List<AlertRecord>> change);
  }

  /** A migration that is not finished: its namespaces and target revision. */
  public record Target(String name, MigrationSpec spec, List<NamespaceStatus> namespaces) {
    boolean concerns(AlertMapping.Mapped alert) {
      if (alert.namespace() != null) {
        return namespaces.stream().anyMatch(n -> n.name().equals(alert.namespace()))
            || spec.waves().stream().anyMatch(w -> w.namespaces().contains(alert.namespace()));
      }
      return alert.revision() != null && alert.revision().equals(spec.toRevision());
    }
  }

  /** What one delivery did, counted by action. */
  public record Result(
      int firing,
      int resolved,
      int unmatched,
      Map<String, Integer> byAction,
      List<String> migrations) {}

  private final AlertMapping mapping;
  private final Migrations migrations;

  public AlertHandOff(AlertMapping mapping, Migrations migrations) {
    this.mapping = mapping;
    this.migrations = migrations;
  }

  public Result accept(AlertmanagerPayload payload) {
    List<Target> active = migrations.active();
    Map<String, List<AlertmanagerPayload.Alert>> firingByMigration = new LinkedHashMap<>();
    Map<String, Set<String>> resolvedByMigration = new LinkedHashMap<>();
    Map<String, Integer> byAction = new LinkedHashMap<>();
    int firing = 0;
    int resolved = 0;
    int unmatched = 0;
    for (AlertmanagerPayload.Alert alert : payload.alerts()) {
      AlertMapping.Mapped mapped = mapping.map(alert);
      List<Target> concerned = active.stream().filter(t -> t.concerns(mapped)).toList();
      if (alert.firing()) {
        firing++;
        byAction.merge(mapped.action() == null ? "none" : mapped.action(), 1, Integer::sum);
        if (mapped.action() == null || concerned.isEmpty()) {
          unmatched++;
          continue;
        }
        concerned.forEach(
            t -> firingByMigration.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(alert));
      } else {
        resolved++;
        concerned.forEach(
            t ->
                resolvedByMigration
                    .computeIfAbsent(t.name(), k -> new HashSet<>())
                    .add(mapped.fingerprint()));
      }
    }
    Set<String> touched = new java.util.LinkedHashSet<>(firingByMigration.keySet());
    touched.addAll(resolvedByMigration.keySet());
    for (String migration : touched) {
      List<AlertmanagerPayload.Alert> add = firingByMigration.getOrDefault(migration, List.of());
      Set<String> remove = resolvedByMigration.getOrDefault(migration, Set.of());
      migrations.updateAlerts(migration, current -> merge(current, add, remove));
    }
    return new Result(firing, resolved, unmatched, byAction, List.copyOf(touched));
  }

  private List<AlertRecord> merge(
      List<AlertRecord> current, List<AlertmanagerPayload.Alert> add, Set<String> remove) {
    Map<String, AlertRecord> byFingerprint = new LinkedHashMap<>();
    current.forEach(a -> byFingerprint.put(a.fingerprint(), a));
    remove.forEach(byFingerprint::remove);
    for (AlertmanagerPayload.Alert alert : add) {
      AlertMapping.Mapped m = mapping.map(alert);
      byFingerprint.putIfAbsent(
          m.fingerprint(),
          new AlertRecord(
              m.fingerprint(), m.name(), m.action(), m.namespace(), m.revision(), startsAt(alert)));
    }
    return List.copyOf(byFingerprint.values());
  }

  private static Instant startsAt(AlertmanagerPayload.Alert alert) {
    try {
      return alert.startsAt() == null ? null : OffsetDateTime.parse(alert.startsAt()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

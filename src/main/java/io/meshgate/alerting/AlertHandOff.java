package io.meshgate.alerting;

import io.meshgate.migration.AlertFingerprints;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.AlertRecords;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.TargetStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Hands Alertmanager's alerts over to the RevisionMigrations they concern, durably: firing alerts
 * join the migration's alert records (once per fingerprint), resolved ones leave them, and only
 * once every affected migration is updated is the delivery acknowledged. Any replica may receive;
 * the leader acts. A delivery is taken one alert at a time, so that its size costs no more memory
 * than the few numbers each alert leaves.
 *
 * <pre>{@code
 * AlertHandOff.Delivery delivery = handOff.begin();
 * alerts.forEach(delivery::add);
 * AlertHandOff.Result result = delivery.commit();
 * }</pre>
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
  public record Target(String name, MigrationSpec spec, List<TargetStatus> namespaces) {
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
  private final Clock clock;

  public AlertHandOff(AlertMapping mapping, Migrations migrations, Clock clock) {
    this.mapping = mapping;
    this.migrations = migrations;
    this.clock = clock;
  }

  /** Takes a whole payload at once: {@link #begin}, every alert, {@link Delivery#commit}. */
  public Result accept(AlertmanagerPayload payload) {
    Delivery delivery = begin();
    payload.alerts().forEach(delivery::add);
    return delivery.commit();
  }

  /** Starts a delivery; nothing is written before {@link Delivery#commit}. */
  public Delivery begin() {
    return new Delivery(migrations.active());
  }

  /** The alerts of one delivery, reduced as they come to what each migration's records keep. */
  public final class Delivery {
    private final List<Target> active;
    private final Map<String, List<AlertRecords.Incoming>> firing = new LinkedHashMap<>();
    private final Map<String, List<AlertRecords.Incoming>> resolved = new LinkedHashMap<>();
    private final Map<String, Integer> byAction = new LinkedHashMap<>();
    private int firingCount;
    private int resolvedCount;
    private int unmatched;

    private Delivery(List<Target> active) {
      this.active = active;
    }

    public void add(AlertmanagerPayload.Alert alert) {
      AlertMapping.Mapped mapped = mapping.map(alert);
      List<Target> concerned = active.stream().filter(t -> t.concerns(mapped)).toList();
      if (alert.firing()) {
        firingCount++;
        byAction.merge(mapped.action() == null ? "none" : mapped.action().token(), 1, Integer::sum);
        if (mapped.action() == null || concerned.isEmpty()) {
          unmatched++;
          return;
        }
      } else {
        resolvedCount++;
        if (mapped.action() == null) {
          return;
        }
      }
      AlertRecords.Incoming incoming =
          new AlertRecords.Incoming(
              AlertFingerprints.parse(mapped.fingerprint()),
              mapped.name(),
              mapped.action(),
              mapped.namespace(),
              mapped.namespace() == null ? mapped.revision() : null);
      Map<String, List<AlertRecords.Incoming>> into = alert.firing() ? firing : resolved;
      concerned.forEach(t -> into.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(incoming));
    }

    /**
     * Records the delivery on every migration it concerns.
     *
     * @throws RuntimeException when a migration could not be updated: nothing is acknowledged
     */
    public Result commit() {
      Set<String> touched = new LinkedHashSet<>(firing.keySet());
      touched.addAll(resolved.keySet());
      for (String migration : touched) {
        List<AlertRecords.Incoming> add = firing.getOrDefault(migration, List.of());
        List<AlertRecords.Incoming> remove = resolved.getOrDefault(migration, List.of());
        migrations.updateAlerts(
            migration, current -> AlertRecords.apply(current, add, remove, clock.instant()));
      }
      return new Result(firingCount, resolvedCount, unmatched, byAction, List.copyOf(touched));
    }
  }
}

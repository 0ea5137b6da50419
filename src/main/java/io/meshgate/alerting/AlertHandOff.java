package io.meshgate.alerting;

import io.meshgate.migration.AlertAction;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
  /** Prefix of the fingerprint of a group's stand-in for its truncated alerts. */
  private static final String STAND_IN = "truncated:";

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

  /**
   * What one delivery did, counted by action; {@code truncated} alerts were left out by
   * Alertmanager ({@code max_alerts}), {@code truncatedStandIn} says whether a stand-in for them
   * was recorded.
   */
  public record Result(
      int firing,
      int resolved,
      int unmatched,
      Map<String, Integer> byAction,
      List<String> migrations,
      int truncated,
      boolean truncatedStandIn) {}

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
    delivery.group(
        payload.groupKey(),
        payload.groupLabels(),
        payload.commonLabels(),
        payload.truncatedAlerts() == null ? 0 : payload.truncatedAlerts(),
        AlertmanagerPayload.ALL_RESOLVED.equals(payload.notificationReason()));
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
    // filled by the updates, which may run on the thread of another delivery's group commit
    private final Set<String> releasedFrom = ConcurrentHashMap.newKeySet();
    private String standInToRelease;
    private int truncated;
    private boolean truncatedStandIn;
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

    /** {@link #group(String, Map, Map, int, boolean)} with the fields of {@code header}. */
    public void group(AlertmanagerPayload.Header header) {
      group(
          header.groupKey(),
          header.groupLabels(),
          header.commonLabels(),
          header.truncated(),
          header.allResolved());
    }

    /**
     * Accounts for the alerts of the group Alertmanager left out ({@code truncated}, from {@code
     * max_alerts}), which would otherwise be lost without a word: it sends the first alerts of the
     * group sorted by their job, instance and other labels, firing and resolved alike
     * (notify/webhook/webhook.go {@code truncateAlerts}, dispatch/dispatch.go {@code flush},
     * alert/alert.go {@code AlertSlice.Less}), so the same ones are left out at every repeat.
     *
     * <p>While a notification of the group is truncated, one stand-in alert for the group (its
     * fingerprint made of the group key) is recorded where the labels the left-out alerts are known
     * or taken to share point: {@code groupLabels} (the route's {@code group_by}, carried by every
     * alert of the group) over {@code commonLabels} (those the sent alerts share). It only ever
     * holds: those labels are a guess about alerts nobody saw (alerts {severity=critical, team=a}
     * and {severity=critical, team=b} each routed to hold share {severity=critical}, which may
     * route to rollback), and a rollback once started is not undone; the real alerts decide when
     * they arrive whole. Where the guess moves (another namespace), the stand-in is recorded there
     * too: holding both is the safe side.
     *
     * <p>It is released by its fingerprint from every record of every active migration holding it,
     * whatever the notification's labels point at now, by a notification of the group that is not
     * truncated, or by a truncated one whose {@code allResolved} ({@code notification_reason} "all
     * alerts resolved", decided on the whole group before the truncation). A truncated notification
     * otherwise leaves it: its status covers the sent alerts alone, so a truncated "resolved" one
     * may still leave firing alerts out. Releasing costs a read of every active migration, and a
     * write of those holding the stand-in only.
     */
    public void group(
        String groupKey,
        Map<String, String> groupLabels,
        Map<String, String> commonLabels,
        int truncatedAlerts,
        boolean allResolved) {
      if (groupKey == null || groupKey.isEmpty()) {
        return;
      }
      String fingerprint = STAND_IN + groupKey;
      truncated += Math.max(truncatedAlerts, 0);
      if (truncatedAlerts <= 0 || allResolved) {
        standInToRelease = fingerprint;
        return;
      }
      Map<String, String> labels = new TreeMap<>(commonLabels == null ? Map.of() : commonLabels);
      labels.putAll(groupLabels == null ? Map.of() : groupLabels);
      AlertMapping.Mapped mapped =
          mapping.map(
              new AlertmanagerPayload.Alert(
                  "firing", labels, Map.of(), null, null, null, fingerprint));
      List<Target> concerned = active.stream().filter(t -> t.concerns(mapped)).toList();
      if (mapped.action() == null || concerned.isEmpty()) {
        return;
      }
      AlertRecords.Incoming standIn =
          new AlertRecords.Incoming(
              AlertFingerprints.parse(fingerprint),
              "alerts left out of group "
                  + new TreeMap<>(groupLabels == null ? Map.of() : groupLabels),
              AlertAction.HOLD,
              mapped.namespace(),
              mapped.namespace() == null ? mapped.revision() : null);
      truncatedStandIn = true;
      concerned.forEach(t -> firing.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(standIn));
    }

    /**
     * Records the delivery on every migration it concerns.
     *
     * @throws RuntimeException when a migration could not be updated: nothing is acknowledged
     */
    public Result commit() {
      Set<String> touched = new LinkedHashSet<>(firing.keySet());
      touched.addAll(resolved.keySet());
      Set<String> updated = new LinkedHashSet<>(touched);
      if (standInToRelease != null) {
        active.forEach(t -> updated.add(t.name()));
      }
      for (String migration : updated) {
        List<AlertRecords.Incoming> add = firing.getOrDefault(migration, List.of());
        List<AlertRecords.Incoming> remove = resolved.getOrDefault(migration, List.of());
        migrations.updateAlerts(
            migration,
            current ->
                AlertRecords.apply(
                    current, add, withStandIn(migration, remove, current), clock.instant()));
      }
      for (Target t : active) {
        if (releasedFrom.contains(t.name())) {
          touched.add(t.name());
        }
      }
      return new Result(
          firingCount,
          resolvedCount,
          unmatched,
          byAction,
          List.copyOf(touched),
          truncated,
          truncatedStandIn);
    }

    /**
     * {@code resolved} and, when the stand-in goes, one release of it per record holding it, on
     * that record's target: a release of a fingerprint no record tracks would release one of the
     * untracked alerts of a record past its cap instead.
     */
    private List<AlertRecords.Incoming> withStandIn(
        String migration, List<AlertRecords.Incoming> resolved, List<AlertRecord> current) {
      if (standInToRelease == null) {
        return resolved;
      }
      long fingerprint = AlertFingerprints.parse(standInToRelease);
      List<AlertRecords.Incoming> withStandIn = new ArrayList<>(resolved);
      for (AlertRecord r : current) {
        if (r.fingerprints().contains(fingerprint)) {
          withStandIn.add(
              new AlertRecords.Incoming(
                  fingerprint, standInToRelease, r.action(), r.namespace(), r.revision()));
          releasedFrom.add(migration);
        }
      }
      return withStandIn;
    }
  }
}

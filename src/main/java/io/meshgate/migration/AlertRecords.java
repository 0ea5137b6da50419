package io.meshgate.migration;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * How a delivery of alerts changes the records of a migration: firing alerts join the record of
 * their action and target (new fingerprints only), resolved ones leave it, and a record with none
 * left goes. The status stays small whatever arrives: one record per action and target, at most
 * {@link #MAX_NAMES} names each, and at most {@link #MAX_TRACKED} fingerprints per migration.
 * Alerts past that cap are still counted (and still hold or roll back), but cannot be told apart: a
 * resolved alert no record tracks releases one of them, and a record whose last tracked alert
 * resolves goes with them (a storm's alerts resolve together; Alertmanager re-sends firing ones
 * still firing, which then start a record again).
 *
 * <pre>{@code
 * List<AlertRecord> next = AlertRecords.apply(current, firing, resolved, now);
 * }</pre>
 */
public final class AlertRecords {
  public static final int MAX_NAMES = 10;
  public static final int MAX_TRACKED = 16_384;

  /** One alert of a delivery, reduced to what a record keeps. */
  public record Incoming(
      long fingerprint, String name, AlertAction action, String namespace, String revision) {}

  private AlertRecords() {}

  public static List<AlertRecord> apply(
      List<AlertRecord> current, List<Incoming> firing, List<Incoming> resolved, Instant now) {
    List<AlertRecord> records = new ArrayList<>(current);
    for (Map.Entry<Target, List<Incoming>> group : byTarget(resolved).entrySet()) {
      release(records, group.getValue());
    }
    for (Map.Entry<Target, List<Incoming>> group : byTarget(firing).entrySet()) {
      add(records, group.getValue(), now);
    }
    return List.copyOf(records);
  }

  /** What a record stands for: alerts with the same action for the same namespace or revision. */
  private record Target(AlertAction action, String namespace, String revision) {}

  private static Map<Target, List<Incoming>> byTarget(List<Incoming> alerts) {
    Map<Target, List<Incoming>> groups = new LinkedHashMap<>();
    for (Incoming a : alerts) {
      groups
          .computeIfAbsent(
              new Target(a.action(), a.namespace(), a.revision()), k -> new ArrayList<>())
          .add(a);
    }
    return groups;
  }

  private static void release(List<AlertRecord> records, List<Incoming> resolved) {
    Incoming first = resolved.get(0);
    for (int i = 0; i < records.size(); i++) {
      AlertRecord r = records.get(i);
      if (!r.sameTarget(first.action(), first.namespace(), first.revision())) {
        continue;
      }
      long[] tracked =
          resolved.stream()
              .mapToLong(Incoming::fingerprint)
              .filter(r.fingerprints()::contains)
              .distinct()
              .toArray();
      long untrackedResolved =
          resolved.stream()
              .mapToLong(Incoming::fingerprint)
              .filter(f -> !r.fingerprints().contains(f))
              .distinct()
              .count();
      int releasedUntracked = (int) Math.min(untrackedResolved, r.untracked());
      int count = r.count() - tracked.length - releasedUntracked;
      boolean lastTrackedResolved = tracked.length > 0 && tracked.length == r.fingerprints().size();
      if (count <= 0 || lastTrackedResolved) {
        records.remove(i);
      } else {
        records.set(
            i,
            new AlertRecord(
                r.action(),
                r.namespace(),
                r.revision(),
                r.names(),
                count,
                r.fingerprints().without(tracked),
                r.firstSeen(),
                r.lastSeen()));
      }
      return;
    }
  }

  private static void add(List<AlertRecord> records, List<Incoming> firing, Instant now) {
    Incoming first = firing.get(0);
    int index = -1;
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).sameTarget(first.action(), first.namespace(), first.revision())) {
        index = i;
      }
    }
    AlertRecord r =
        index >= 0
            ? records.get(index)
            : new AlertRecord(
                first.action(), first.namespace(), first.revision(), List.of(), 0, null, now, now);
    long[] fresh =
        firing.stream()
            .mapToLong(Incoming::fingerprint)
            .filter(f -> !r.fingerprints().contains(f))
            .distinct()
            .toArray();
    if (fresh.length == 0 && index >= 0) {
      return;
    }
    int room = MAX_TRACKED - tracked(records) + r.fingerprints().size();
    AlertFingerprints fingerprints = r.fingerprints().with(fresh, Math.max(room, 0));
    AlertRecord updated =
        new AlertRecord(
            r.action(),
            r.namespace(),
            r.revision(),
            names(r, firing),
            r.count() + fresh.length,
            fingerprints,
            r.firstSeen(),
            now);
    if (index >= 0) {
      records.set(index, updated);
    } else {
      records.add(updated);
    }
  }

  /** The record's distinct names and the new ones, up to {@link #MAX_NAMES}. */
  private static List<String> names(AlertRecord r, List<Incoming> firing) {
    TreeSet<String> names = new TreeSet<>(r.names());
    for (Incoming a : firing) {
      if (names.size() >= MAX_NAMES) {
        break;
      }
      names.add(Objects.requireNonNullElse(a.name(), "unnamed"));
    }
    return List.copyOf(names);
  }

  private static int tracked(List<AlertRecord> records) {
    return records.stream().mapToInt(r -> r.fingerprints().size()).sum();
  }
}

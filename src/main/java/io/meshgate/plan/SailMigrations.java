package io.meshgate.plan;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which RevisionMigration {@code sail.autoMigrate} creates for the state of Sail Operator's {@code
 * Istio} resources: for an Istio whose active revision ({@code status.activeRevisionName}) is a
 * newer IstioRevision than the newest other revision it owns that is still in use ({@code InUse}
 * condition True), one migration from that revision to the active one, unless a migration of that
 * name or of that pair of revisions exists. Pure: the same state always gives the same answer, so
 * that any replica, on any event, after any restart, decides the same (and creating it is
 * idempotent by its {@link #name}).
 *
 * <pre>{@code
 * List<SailMigrations.Outcome> outcomes = SailMigrations.decide(istios, revisions, migrations);
 * }</pre>
 */
public final class SailMigrations {
  /** A RevisionMigration name, a Kubernetes label value too: users select by it. */
  static final int MAX_NAME = 63;

  private static final int HASH_LENGTH = 10;

  /**
   * Created later is newer; within one second (the resolution of creationTimestamp) the higher
   * version, then the name, so that the order is total.
   */
  private static final Comparator<Revision> NEWEST =
      Comparator.comparing(Revision::created, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(Revision::version, Comparator.nullsFirst(SailMigrations::compareVersions))
          .thenComparing(Revision::name);

  private SailMigrations() {}

  /** An {@code Istio} resource: its name, uid and {@code status.activeRevisionName} (or null). */
  public record Istio(String name, String uid, String activeRevision) {}

  /**
   * An {@code IstioRevision}: {@code owner} is the uid of the Istio its ownerReference names (null
   * if none), {@code inUse} its {@code InUse} condition being True; {@code created} and {@code
   * version} ({@code spec.version}) order revisions of one Istio.
   */
  public record Revision(
      String name, String ownerUid, boolean inUse, Instant created, String version) {}

  /** A RevisionMigration that exists (its spec's revisions, null when unreadable). */
  public record Existing(String name, String fromRevision, String toRevision) {}

  /** What an Istio's state calls for. */
  public sealed interface Outcome {
    String istio();
  }

  /** Create migration {@code name} from {@code fromRevision} to {@code toRevision}. */
  public record Create(String istio, String name, String fromRevision, String toRevision)
      implements Outcome {}

  /** Nothing to create, and why (for the log). */
  public record Nothing(String istio, String why) implements Outcome {}

  /** One outcome per Istio, in the order of their names. */
  public static List<Outcome> decide(
      List<Istio> istios, List<Revision> revisions, List<Existing> migrations) {
    return istios.stream()
        .sorted(Comparator.comparing(Istio::name))
        .map(istio -> decide(istio, revisions, migrations))
        .toList();
  }

  private static Outcome decide(Istio istio, List<Revision> revisions, List<Existing> migrations) {
    String active = istio.activeRevision();
    if (active == null || active.isEmpty()) {
      return new Nothing(istio.name(), "has no active revision yet (status.activeRevisionName)");
    }
    List<Revision> owned =
        revisions.stream()
            .filter(r -> istio.uid() != null && istio.uid().equals(r.ownerUid()))
            .toList();
    Optional<Revision> activeRevision =
        owned.stream().filter(r -> r.name().equals(active)).findFirst();
    if (activeRevision.isEmpty()) {
      return new Nothing(
          istio.name(), "its active revision " + active + " has no IstioRevision yet");
    }
    List<Revision> others = owned.stream().filter(r -> !r.name().equals(active)).toList();
    if (others.isEmpty()) {
      return new Nothing(
          istio.name(),
          "has no revision but the active one " + active + ": nothing to migrate from");
    }
    Optional<Revision> previous = others.stream().filter(Revision::inUse).max(NEWEST);
    if (previous.isEmpty()) {
      return new Nothing(
          istio.name(),
          "no revision but the active one "
              + active
              + " is in use (InUse condition True): nothing to migrate");
    }
    String from = previous.get().name();
    if (NEWEST.compare(previous.get(), activeRevision.get()) > 0) {
      return new Nothing(
          istio.name(),
          "its active revision "
              + active
              + " is older than "
              + from
              + ", which is in use: a version set back by hand is not migrated automatically");
    }
    String name = name(from, active);
    for (Existing m : migrations) {
      if (m.name().equals(name)) {
        return new Nothing(istio.name(), "RevisionMigration " + name + " exists");
      }
      if (from.equals(m.fromRevision()) && active.equals(m.toRevision())) {
        return new Nothing(
            istio.name(),
            "RevisionMigration " + m.name() + " already migrates " + from + " to " + active);
      }
    }
    return new Create(istio.name(), name, from, active);
  }

  /** {@code v1.27.1} after {@code v1.9.3}: numbers compared as numbers, the rest as text. */
  static int compareVersions(String a, String b) {
    String[] x = a.replaceFirst("^v", "").split("[.-]");
    String[] y = b.replaceFirst("^v", "").split("[.-]");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c =
          x[i].matches("\\d{1,9}") && y[i].matches("\\d{1,9}")
              ? Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]))
              : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  /**
   * {@code <from>-to-<to>} ({@code default-v1-26-0-to-default-v1-27-0}); over 63 characters, its
   * first 52 (without a trailing dash) and a 10-character hash of the whole name: the same pair
   * always gets the same name, two pairs practically never one.
   */
  public static String name(String fromRevision, String toRevision) {
    String full = fromRevision + "-to-" + toRevision;
    if (full.length() <= MAX_NAME) {
      return full;
    }
    String prefix = full.substring(0, MAX_NAME - HASH_LENGTH - 1).replaceFirst("[-.]+$", "");
    return prefix + "-" + hash(full);
  }

  /** 64-bit FNV-1a of the name's characters, in base 36, lower case, always 10 characters. */
  private static String hash(String text) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      hash ^= text.charAt(i);
      hash *= 0x100000001b3L;
    }
    String digits = Long.toUnsignedString(hash, 36);
    String padded = "0".repeat(HASH_LENGTH) + digits;
    return padded.substring(padded.length() - HASH_LENGTH);
  }
}

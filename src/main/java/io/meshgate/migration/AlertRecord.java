package io.meshgate.migration;

import java.time.Instant;
import java.util.List;

/**
 * Firing alerts handed over by the Alertmanager webhook and persisted on the migration, so that the
 * leader acts on them even if another replica received them. One record stands for every firing
 * alert with the same action and target: its {@code count}, the distinct alert names among them,
 * when the first and the last arrived, and the fingerprints needed to release them when they
 * resolve.
 *
 * @param action what the alerts ask of the namespaces they name
 * @param namespace the namespace the alerts name, or null
 * @param revision the revision they name (when they name no namespace), or null
 * @param names distinct alert names, at most {@link AlertRecords#MAX_NAMES}
 * @param count distinct firing alerts: those tracked by fingerprint and those beyond the cap
 */
public record AlertRecord(
    AlertAction action,
    String namespace,
    String revision,
    List<String> names,
    int count,
    AlertFingerprints fingerprints,
    Instant firstSeen,
    Instant lastSeen) {

  public AlertRecord {
    names = List.copyOf(names);
    fingerprints = fingerprints == null ? AlertFingerprints.EMPTY : fingerprints;
  }

  /** Firing alerts counted but not tracked by fingerprint (past the cap). */
  public int untracked() {
    return count - fingerprints.size();
  }

  boolean sameTarget(AlertAction action, String namespace, String revision) {
    return this.action == action
        && java.util.Objects.equals(this.namespace, namespace)
        && java.util.Objects.equals(this.revision, revision);
  }
}

package io.meshgate.migration;

import java.time.Instant;

/**
 * A firing alert handed over by the Alertmanager webhook and persisted on the migration, so that
 * the leader acts on it even if another replica received it.
 *
 * @param action {@code rollback} or {@code hold}
 * @param namespace the namespace it names, or null
 * @param revision the revision it names, or null
 */
public record AlertRecord(
    String fingerprint,
    String name,
    String action,
    String namespace,
    String revision,
    Instant startsAt) {}

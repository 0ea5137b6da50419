package io.meshgate.controller;

import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import java.util.Set;

/**
 * A RevisionMigration as the controller works with it; {@code spec} is null when the object cannot
 * be acted on, with {@code specProblem} saying why as {@code meshgate validate} would. Its status
 * is written back with {@code resourceVersion}, the version it was read at.
 */
public record MigrationObject(
    String name,
    String uid,
    long generation,
    String resourceVersion,
    MigrationSpec spec,
    String specProblem,
    MigrationStatus status,
    Set<String> approvedWaves,
    boolean aborted) {

  public MigrationRef ref() {
    return new MigrationRef(name, uid);
  }
}

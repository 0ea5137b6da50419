package io.meshgate.controller;

import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import java.util.Set;

/**
 * A RevisionMigration as the controller works with it; {@code spec} is null when the object's spec
 * could not be read, with {@code specProblem} saying why.
 */
public record MigrationObject(
    String name,
    String uid,
    long generation,
    MigrationSpec spec,
    String specProblem,
    MigrationStatus status,
    Set<String> approvedWaves,
    boolean aborted) {

  public MigrationRef ref() {
    return new MigrationRef(name, uid);
  }
}

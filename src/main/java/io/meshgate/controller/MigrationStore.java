package io.meshgate.controller;

import io.meshgate.migration.MigrationStatus;
import java.util.List;
import java.util.Optional;

/** Where RevisionMigrations are read (from a cache) and their status written. */
public interface MigrationStore {
  List<MigrationObject> all();

  Optional<MigrationObject> get(String name);

  /**
   * Replaces the status, keeping the alerts currently stored (the webhook owns them).
   *
   * @return false when the object changed underneath (a conflict): the next tick decides again
   * @throws ClusterWriteException when the API server refuses the write
   */
  boolean writeStatus(String name, MigrationStatus status);
}

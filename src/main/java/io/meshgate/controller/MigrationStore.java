package io.meshgate.controller;

import io.meshgate.migration.MigrationStatus;
import java.util.List;
import java.util.Optional;

/** Where RevisionMigrations are read (from a cache, or fresh) and their status written. */
public interface MigrationStore {
  List<MigrationObject> all();

  /** From the cache: no request. */
  Optional<MigrationObject> get(String name);

  /** From the API server, for a decision that must not be taken on a stale cache. */
  Optional<MigrationObject> fresh(String name);

  /**
   * Replaces the status of the object as it was at {@code resourceVersion}.
   *
   * @return false when the object changed since (a conflict) or is gone: the caller decides again
   * @throws ClusterWriteException when the API server refuses the write
   */
  boolean writeStatus(String name, String resourceVersion, MigrationStatus status);
}

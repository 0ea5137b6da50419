package io.meshgate.controller;

import io.meshgate.migration.Decision;
import io.meshgate.migration.Reason;

/**
 * Kubernetes Events on a migration. One the API server refuses throws {@link
 * ClusterWriteException}.
 */
public interface EventPort {
  /** A Kubernetes Event on the migration for a transition. */
  void recordEvent(MigrationRef migration, Decision.Transition transition);

  /** A Warning Event on the migration, e.g. for a write the API server refused. */
  void warn(MigrationRef migration, Reason reason, String message);
}

package io.meshgate.controller;

import io.meshgate.migration.Decision;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Reason;

/**
 * What the controller needs from the cluster. Reads come from informer caches; writes are
 * idempotent, so a controller killed between any two calls resumes correctly. A write the API
 * server refuses throws {@link ClusterWriteException}.
 */
public interface ClusterPort {
  /** Facts for one tick, from caches only (no LIST per tick). */
  Observed observe(String migration, MigrationSpec spec, MigrationStatus status);

  /**
   * Labels {@code namespace} for {@code toRevision}, keeping its previous labels in an annotation.
   */
  void flip(String migration, String namespace, String toRevision);

  /** Puts back exactly the labels recorded by the flip. */
  void restoreLabels(String namespace);

  /** Restarts, paced, the namespace's workloads that do not yet carry {@code restartId}. */
  void restart(String namespace, String restartId, MigrationSpec.Restart policy);

  /** A Kubernetes Event on the migration for a transition. */
  void recordEvent(MigrationRef migration, Decision.Transition transition);

  /** A Warning Event on the migration, e.g. for a write the API server refused. */
  void warn(MigrationRef migration, Reason reason, String message);
}

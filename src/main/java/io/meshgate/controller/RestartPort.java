package io.meshgate.controller;

import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.SidecarGoal;

/**
 * Restarts of a namespace's workloads, so that their pods get the sidecar of the revision its
 * labels now select. Idempotent: a workload already carrying the restart id is not restarted again.
 * A write the API server refuses throws {@link ClusterWriteException}.
 */
public interface RestartPort {
  /**
   * Restarts, paced, the namespace's workloads that do not yet carry {@code restartId}, and
   * replaces the pods their controllers will not (OnDelete, partitions, unmanaged pods as {@code
   * policy} says) until none is stale for {@code goal}; the namespace is watched for {@code
   * migration} from now on (it may have entered flight this tick).
   */
  void restart(
      String migration,
      String namespace,
      String restartId,
      SidecarGoal goal,
      MigrationSpec.Restart policy);
}

package io.meshgate.controller;

import io.meshgate.migration.Decision;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Reason;
import io.meshgate.migration.SidecarGoal;
import java.util.List;
import java.util.Set;

/**
 * What the controller needs from the cluster. Reads come from informer caches; writes are
 * idempotent, so a controller killed between any two calls resumes correctly. A write the API
 * server refuses throws {@link ClusterWriteException}.
 */
public interface ClusterPort {
  /**
   * Facts for one tick, from caches only (no LIST per tick); {@link Observed#oldRevisionInUse()} is
   * left unknown (null), it costs a list of every pod: see {@link #oldRevisionInUse}. The
   * namespaces {@code status} has in flight are watched from now on.
   */
  Observed observe(String migration, MigrationSpec spec, MigrationStatus status);

  /**
   * The control cohort of the migration's gate: namespaces whose label selects {@code fromRevision}
   * (its revision, or a tag pointing at it; in tag mode the tag, whose namespaces run the old
   * revision until they are restarted) and that the migration has not started, sorted, at most
   * {@code limit}; from the namespace cache (no request).
   */
  List<String> cohort(MigrationSpec spec, MigrationStatus status, int limit);

  /** The migration ended or is gone: what was watched for it alone is no longer. */
  void release(String migration);

  /**
   * Namespaces labelled for {@code fromRevision} (or a tag pointing at it), or running proxies of
   * it. Lists every pod.
   */
  Set<String> oldRevisionInUse(String fromRevision);

  /**
   * Labels {@code namespace} for {@code toRevision}, keeping its previous labels in an annotation.
   */
  void flip(String migration, String namespace, String toRevision);

  /**
   * Points revision tag {@code tag} at {@code revision} as {@code istioctl tag set --overwrite}
   * does (its {@code istio.io/rev} label, its webhooks' {@code clientConfig} from the revision's
   * own injector webhook), recording on it that {@code migration} moved it from {@code
   * previousRevision}.
   */
  void moveTag(String migration, String tag, String revision, String previousRevision);

  /** Puts back exactly the labels recorded by the flip. */
  void restoreLabels(String namespace);

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

  /** A Kubernetes Event on the migration for a transition. */
  void recordEvent(MigrationRef migration, Decision.Transition transition);

  /** A Warning Event on the migration, e.g. for a write the API server refused. */
  void warn(MigrationRef migration, Reason reason, String message);
}

package io.meshgate.controller;

import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import java.util.List;
import java.util.Set;

/**
 * What the controller reads of the cluster: the facts of a tick, the control cohort, and what still
 * uses the old revision. Reads come from informer caches unless said otherwise.
 */
public interface ObservePort {
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
}

package io.meshgate.controller;

import java.util.List;

/**
 * The writes of a ztunnel wave (DESIGN.md section 12): nodes cordoned and uncordoned, ambient pods
 * evicted, ztunnel pods deleted, the DaemonSet rolled back. Idempotent, so a controller killed
 * between any two calls resumes correctly; a write the API server refuses (other than a budget's
 * 429) throws {@link ClusterWriteException}.
 */
public interface NodePort {
  /** Cordons {@code node} and marks it {@code meshgate.io/cordoned-by: <migration>}. */
  void cordon(String migration, String node);

  /**
   * Evicts {@code pods} ({@code namespace/name}) through the Eviction API; a pod a
   * PodDisruptionBudget protects now (429) is left for a later call, a pod already gone is done.
   */
  void evict(String node, List<String> pods);

  /** Deletes the ztunnel pod {@code namespace/pod} of {@code node}; gone already is done. */
  void deleteZtunnelPod(String node, String namespace, String pod);

  /**
   * Uncordons {@code node} and removes its {@code meshgate.io/cordoned-by} annotation, only when
   * that annotation names {@code migration}; otherwise nothing changes.
   */
  void uncordon(String migration, String node);

  /**
   * Sets the DaemonSet's pod template to that of its ControllerRevision with {@code
   * controller-revision-hash} {@code hash}, as {@code kubectl rollout undo} does; nothing when it
   * is there already.
   */
  void rollBackDaemonSet(String namespace, String name, String hash);
}

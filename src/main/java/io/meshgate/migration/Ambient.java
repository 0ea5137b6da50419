package io.meshgate.migration;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What was observed of the ambient data plane for the migration's ztunnel waves (DESIGN.md section
 * 12); {@link #NONE} when it has none.
 *
 * @param selectedNodes the nodes each ztunnel wave's {@code nodes.selector} matches, by wave name
 * @param nodes per node of those waves, by node name
 * @param daemonSet the ztunnel DaemonSet the waves name
 * @param unreadable why nodes, pods or the DaemonSet cannot be read (the optional ztunnel grant
 *     missing); null when they can
 */
public record Ambient(
    Map<String, List<String>> selectedNodes,
    Map<String, Node> nodes,
    ZtunnelDaemonSet daemonSet,
    String unreadable) {
  public static final Ambient NONE = new Ambient(Map.of(), Map.of(), ZtunnelDaemonSet.ABSENT, null);

  public Ambient {
    selectedNodes = Map.copyOf(selectedNodes);
    nodes = Map.copyOf(nodes);
    daemonSet = daemonSet == null ? ZtunnelDaemonSet.ABSENT : daemonSet;
  }

  public Node node(String name) {
    return nodes.getOrDefault(name, Node.ABSENT);
  }

  /**
   * The ztunnel DaemonSet: its {@code spec.updateStrategy.type}, the {@code
   * controller-revision-hash} of its template now ({@code currentHash}, its newest
   * ControllerRevision) and of the ControllerRevision before it ({@code previousHash}, null when
   * there is none), what {@code kubectl rollout undo} would go back to; {@code settled} once the
   * DaemonSet controller observed its last change ({@code status.observedGeneration} reached {@code
   * metadata.generation}), before which its newest ControllerRevision may not be its template yet.
   */
  public record ZtunnelDaemonSet(
      boolean exists,
      String updateStrategy,
      String currentHash,
      String previousHash,
      boolean settled) {
    public static final ZtunnelDaemonSet ABSENT =
        new ZtunnelDaemonSet(false, null, null, null, true);

    /** A DaemonSet whose controller observed its last change. */
    public ZtunnelDaemonSet(
        boolean exists, String updateStrategy, String currentHash, String previousHash) {
      this(exists, updateStrategy, currentHash, previousHash, true);
    }

    public boolean onDelete() {
      return "OnDelete".equals(updateStrategy);
    }
  }

  /**
   * One node as observed.
   *
   * @param unschedulable {@code spec.unschedulable}: cordoned, by anyone
   * @param cordonedBy the migration named by the node's {@code meshgate.io/cordoned-by} annotation,
   *     which meshgate sets when it cordons a node and removes when it uncordons it; null when
   *     meshgate did not cordon it
   * @param ambientPods the node's ambient pods still to evict ({@code namespace/name}, sorted):
   *     neither DaemonSet nor mirror pods, nor already terminating
   * @param blockingBudgets PodDisruptionBudgets ({@code namespace/name}) that allow no disruption
   *     now and select one of {@code ambientPods}
   * @param ztunnel the node's ztunnel pod, null when it has none (deleted, not yet recreated)
   * @param terminating the node's ambient pods evicted but not gone yet: they still send their
   *     traffic through the node's ztunnel
   * @param cordonedAt when meshgate cordoned the node (annotation {@code meshgate.io/cordoned-at}),
   *     what {@code drain.timeout} counts from; null when not known
   */
  public record Node(
      boolean exists,
      boolean unschedulable,
      String cordonedBy,
      List<String> ambientPods,
      List<String> blockingBudgets,
      ZtunnelPod ztunnel,
      int terminating,
      Instant cordonedAt) {
    public static final Node ABSENT = new Node(false, false, null, List.of(), List.of(), null);

    public Node {
      ambientPods = List.copyOf(ambientPods);
      blockingBudgets = List.copyOf(blockingBudgets);
    }

    /** A node with no ambient pod terminating and no cordon time known. */
    public Node(
        boolean exists,
        boolean unschedulable,
        String cordonedBy,
        List<String> ambientPods,
        List<String> blockingBudgets,
        ZtunnelPod ztunnel) {
      this(exists, unschedulable, cordonedBy, ambientPods, blockingBudgets, ztunnel, 0, null);
    }

    /** Cordoned, and by the migration {@code migration}. */
    public boolean cordonedBy(String migration) {
      return unschedulable && migration.equals(cordonedBy);
    }

    /**
     * Marked as cordoned by {@code migration}, whether or not it still is: an uncordon is owed (or
     * only the mark to clear).
     */
    public boolean markedBy(String migration) {
      return migration.equals(cordonedBy);
    }

    /** Cordoned by meshgate (by any migration): not yet back in service. */
    public boolean cordonedByMeshgate() {
      return unschedulable && cordonedBy != null;
    }
  }

  /**
   * A node's ztunnel pod: its name, its template's {@code controller-revision-hash}, whether it is
   * Ready, and whether it is terminating.
   */
  public record ZtunnelPod(String name, String hash, boolean ready, boolean terminating) {}
}

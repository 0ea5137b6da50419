package io.meshgate.migration;

import java.util.List;

/**
 * The step table of replacing one node's ztunnel pod with one on the template {@code hash}, as
 * Istio documents the manual upgrade of an {@code OnDelete} ztunnel (cordon, drain, delete the
 * ztunnel pod, wait for the new one, uncordon): the first step still to do, read from what the node
 * is now, so a daemon killed between any two steps resumes at the right one. The same table moves a
 * node forward onto the wave's template and back onto the previous one.
 *
 * <p>Drained as {@code kubectl drain} drains (evicted pods gone before the next step), but only the
 * node's ambient pods: DaemonSet pods and mirror pods are never evicted
 * (k8s.io/kubectl/pkg/drain/filters.go), nor pods outside the ambient mesh, whose traffic does not
 * go through ztunnel.
 */
final class NodeDrain {
  /** Which step is next; {@link #action} is set for the steps meshgate takes. */
  enum Kind {
    /** Cordon the node, marking it as this migration's. */
    CORDON,
    /** Evict the node's ambient pods. */
    EVICT,
    /** Wait for the evicted ambient pods to terminate: their traffic still goes through ztunnel. */
    DRAINING,
    /** Delete the node's old ztunnel pod. */
    DELETE,
    /** Nothing for meshgate to do until someone else acts (see {@link Step#blocker}). */
    BLOCKED,
    /** The node's ztunnel pod is on {@code hash}, or the old one is going: replaced. */
    REPLACED
  }

  /** One step: the action to take, or why the node waits. */
  record Step(Kind kind, Action action, Cause blocker) {}

  private NodeDrain() {}

  /**
   * The next step for {@code node} toward ztunnel template {@code hash}.
   *
   * @param drainTimedOut the node has been draining longer than {@code drain.timeout}: a budget
   *     that still refuses every eviction holds it ({@code DrainBlocked}) instead of retrying on
   */
  static Step next(
      String nodeName,
      Ambient.Node node,
      String migration,
      String hash,
      String ztunnelNamespace,
      boolean drainTimedOut) {
    String name = "node " + nodeName;
    Ambient.ZtunnelPod ztunnel = node.ztunnel();
    boolean oldPodRunning = ztunnel != null && !ztunnel.terminating();
    if (oldPodRunning && hash.equals(ztunnel.hash())) {
      return new Step(Kind.REPLACED, null, null);
    }
    if (!node.cordonedBy(migration)) {
      if (node.unschedulable()) {
        return blocked(
            Reason.CORDONED_BY_OTHERS,
            name
                + " was cordoned by someone else (no meshgate.io/cordoned-by: "
                + migration
                + "); meshgate neither drains nor uncordons it, and waits until it is uncordoned");
      }
      return new Step(Kind.CORDON, new Action.Cordon(nodeName, migration), null);
    }
    List<String> pods = node.ambientPods();
    if (!pods.isEmpty()) {
      if (drainTimedOut && !node.blockingBudgets().isEmpty()) {
        return blocked(
            Reason.DRAIN_BLOCKED,
            name
                + ": "
                + named(pods)
                + " not evicted after drain.timeout; PodDisruptionBudget "
                + String.join(", ", node.blockingBudgets())
                + " allows no disruption now");
      }
      return new Step(Kind.EVICT, new Action.EvictAmbientPods(nodeName, pods), null);
    }
    if (node.terminating() > 0) {
      return new Step(Kind.DRAINING, null, null);
    }
    if (oldPodRunning) {
      return new Step(
          Kind.DELETE,
          new Action.DeleteZtunnelPod(nodeName, ztunnelNamespace, ztunnel.name()),
          null);
    }
    return new Step(Kind.REPLACED, null, null);
  }

  /** {@code ambient pod shop/web-1}, or the first three of more and how many others. */
  private static String named(List<String> pods) {
    String noun = pods.size() == 1 ? "ambient pod " : "ambient pods ";
    if (pods.size() <= 3) {
      return noun + String.join(", ", pods);
    }
    return noun + String.join(", ", pods.subList(0, 3)) + " and " + (pods.size() - 3) + " more";
  }

  private static Step blocked(Reason reason, String message) {
    return new Step(Kind.BLOCKED, null, new Cause(reason, message));
  }
}

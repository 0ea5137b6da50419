package io.meshgate.sim;

import java.util.Set;

/**
 * As the DaemonSet controller: one pod per node ({@code sim-node-0} .. {@code sim-node-<n-1>}, the
 * node count given when the DaemonSet was added, 1 for one created by the code under test), a new
 * pod only on a node without one; {@code OnDelete} leaves every pod for someone to delete.
 */
final class DaemonSetController extends WorkloadController {
  DaemonSetController(SimContext context, Namespaces namespaces, SidecarInjector injector) {
    super(WorkloadKind.DAEMON_SET, context, namespaces, injector);
  }

  @Override
  String podName(WorkloadKey key, String revision, int slot) {
    return key.name() + "-" + context.suffix();
  }

  @Override
  String node(int slot) {
    return "sim-node-" + slot;
  }

  @Override
  boolean slotFree(String name, String node, Set<String> usedNames, Set<String> usedNodes) {
    return super.slotFree(name, node, usedNames, usedNodes) && !usedNodes.contains(node);
  }
}

package io.meshgate.migration;

import java.util.List;

/** What the machine asks the controller to do in the cluster; every action is idempotent. */
public sealed interface Action {
  /** The namespace the action is about; null for a revision's tag. */
  String namespace();

  /**
   * The target the action is about, what its log lines name: a namespace, or a gateway's {@link
   * GatewayRef#key()}; null for a revision's tag.
   */
  default String target() {
    return namespace();
  }

  /**
   * Evaluate the rules of the target's scope over the baseline window ending now; store the values.
   * {@code target} is a namespace, a gateway's {@link GatewayRef#key()} or a node's {@link
   * NodeRef#key}.
   */
  record CaptureBaseline(String target) implements Action {
    @Override
    public String namespace() {
      if (NodeRef.isKey(target)) {
        return null;
      }
      return GatewayRef.isKey(target) ? GatewayRef.of(target).namespace() : target;
    }
  }

  /** Label the namespace for the target revision, keeping its previous labels in an annotation. */
  record Flip(String namespace) implements Action {}

  /**
   * Restart (paced) the namespace's workloads not yet carrying {@code restartId}, and replace the
   * pods their controllers will not until none is stale for {@code goal}.
   */
  record Restart(String namespace, String restartId, SidecarGoal goal) implements Action {}

  /** Put back exactly the labels the namespace had before the flip. */
  record RestoreLabels(String namespace) implements Action {}

  /**
   * Tag mode's rollback of one namespace: label it {@code istio.io/rev=<label>} ({@code pinTo}, or
   * the old revision), keeping its previous labels in an annotation, so that it leaves the moved
   * tag.
   */
  record Pin(String namespace, String label) implements Action {}

  /**
   * Point tag {@code tag} at {@code revision}, as {@code istioctl tag set --overwrite} does; the
   * webhook records which migration moved it, and that it was on {@code previousRevision}.
   */
  record MoveTag(String tag, String revision, String previousRevision) implements Action {
    @Override
    public String namespace() {
      return null;
    }
  }

  /** An action about one gateway: its log lines name the gateway, in its namespace. */
  sealed interface GatewayAction extends Action {
    GatewayRef gateway();

    @Override
    default String namespace() {
      return gateway().namespace();
    }

    @Override
    default String target() {
      return gateway().key();
    }
  }

  /**
   * Label the gateway {@code istio.io/rev=<label>} (a Deployment's pod template, a Gateway's own
   * labels), keeping its previous labels in an annotation on it; a Deployment's template gets
   * {@code restartId} in the same patch, so that the flip is its one rollout.
   */
  record FlipGateway(GatewayRef gateway, String label, String restartId) implements GatewayAction {}

  /**
   * Put back exactly the labels the gateway had before the flip (a Deployment's template with
   * {@code restartId}, in the same patch).
   */
  record RestoreGateway(GatewayRef gateway, String restartId) implements GatewayAction {}

  /**
   * Restart an injected gateway's Deployment as {@code kubectl rollout restart} does, unless its
   * template carries {@code restartId} already.
   */
  record RestartGateway(GatewayRef gateway, String restartId) implements GatewayAction {}

  /** An action about one node of a ztunnel wave: its log lines name the node. */
  sealed interface NodeAction extends Action {
    /** The node's name. */
    String node();

    @Override
    default String namespace() {
      return null;
    }

    @Override
    default String target() {
      return NodeRef.key(node());
    }
  }

  /**
   * Cordon the node ({@code spec.unschedulable}) and mark it {@code meshgate.io/cordoned-by:
   * <migration>}, so that only the one who cordoned it uncordons it.
   */
  record Cordon(String node, String migration) implements NodeAction {}

  /**
   * Evict each of {@code pods} ({@code namespace/name}) through the Eviction API; a budget's
   * refusal (429) leaves the pod for the next tick.
   */
  record EvictAmbientPods(String node, List<String> pods) implements NodeAction {
    public EvictAmbientPods {
      pods = List.copyOf(pods);
    }
  }

  /**
   * Delete the node's ztunnel pod {@code pod} so the DaemonSet recreates it on its template now.
   */
  record DeleteZtunnelPod(String node, String namespace, String pod) implements NodeAction {}

  /**
   * Uncordon the node and drop its {@code meshgate.io/cordoned-by} annotation, only while that
   * annotation names {@code migration}: a node someone else cordoned stays cordoned.
   */
  record Uncordon(String node, String migration) implements NodeAction {}

  /**
   * Put the DaemonSet's pod template back to its ControllerRevision whose {@code
   * controller-revision-hash} is {@code hash}, as {@code kubectl rollout undo} does.
   */
  record RollBackDaemonSet(String namespace, String name, String hash) implements Action {}
}

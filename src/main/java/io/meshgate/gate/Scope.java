package io.meshgate.gate;

import java.util.Locale;

/** What one value of a rule describes, and so which targets the rule judges. */
public enum Scope {
  /** A migrating namespace: its series name it in one label. */
  NAMESPACE,
  /** A control-plane revision: one value, applied to every target on it. */
  REVISION,
  /**
   * A gateway's Deployment (an injected gateway, or the one istiod renders for a Gateway API
   * Gateway), named by Istio's own labels of the requests it sends.
   */
  GATEWAY,
  /** A waypoint, named by the labels the scrape attaches from its pod ({@link WaypointLabels}). */
  WAYPOINT,
  /**
   * A node of a ztunnel wave, named by the one label the scrape puts on its ztunnel's metrics
   * ({@code node}, relabelled from {@code __meta_kubernetes_pod_node_name}: ztunnel names no node
   * itself).
   */
  NODE;

  /**
   * Whether a value of this scope belongs to one {@link Workload}: a gateway, a waypoint or a node.
   */
  public boolean isWorkload() {
    return this == GATEWAY || this == WAYPOINT || this == NODE;
  }

  /** The scope as a rule file writes it, and as messages name a target of it: {@code gateway}. */
  public String token() {
    return name().toLowerCase(Locale.ROOT);
  }
}

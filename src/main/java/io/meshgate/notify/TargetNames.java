package io.meshgate.notify;

import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.NodeRef;

/**
 * How people read the name of a migration's target, wherever they read it (Slack, Events): never a
 * gateway's or a node's key, which is how the status and the machine name it.
 *
 * <pre>{@code
 * TargetNames.of("payments");                                       // "namespace payments"
 * TargetNames.of("Deployment/istio-ingress/istio-ingressgateway");  // "gateway Deployment istio-ingress/istio-ingressgateway"
 * TargetNames.of("Gateway/shop/public");                            // "Gateway shop/public"
 * TargetNames.of("Node/worker-1");                                  // "node worker-1"
 * }</pre>
 */
public final class TargetNames {
  private TargetNames() {}

  /** A namespace, a gateway's {@link GatewayRef#key()} or a node's {@link NodeRef#key}, read. */
  public static String of(String target) {
    if (NodeRef.isKey(target)) {
      return "node " + NodeRef.name(target);
    }
    return GatewayRef.isKey(target) ? GatewayRef.of(target).toString() : "namespace " + target;
  }
}

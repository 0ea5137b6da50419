package io.meshgate.notify;

import io.meshgate.migration.GatewayRef;

/**
 * How people read the name of a migration's target, wherever they read it (Slack, Events): never a
 * gateway's key, which is how the status and the machine name it.
 *
 * <pre>{@code
 * TargetNames.of("payments");                                       // "namespace payments"
 * TargetNames.of("Deployment/istio-ingress/istio-ingressgateway");  // "gateway Deployment istio-ingress/istio-ingressgateway"
 * TargetNames.of("Gateway/shop/public");                            // "Gateway shop/public"
 * }</pre>
 */
public final class TargetNames {
  private TargetNames() {}

  /** A namespace or a gateway's {@link GatewayRef#key()}, as a person reads it. */
  public static String of(String target) {
    return GatewayRef.isKey(target) ? GatewayRef.of(target).toString() : "namespace " + target;
  }
}

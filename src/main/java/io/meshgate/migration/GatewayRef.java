package io.meshgate.migration;

/**
 * One gateway a wave names (DESIGN.md section 12): an injected gateway's Deployment, or a Gateway
 * API Gateway (waypoints included). {@link #key()} is how the migration's status, facts and gate
 * results name it; it never collides with a namespace, whose name holds no slash.
 *
 * <pre>{@code
 * GatewayRef ingress = new GatewayRef(GatewayRef.Kind.Deployment, "istio-ingress", "istio-ingressgateway");
 * ingress.key(); // "Deployment/istio-ingress/istio-ingressgateway"
 * }</pre>
 */
public record GatewayRef(Kind kind, String namespace, String name) {
  /** What is flipped: a Deployment's pod template, or a Gateway's own label. */
  public enum Kind {
    Deployment,
    Gateway
  }

  public GatewayRef {
    if (kind == null || namespace == null || name == null) {
      throw new IllegalArgumentException("a gateway needs kind, namespace and name");
    }
  }

  public String key() {
    return kind + "/" + namespace + "/" + name;
  }

  /** Whether {@code key} names a gateway rather than a namespace. */
  public static boolean isKey(String key) {
    int first = key.indexOf('/');
    return first >= 0 && key.indexOf('/', first + 1) >= 0;
  }

  /**
   * The gateway {@code key} names.
   *
   * @throws IllegalArgumentException when it is not {@code Kind/namespace/name}
   */
  public static GatewayRef of(String key) {
    String[] parts = key.split("/", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "\"" + key + "\" is not a gateway key; expected Kind/namespace/name");
    }
    for (Kind kind : Kind.values()) {
      if (kind.name().equals(parts[0])) {
        return new GatewayRef(kind, parts[1], parts[2]);
      }
    }
    throw new IllegalArgumentException(
        "\"" + key + "\" names kind " + parts[0] + "; expected Deployment or Gateway");
  }

  /**
   * How messages name it: {@code gateway Deployment istio-ingress/istio-ingressgateway}; a Gateway
   * API Gateway by its kind alone, which says so already: {@code Gateway shop/public}.
   */
  @Override
  public String toString() {
    String where = namespace + "/" + name;
    return kind == Kind.Gateway ? "Gateway " + where : "gateway " + kind + " " + where;
  }
}

package io.meshgate.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A gateway, a waypoint or a node under evaluation. {@code key} is the caller's id for it (e.g.
 * {@code Deployment/istio-ingress/istio-ingressgateway}, {@code Gateway/shop/public} or {@code
 * Node/worker-1}), by which its verdict, evidence window and baselines are keyed; {@code namespace}
 * and {@code name} are what its series hold in the {@code groupBy} labels of its scope's rules: for
 * a gateway its Deployment's namespace and name ({@code <gateway>-<class>} for a Gateway API
 * gateway), for a waypoint its namespace and its Gateway's name, for a node its name alone (a node
 * has no namespace: null). Both are validated here, before they can reach PromQL.
 *
 * <pre>{@code
 * Workload ingress = new Workload(Scope.GATEWAY, "Deployment/istio-ingress/istio-ingressgateway",
 *     "istio-ingress", "istio-ingressgateway");
 * Workload worker = Workload.node("Node/worker-1", "worker-1");
 * }</pre>
 */
public record Workload(Scope scope, String key, String namespace, String name) {
  public Workload {
    List<String> problems = new ArrayList<>();
    boolean workloadScope = scope != null && scope.isWorkload();
    if (!workloadScope) {
      problems.add("workload scope is " + scope + "; expected GATEWAY, WAYPOINT or NODE");
    }
    if (key == null || key.isBlank()) {
      problems.add(
          "workload key is empty; expected the caller's id of the target, such as"
              + " Deployment/istio-ingress/istio-ingressgateway");
    }
    String noun = workloadScope ? scope.token() : "workload";
    if (scope == Scope.NODE) {
      if (namespace != null) {
        problems.add(
            "node namespace is \"" + namespace + "\"; a node is cluster-scoped and has none");
      }
    } else {
      String namespaceProblem = Names.dns1123Problem(namespace);
      if (namespaceProblem != null) {
        problems.add(noun + " namespace " + namespaceProblem);
      }
    }
    // a node's name is a DNS-1123 subdomain too (Kubernetes validates it as one)
    String nameProblem = Names.dns1123SubdomainProblem(name);
    if (nameProblem != null) {
      problems.add(noun + " name " + nameProblem);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The node {@code name}, its results keyed by {@code key}. */
  public static Workload node(String key, String name) {
    return new Workload(Scope.NODE, key, null, name);
  }

  /**
   * {@code istio-ingress/istio-ingressgateway}: the label values its series carry; a node's name
   * alone.
   */
  public String qualifiedName() {
    return namespace == null ? name : namespace + "/" + name;
  }

  /** How messages name it: {@code gateway istio-ingress/istio-ingressgateway}, {@code node w-1}. */
  public String displayName() {
    return scope.token() + " " + qualifiedName();
  }

  /** Whether {@code other} is measured by the same series: same scope, namespace and name. */
  boolean sameSeries(Workload other) {
    return scope == other.scope
        && Objects.equals(namespace, other.namespace)
        && name.equals(other.name);
  }
}

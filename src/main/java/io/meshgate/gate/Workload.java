package io.meshgate.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * A gateway or a waypoint under evaluation. {@code key} is the caller's id for it (e.g. {@code
 * Deployment/istio-ingress/istio-ingressgateway} or {@code Gateway/shop/public}), by which its
 * verdict, evidence window and baselines are keyed; {@code namespace} and {@code name} are what its
 * series hold in the two {@code groupBy} labels of its scope's rules: for a gateway its
 * Deployment's namespace and name ({@code <gateway>-<class>} for a Gateway API gateway), for a
 * waypoint its namespace and its Gateway's name. Both are validated here, before they can reach
 * PromQL.
 *
 * <pre>{@code
 * Workload ingress = new Workload(Scope.GATEWAY, "Deployment/istio-ingress/istio-ingressgateway",
 *     "istio-ingress", "istio-ingressgateway");
 * }</pre>
 */
public record Workload(Scope scope, String key, String namespace, String name) {
  public Workload {
    List<String> problems = new ArrayList<>();
    boolean workloadScope = scope != null && scope.isWorkload();
    if (!workloadScope) {
      problems.add("workload scope is " + scope + "; expected GATEWAY or WAYPOINT");
    }
    if (key == null || key.isBlank()) {
      problems.add(
          "workload key is empty; expected the caller's id of the target, such as"
              + " Deployment/istio-ingress/istio-ingressgateway");
    }
    String noun = workloadScope ? scope.token() : "workload";
    String namespaceProblem = Names.dns1123Problem(namespace);
    if (namespaceProblem != null) {
      problems.add(noun + " namespace " + namespaceProblem);
    }
    String nameProblem = Names.dns1123SubdomainProblem(name);
    if (nameProblem != null) {
      problems.add(noun + " name " + nameProblem);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** {@code istio-ingress/istio-ingressgateway}: the two label values its series carry. */
  public String qualifiedName() {
    return namespace + "/" + name;
  }

  /** How messages name it: {@code gateway istio-ingress/istio-ingressgateway}. */
  public String displayName() {
    return scope.token() + " " + qualifiedName();
  }

  /** Whether {@code other} is measured by the same series: same scope, namespace and name. */
  boolean sameSeries(Workload other) {
    return scope == other.scope && namespace.equals(other.namespace) && name.equals(other.name);
  }
}

package io.meshgate.controller;

import java.util.List;

/**
 * What one evaluation, or one baseline capture, judges: namespaces and gateways, and for each the
 * control cohort still on the old revision, measured in the same queries (none judged itself).
 *
 * <pre>{@code
 * GateSubjects subjects = GateSubjects.ofNamespaces(List.of("payments"), cohort);
 * }</pre>
 */
public record GateSubjects(
    List<String> namespaces,
    List<String> cohort,
    List<Gateway> gateways,
    List<Gateway> gatewayCohort) {
  public GateSubjects {
    namespaces = List.copyOf(namespaces);
    cohort = List.copyOf(cohort);
    gateways = List.copyOf(gateways);
    gatewayCohort = List.copyOf(gatewayCohort);
  }

  /** Namespaces only. */
  public static GateSubjects ofNamespaces(List<String> namespaces, List<String> cohort) {
    return new GateSubjects(namespaces, cohort, List.of(), List.of());
  }

  public boolean isEmpty() {
    return namespaces.isEmpty() && gateways.isEmpty();
  }

  /**
   * A gateway as its metrics name it: results are keyed by {@code key} (its {@code
   * GatewayRef.key()}), its series carry {@code namespace} and {@code workload}; a waypoint's by
   * the labels of {@code scope: waypoint} rules, any other's by those of {@code scope: gateway}.
   */
  public record Gateway(String key, String namespace, String workload, boolean waypoint) {}
}

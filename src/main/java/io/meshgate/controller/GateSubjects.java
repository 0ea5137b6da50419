package io.meshgate.controller;

import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.TargetPhase;
import java.util.List;
import java.util.function.Supplier;

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

  /**
   * The namespaces and gateways among {@code targets} (names and gateway keys), with their cohorts:
   * {@code namespaceCohort}, asked only when a namespace is judged, and the migration's gateways it
   * has not started, at most {@code cohortLimit}, only when a gateway is.
   */
  static GateSubjects of(
      List<String> targets,
      MigrationStatus status,
      Observed observed,
      Supplier<List<String>> namespaceCohort,
      int cohortLimit) {
    List<String> namespaces = targets.stream().filter(t -> !GatewayRef.isKey(t)).toList();
    List<Gateway> gateways =
        targets.stream().filter(GatewayRef::isKey).map(k -> Gateway.of(observed, k)).toList();
    List<Gateway> gatewayCohort =
        gateways.isEmpty()
            ? List.of()
            : status.gateways().stream()
                .filter(g -> g.phase() == TargetPhase.Pending)
                .filter(g -> observed.gateway(g.name()).facts().exists())
                .limit(cohortLimit)
                .map(g -> Gateway.of(observed, g.name()))
                .toList();
    return new GateSubjects(
        namespaces,
        namespaces.isEmpty() ? List.of() : namespaceCohort.get(),
        gateways,
        gatewayCohort);
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
  public record Gateway(String key, String namespace, String workload, boolean waypoint) {
    /** The gateway of {@code key} as observed: named by its workload, else by its own name. */
    static Gateway of(Observed observed, String key) {
      GatewayRef ref = GatewayRef.of(key);
      Observed.GatewayFacts facts = observed.gateway(key);
      return new Gateway(
          key,
          ref.namespace(),
          facts.workload() == null ? ref.name() : facts.workload(),
          facts.waypoint());
    }
  }
}

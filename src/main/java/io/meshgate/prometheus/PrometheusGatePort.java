package io.meshgate.prometheus;

import io.meshgate.controller.GatePort;
import io.meshgate.controller.GateSubjects;
import io.meshgate.gate.EvidenceWindows;
import io.meshgate.gate.Rule;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Scope;
import io.meshgate.gate.Target;
import io.meshgate.gate.TickReport;
import io.meshgate.gate.WaypointLabels;
import io.meshgate.gate.Workload;
import io.meshgate.migration.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gate of a migration against Prometheus: the rules its spec names, with its overrides,
 * evaluated in one batched tick for all its gated namespaces, gateways and nodes (each gateway
 * judged by the rules of its scope, {@code gateway} or {@code waypoint}, each node by those of
 * {@code node}, under its key).
 */
public final class PrometheusGatePort implements GatePort {
  private final PrometheusGate gate;
  private final Supplier<List<Rule>> rules;
  private final String revisionLabel;
  private final Duration minWindow;
  private final WaypointLabels waypointLabels;

  /**
   * @param minWindow the shortest evidence window after a rollout (daemon config {@code
   *     gate.minWindow})
   * @param waypointLabels the labels the scrape names a waypoint's series by (daemon config {@code
   *     gate.waypointLabels})
   */
  public PrometheusGatePort(
      PrometheusGate gate,
      Supplier<List<Rule>> rules,
      String revisionLabel,
      Duration minWindow,
      WaypointLabels waypointLabels) {
    this.gate = gate;
    this.rules = rules;
    this.revisionLabel = revisionLabel;
    this.minWindow = minWindow;
    this.waypointLabels = waypointLabels;
  }

  /**
   * Windows clipped to each namespace's time on the target, rounded down to the migration's
   * interval so that namespaces rolled out at different times share few queries.
   */
  @Override
  public Map<String, List<RuleResult>> evaluate(
      MigrationSpec spec,
      GateSubjects subjects,
      Map<String, Instant> onTargetAt,
      Map<String, Map<String, Double>> baselines,
      Instant now) {
    Target target = target(spec, subjects);
    EvidenceWindows evidence =
        EvidenceWindows.since(onTargetAt, minWindow, grain(spec.interval()), spec.toRevision());
    TickReport report = gate.tick(resolve(spec, rules.get()), target, now, baselines, evidence);
    Map<String, List<RuleResult>> results = new HashMap<>();
    report.namespaces().forEach(ns -> results.put(ns.namespace(), ns.rules()));
    return results;
  }

  @Override
  public Map<String, Map<String, Double>> baselines(
      MigrationSpec spec, GateSubjects subjects, Instant now) {
    Target target = target(spec, subjects);
    Map<String, Map<String, Double>> captured =
        gate.baselines(resolve(spec, rules.get()), target, now, spec.baselineWindow());
    if (captured == null) {
      // a partial answer is no baseline: the namespaces wait, as when Prometheus cannot be asked
      return null;
    }
    Map<String, Map<String, Double>> all = new HashMap<>();
    target.keys().forEach(key -> all.put(key, captured.getOrDefault(key, Map.of())));
    return all;
  }

  private Target target(MigrationSpec spec, GateSubjects subjects) {
    return new Target(
        subjects.namespaces(),
        spec.toRevision(),
        spec.fromRevision(),
        revisionLabel,
        subjects.cohort(),
        workloads(subjects.gateways(), subjects.nodes()),
        workloads(subjects.gatewayCohort(), subjects.nodeCohort()),
        waypointLabels);
  }

  private static List<Workload> workloads(
      List<GateSubjects.Gateway> gateways, List<GateSubjects.Node> nodes) {
    List<Workload> workloads = new ArrayList<>();
    gateways.forEach(
        g ->
            workloads.add(
                new Workload(
                    g.waypoint() ? Scope.WAYPOINT : Scope.GATEWAY,
                    g.key(),
                    g.namespace(),
                    g.workload())));
    nodes.forEach(n -> workloads.add(Workload.node(n.key(), n.name())));
    return workloads;
  }

  private static Duration grain(Duration interval) {
    return interval.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : interval;
  }

  /**
   * The rules a spec's gates name, with their bound overrides; every loaded rule when it names
   * none. A migration with a ztunnel wave whose gates name no node-scoped rule is also gated by the
   * loaded node-scoped rules (the shipped {@code ztunnel-connection-failures}): gates written for
   * namespaces and gateways would otherwise leave its nodes with no rule, holding forever.
   *
   * @throws IllegalArgumentException naming a gate whose rule is not loaded
   */
  public static List<Rule> resolve(MigrationSpec spec, List<Rule> loaded) {
    if (spec.gates().isEmpty()) {
      // no gates listed: every rule of the rules directory gates the migration
      return loaded;
    }
    Map<String, Rule> byName = new HashMap<>();
    loaded.forEach(r -> byName.put(r.name(), r));
    List<Rule> resolved = new ArrayList<>();
    for (MigrationSpec.GateRef ref : spec.gates()) {
      Rule rule = byName.get(ref.rule());
      if (rule == null) {
        throw new IllegalArgumentException(
            "gate names rule \""
                + ref.rule()
                + "\", which is not in the rules directory; loaded: "
                + byName.keySet());
      }
      resolved.add(
          rule.withBounds(
              ref.max() != null ? ref.max() : rule.max(),
              ref.min() != null ? ref.min() : rule.min(),
              ref.maxIncrease() != null ? ref.maxIncrease() : rule.maxIncrease(),
              ref.baselineFloor() != null ? ref.baselineFloor() : rule.baselineFloor(),
              ref.minVolume() != null ? ref.minVolume() : rule.minVolume()));
    }
    boolean movesNodes = spec.waves().stream().anyMatch(w -> w.ztunnel() != null);
    if (movesNodes && resolved.stream().noneMatch(r -> r.scope() == Scope.NODE)) {
      loaded.stream().filter(r -> r.scope() == Scope.NODE).forEach(resolved::add);
    }
    return resolved;
  }
}

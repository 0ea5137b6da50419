package io.meshgate.controller;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.migration.MigrationSpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gate whose verdicts the test sets per namespace, gateway key or node key: passing unless told
 * to fail.
 */
final class ScriptedGate implements GatePort {
  final Set<String> failing = ConcurrentHashMap.newKeySet();

  /** The p99-latency baseline captured per namespace; 87.0 unless set (NaN and infinities too). */
  final Map<String, Double> baselineOf = new ConcurrentHashMap<>();

  /** The cohort the controller gave the last tick. */
  volatile List<String> lastCohort = List.of();

  /** The gateways' cohort the controller gave the last tick. */
  volatile List<GateSubjects.Gateway> lastGatewayCohort = List.of();

  /** The nodes' cohort the controller gave the last tick. */
  volatile List<GateSubjects.Node> lastNodeCohort = List.of();

  /** The revisions the controller gave the last evaluation: what {{revision}} would be. */
  volatile String lastRevisions;

  /** The evidence windows' starts the controller gave the last evaluation. */
  volatile Map<String, Instant> lastOnTargetAt = Map.of();

  @Override
  public Map<String, List<RuleResult>> evaluate(
      MigrationSpec spec,
      GateSubjects subjects,
      Map<String, Instant> onTargetAt,
      Map<String, Map<String, Double>> baselines,
      Instant now) {
    lastCohort = subjects.cohort();
    lastGatewayCohort = subjects.gatewayCohort();
    lastNodeCohort = subjects.nodeCohort();
    lastOnTargetAt = Map.copyOf(onTargetAt);
    lastRevisions = spec.fromRevision() + " -> " + spec.toRevision();
    Map<String, List<RuleResult>> results = new HashMap<>();
    List<String> judged = new java.util.ArrayList<>(subjects.namespaces());
    subjects.gateways().forEach(g -> judged.add(g.key()));
    subjects.nodes().forEach(n -> judged.add(n.key()));
    for (String ns : judged) {
      boolean fail = failing.contains(ns);
      results.put(
          ns,
          List.of(
              new RuleResult(
                  "error-rate",
                  Severity.CRITICAL,
                  fail ? Result.FAIL : Result.PASS,
                  fail ? 0.2 : 0.001,
                  0.01,
                  null,
                  "error-rate query",
                  fail ? "ThresholdExceeded" : "WithinBounds",
                  fail ? "error-rate 0.2 > max 0.01" : "error-rate 0.001 <= 0.01")));
    }
    return results;
  }

  @Override
  public Map<String, Map<String, Double>> baselines(
      MigrationSpec spec, GateSubjects subjects, Instant now) {
    Map<String, Map<String, Double>> baselines = new HashMap<>();
    List<String> judged = new java.util.ArrayList<>(subjects.namespaces());
    subjects.gateways().forEach(g -> judged.add(g.key()));
    subjects.nodes().forEach(n -> judged.add(n.key()));
    judged.forEach(
        ns -> baselines.put(ns, Map.of("p99-latency", baselineOf.getOrDefault(ns, 87.0))));
    return baselines;
  }
}

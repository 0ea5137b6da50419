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

/** A gate whose verdicts the test sets per namespace: passing unless told to fail. */
final class ScriptedGate implements GatePort {
  final Set<String> failing = ConcurrentHashMap.newKeySet();

  /** The p99-latency baseline captured per namespace; 87.0 unless set (NaN and infinities too). */
  final Map<String, Double> baselineOf = new ConcurrentHashMap<>();

  /** The cohort the controller gave the last tick. */
  volatile List<String> lastCohort = List.of();

  /** The revisions the controller gave the last evaluation: what {{revision}} would be. */
  volatile String lastRevisions;

  /** The evidence windows' starts the controller gave the last evaluation. */
  volatile Map<String, Instant> lastOnTargetAt = Map.of();

  @Override
  public Map<String, List<RuleResult>> evaluate(
      MigrationSpec spec,
      List<String> namespaces,
      Map<String, Instant> onTargetAt,
      List<String> cohort,
      Map<String, Map<String, Double>> baselines,
      Instant now) {
    lastCohort = List.copyOf(cohort);
    lastOnTargetAt = Map.copyOf(onTargetAt);
    lastRevisions = spec.fromRevision() + " -> " + spec.toRevision();
    Map<String, List<RuleResult>> results = new HashMap<>();
    for (String ns : namespaces) {
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
      MigrationSpec spec, List<String> namespaces, List<String> cohort, Instant now) {
    Map<String, Map<String, Double>> baselines = new HashMap<>();
    namespaces.forEach(
        ns -> baselines.put(ns, Map.of("p99-latency", baselineOf.getOrDefault(ns, 87.0))));
    return baselines;
  }
}

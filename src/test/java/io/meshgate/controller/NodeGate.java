package io.meshgate.controller;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.NodeRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A gate for ztunnel waves whose verdicts the test sets per node: the shipped node rule {@value
 * #RULE} passes for every target asked about, and fails for the nodes {@code failing} names when
 * asked (it may depend on what happened so far, e.g. the second node cordoned).
 */
final class NodeGate implements GatePort {
  static final String RULE = "ztunnel-connection-failures";

  private final Supplier<Set<String>> failingNodes;

  /** Passing for every node unless {@code failingNodes} names it (plain node names). */
  NodeGate(Supplier<Set<String>> failingNodes) {
    this.failingNodes = failingNodes;
  }

  static NodeGate passing() {
    return new NodeGate(Set::of);
  }

  /**
   * The targets the controller asks about: its namespaces and gateways, and every target with
   * evidence (a node's key among them, {@code Node/<name>}).
   */
  private static Set<String> judged(GateSubjects subjects, Map<String, Instant> onTargetAt) {
    Set<String> judged = new LinkedHashSet<>(subjects.namespaces());
    subjects.gateways().forEach(g -> judged.add(g.key()));
    subjects.nodes().forEach(n -> judged.add(n.key()));
    judged.addAll(onTargetAt.keySet());
    return judged;
  }

  @Override
  public Map<String, List<RuleResult>> evaluate(
      MigrationSpec spec,
      GateSubjects subjects,
      Map<String, Instant> onTargetAt,
      Map<String, Map<String, Double>> baselines,
      Instant now) {
    Set<String> failing = failingNodes.get();
    Map<String, List<RuleResult>> results = new HashMap<>();
    for (String target : judged(subjects, onTargetAt)) {
      boolean fail = NodeRef.isKey(target) && failing.contains(NodeRef.name(target));
      results.put(
          target,
          List.of(
              new RuleResult(
                  RULE,
                  Severity.CRITICAL,
                  fail ? Result.FAIL : Result.PASS,
                  fail ? 12.0 : 0.0,
                  1.0,
                  null,
                  RULE + " query",
                  fail ? "ThresholdExceeded" : "WithinBounds",
                  fail ? RULE + " 12 > max 1" : RULE + " 0 <= 1")));
    }
    return results;
  }

  @Override
  public Map<String, Map<String, Double>> baselines(
      MigrationSpec spec, GateSubjects subjects, Instant now) {
    Map<String, Map<String, Double>> baselines = new HashMap<>();
    judged(subjects, Map.of()).forEach(target -> baselines.put(target, Map.of()));
    return baselines;
  }
}

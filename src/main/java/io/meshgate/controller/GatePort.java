package io.meshgate.controller;

import io.meshgate.gate.RuleResult;
import io.meshgate.migration.MigrationSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The gate as the controller uses it: one batched tick, and baselines before flips. {@code cohort}:
 * the namespaces still on the old revision, measured in the same queries as the control group.
 */
public interface GatePort {
  /**
   * Rule results by namespace; every namespace asked for is present. {@code onTargetAt}: when each
   * namespace was last all on the target revision with its rollouts complete; its namespace-scoped
   * rules look no further back (a namespace absent from it has no evidence yet).
   */
  Map<String, List<RuleResult>> evaluate(
      MigrationSpec spec,
      List<String> namespaces,
      Map<String, Instant> onTargetAt,
      List<String> cohort,
      Map<String, Map<String, Double>> baselines,
      Instant now);

  /**
   * Baselines of the namespace-scoped rules over the spec's baseline window ending now, with the
   * cohort's; null when Prometheus could not be asked (the namespace then waits), an empty map when
   * it had no data.
   */
  Map<String, Map<String, Double>> baselines(
      MigrationSpec spec, List<String> namespaces, List<String> cohort, Instant now);

  /** What one evaluation was asked and answered, for a listener of {@link #tapped}. */
  record Evaluation(
      Instant now, Map<String, Instant> onTargetAt, Map<String, List<RuleResult>> results) {}

  /** {@code gate} as it is, telling {@code listener} of every evaluation it answered. */
  static GatePort tapped(GatePort gate, Consumer<Evaluation> listener) {
    return new GatePort() {
      @Override
      public Map<String, List<RuleResult>> evaluate(
          MigrationSpec spec,
          List<String> namespaces,
          Map<String, Instant> onTargetAt,
          List<String> cohort,
          Map<String, Map<String, Double>> baselines,
          Instant now) {
        Map<String, List<RuleResult>> results =
            gate.evaluate(spec, namespaces, onTargetAt, cohort, baselines, now);
        listener.accept(new Evaluation(now, onTargetAt, results));
        return results;
      }

      @Override
      public Map<String, Map<String, Double>> baselines(
          MigrationSpec spec, List<String> namespaces, List<String> cohort, Instant now) {
        return gate.baselines(spec, namespaces, cohort, now);
      }
    };
  }
}

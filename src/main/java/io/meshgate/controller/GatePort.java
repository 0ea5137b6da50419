package io.meshgate.controller;

import io.meshgate.gate.RuleResult;
import io.meshgate.migration.MigrationSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The gate as the controller uses it: one batched tick, and baselines before flips, of the
 * namespaces, gateways and nodes of {@link GateSubjects}, each with its control cohort.
 */
public interface GatePort {
  /**
   * Rule results by namespace, by gateway key and by node key ({@code Node/<name>}); every one
   * asked for is present. {@code onTargetAt}: when each was last all on the target revision with
   * its rollouts complete; its rules look no further back (one absent from it has no evidence yet).
   */
  Map<String, List<RuleResult>> evaluate(
      MigrationSpec spec,
      GateSubjects subjects,
      Map<String, Instant> onTargetAt,
      Map<String, Map<String, Double>> baselines,
      Instant now);

  /**
   * Baselines of the rules of each one's scope over the spec's baseline window ending now, with the
   * cohort's; null when Prometheus could not be asked (they then wait), an empty map when it had no
   * data.
   */
  Map<String, Map<String, Double>> baselines(
      MigrationSpec spec, GateSubjects subjects, Instant now);

  /** What one evaluation was asked and answered, for a listener of {@link #tapped}. */
  record Evaluation(
      Instant now, Map<String, Instant> onTargetAt, Map<String, List<RuleResult>> results) {}

  /** {@code gate} as it is, telling {@code listener} of every evaluation it answered. */
  static GatePort tapped(GatePort gate, Consumer<Evaluation> listener) {
    return new GatePort() {
      @Override
      public Map<String, List<RuleResult>> evaluate(
          MigrationSpec spec,
          GateSubjects subjects,
          Map<String, Instant> onTargetAt,
          Map<String, Map<String, Double>> baselines,
          Instant now) {
        Map<String, List<RuleResult>> results =
            gate.evaluate(spec, subjects, onTargetAt, baselines, now);
        listener.accept(new Evaluation(now, onTargetAt, results));
        return results;
      }

      @Override
      public Map<String, Map<String, Double>> baselines(
          MigrationSpec spec, GateSubjects subjects, Instant now) {
        return gate.baselines(spec, subjects, now);
      }
    };
  }
}

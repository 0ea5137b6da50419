package io.meshgate.controller;

import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetStatus;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Baselines captured before the flips of a tick, recorded in the targets' status: finite values to
 * five significant digits, others as null with a note saying why their bound is not checked.
 */
final class Baselines {
  private Baselines() {}

  /** {@code targets}: namespaces, gateways' and nodes' keys whose baselines were captured. */
  static MigrationStatus recorded(
      MigrationStatus status, List<String> targets, Map<String, Map<String, Double>> captured) {
    return status
        .withNamespaces(recorded(status.namespaces(), targets, captured))
        .withGateways(recorded(status.gateways(), targets, captured))
        .withNodes(recorded(status.nodes(), targets, captured));
  }

  private static List<TargetStatus> recorded(
      List<TargetStatus> entries, List<String> targets, Map<String, Map<String, Double>> captured) {
    List<TargetStatus> updated = new ArrayList<>();
    for (TargetStatus n : entries) {
      if (targets.contains(n.name())) {
        updated.add(baseline(n, captured.getOrDefault(n.name(), Map.of())));
      } else {
        updated.add(n);
      }
    }
    return updated;
  }

  /**
   * A value that is not a finite number (a rule dividing by zero, say) is kept as null with a note:
   * its relative bound is skipped, as without a baseline.
   */
  private static TargetStatus baseline(TargetStatus n, Map<String, Double> values) {
    Map<String, Double> finite = new LinkedHashMap<>();
    Map<String, String> notes = new LinkedHashMap<>();
    values.forEach(
        (rule, value) -> {
          if (value != null && Double.isFinite(value)) {
            finite.put(rule, significant(value));
          } else {
            finite.put(rule, null);
            notes.put(
                rule,
                "baseline was "
                    + value
                    + ", not a number a bound can be relative to; maxIncrease of "
                    + rule
                    + " is not checked for this target");
          }
        });
    return n.withBaseline(finite, notes);
  }

  /**
   * Five significant digits: far finer than any bound compares (messages show four), and a
   * 1,000-namespace status stays small (a rate from Prometheus has seventeen).
   */
  private static double significant(double value) {
    return new BigDecimal(value).round(new MathContext(5)).doubleValue();
  }
}

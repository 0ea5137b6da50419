package io.meshgate.controller;

import io.meshgate.metrics.Metrics;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import java.time.Instant;

/** The self-metrics a tick leaves: rule results, verdicts, each namespace's phase, its time. */
final class TickMetrics {
  private TickMetrics() {}

  /** Self-metrics of one tick: rule results, verdicts, the phase of each namespace. */
  static void record(
      Metrics metrics, MigrationObject m, TickInput input, MigrationStatus status, Instant now) {
    input
        .gate()
        .values()
        .forEach(
            results ->
                results.forEach(
                    r ->
                        metrics
                            .evaluations
                            .labelValues(m.name(), r.rule(), r.result().name())
                            .inc()));
    for (TargetStatus ns : status.namespaces()) {
      if (ns.phase().isInFlight() && ns.lastVerdict() != null) {
        metrics.verdicts.labelValues(m.name(), ns.lastVerdict().verdict().name()).inc();
      }
      for (TargetPhase phase : TargetPhase.values()) {
        if (phase == ns.phase()) {
          metrics.namespacePhase.labelValues(m.name(), ns.name(), phase.name()).set(1);
        } else {
          metrics.namespacePhase.remove(m.name(), ns.name(), phase.name());
        }
      }
    }
    metrics.lastEvaluation.labelValues(m.name()).set(now.toEpochMilli() / 1000.0);
  }
}

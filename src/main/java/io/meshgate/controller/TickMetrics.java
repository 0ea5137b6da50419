package io.meshgate.controller;

import io.meshgate.metrics.Metrics;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import io.prometheus.metrics.core.metrics.Gauge;
import java.time.Instant;
import java.util.Arrays;

/**
 * The self-metrics a tick leaves: rule results, verdicts, each namespace's, gateway's and node's
 * phase, its time.
 */
final class TickMetrics {
  private TickMetrics() {}

  /** Self-metrics of one tick: rule results, verdicts, the phase of each target. */
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
    for (TargetStatus target : status.targets()) {
      if (target.phase().isInFlight() && target.lastVerdict() != null) {
        metrics.verdicts.labelValues(m.name(), target.lastVerdict().verdict().name()).inc();
      }
    }
    for (TargetStatus ns : status.namespaces()) {
      phase(metrics.namespacePhase, ns.phase(), m.name(), ns.name());
    }
    for (TargetStatus gateway : status.gateways()) {
      GatewayRef ref = GatewayRef.of(gateway.name());
      phase(
          metrics.gatewayPhase,
          gateway.phase(),
          m.name(),
          ref.kind().name(),
          ref.namespace(),
          ref.name());
    }
    for (TargetStatus node : status.nodes()) {
      phase(metrics.nodePhase, node.phase(), m.name(), NodeRef.name(node.name()));
    }
    metrics.lastEvaluation.labelValues(m.name()).set(now.toEpochMilli() / 1000.0);
  }

  /** 1 for the series of {@code current}, the series of every other phase removed. */
  private static void phase(Gauge gauge, TargetPhase current, String... labels) {
    for (TargetPhase phase : TargetPhase.values()) {
      String[] values = Arrays.copyOf(labels, labels.length + 1);
      values[labels.length] = phase.name();
      if (phase == current) {
        gauge.labelValues(values).set(1);
      } else {
        gauge.remove(values);
      }
    }
  }
}

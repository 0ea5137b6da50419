package io.meshgate.controller;

import io.meshgate.metrics.Metrics;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import java.time.Instant;

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
      for (TargetPhase phase : TargetPhase.values()) {
        if (phase == ns.phase()) {
          metrics.namespacePhase.labelValues(m.name(), ns.name(), phase.name()).set(1);
        } else {
          metrics.namespacePhase.remove(m.name(), ns.name(), phase.name());
        }
      }
    }
    for (TargetStatus gateway : status.gateways()) {
      GatewayRef ref = GatewayRef.of(gateway.name());
      String kind = ref.kind().name();
      for (TargetPhase phase : TargetPhase.values()) {
        if (phase == gateway.phase()) {
          metrics
              .gatewayPhase
              .labelValues(m.name(), kind, ref.namespace(), ref.name(), phase.name())
              .set(1);
        } else {
          metrics.gatewayPhase.remove(m.name(), kind, ref.namespace(), ref.name(), phase.name());
        }
      }
    }
    for (TargetStatus node : status.nodes()) {
      String name = NodeRef.name(node.name());
      for (TargetPhase phase : TargetPhase.values()) {
        if (phase == node.phase()) {
          metrics.nodePhase.labelValues(m.name(), name, phase.name()).set(1);
        } else {
          metrics.nodePhase.remove(m.name(), name, phase.name());
        }
      }
    }
    metrics.lastEvaluation.labelValues(m.name()).set(now.toEpochMilli() / 1000.0);
  }
}

package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Baselines land on the status entry of the target they were captured for, whatever its kind. */
class BaselinesTest {
  @Test
  void aNodesBaselineIsRecordedOnItsEntryInStatusNodesByItsKey() {
    String worker = NodeRef.key("worker-1");
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "ztunnel",
            "0/2",
            List.of(TargetStatus.pending("payments", "apps")),
            List.of(),
            List.of(),
            List.of(),
            null,
            null,
            List.of(
                TargetStatus.pending(worker, "ztunnel"),
                TargetStatus.pending(NodeRef.key("worker-2"), "ztunnel")));

    MigrationStatus recorded =
        Baselines.recorded(
            status,
            List.of(worker),
            Map.of(
                worker,
                Map.of(
                    "ztunnel-connection-failures",
                    0.0123456789,
                    "cohort/ztunnel-connection-failures",
                    0.02)));

    assertThat(recorded.node("worker-1").orElseThrow().baseline())
        .containsEntry("ztunnel-connection-failures", 0.012346)
        .containsEntry("cohort/ztunnel-connection-failures", 0.02);
    assertThat(recorded.node("worker-2").orElseThrow().baseline()).isNull();
    assertThat(recorded.namespaces()).isEqualTo(status.namespaces());
  }
}

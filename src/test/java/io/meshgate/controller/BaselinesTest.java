package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselinesTest {
  /** Issue 27: a node's baseline is recorded in status.nodes, as a namespace's in its own. */
  @Test
  void aNodesCapturedBaselineIsRecordedInItsEntry() {
    String worker = NodeRef.key("worker-1");
    MigrationStatus status =
        MigrationStatus.initial()
            .withNamespaces(List.of(TargetStatus.pending("payments", "test")))
            .withNodes(
                List.of(
                    TargetStatus.pending(worker, "ztunnel"),
                    TargetStatus.pending(NodeRef.key("worker-2"), "ztunnel")));

    MigrationStatus recorded =
        Baselines.recorded(
            status,
            List.of(worker),
            Map.of(worker, Map.of("ztunnel-connection-failures", 0.123456789)));

    assertThat(recorded.node("worker-1").orElseThrow().baseline())
        .isEqualTo(Map.of("ztunnel-connection-failures", 0.12346));
    assertThat(recorded.node("worker-2").orElseThrow().baseline()).isNullOrEmpty();
    assertThat(recorded.namespaces()).isEqualTo(status.namespaces());
  }
}

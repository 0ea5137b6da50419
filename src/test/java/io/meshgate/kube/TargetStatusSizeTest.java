package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.Condition;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue "Memory and API load that grow with the work in flight", point 3: a migration of 1,000
 * namespaces keeps its status under 512 KiB, whatever phase its namespaces are in, and reads back
 * as it was written.
 */
class TargetStatusSizeTest {
  private static final int LIMIT = 512 * 1024;
  private static final int NAMESPACES = 1_000;

  /** Whole seconds: the controller records its times as Kubernetes does. */
  private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

  @ParameterizedTest(name = "1,000 namespaces {0}")
  @EnumSource(
      value = TargetPhase.class,
      names = {"Pending", "Restarting", "Soaking", "Held", "Promoted", "RolledBack"})
  void aThousandNamespaceMigrationStaysUnder512KiB(TargetPhase phase) throws Exception {
    List<TargetStatus> namespaces = new ArrayList<>();
    for (int i = 0; i < NAMESPACES; i++) {
      namespaces.add(namespace("team-%04d-payments-europe-west".formatted(i), phase));
    }
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "wave-07-production",
            "500/1000",
            namespaces,
            List.of(),
            List.of(
                new Condition(
                    "Ready",
                    "False",
                    "Progressing",
                    "wave wave-07-production: 12 in flight",
                    NOW,
                    42L)),
            42L,
            null);

    byte[] json = new ObjectMapper().writeValueAsBytes(RevisionMigrations.fromStatus(status));

    System.out.printf(
        "FIGURE status of a 1,000-namespace migration, every namespace %s: %,d bytes%n",
        phase, json.length);
    assertThat(json.length).isLessThan(LIMIT);
    assertThat(
            RevisionMigrations.toStatus(
                new ObjectMapper().readValue(json, RevisionMigrationStatus.class)))
        .as("read back as written")
        .isEqualTo(status);
  }

  /** The namespace as the state machine leaves it in {@code phase}, every field it may set set. */
  private static TargetStatus namespace(String name, TargetPhase phase) {
    if (phase == TargetPhase.Pending) {
      return TargetStatus.pending(name, "wave-07-production");
    }
    Map<String, Double> baseline = new LinkedHashMap<>();
    // as captured: five significant digits
    baseline.put("error-rate", 0.0012346);
    baseline.put("p99-latency", 0.28712);
    baseline.put("convergence-time", 1.2346);
    baseline.put("xds-rejects", 0.0);
    boolean failing = phase == TargetPhase.Held || phase == TargetPhase.RolledBack;
    return new TargetStatus(
        name,
        "wave-07-production",
        phase,
        NOW,
        baseline,
        Map.of(),
        new TargetStatus.Verdict(
            phase == TargetPhase.RolledBack ? Verdict.ROLLBACK : Verdict.HOLD,
            failing
                ? "error-rate: 0.0213 > 0.01 (baseline 0.0012, +1675%) for 3 consecutive ticks"
                : "soaking until 2026-11-30T10:10:00Z (10m)",
            NOW),
        phase == TargetPhase.Held ? Map.of("error-rate", 3, "p99-latency", 1) : Map.of(),
        failing ? 0 : 7,
        0,
        new TargetStatus.Proxies(148, 3),
        "istio-1-20/" + name + "/1",
        NOW.minusSeconds(90));
  }
}

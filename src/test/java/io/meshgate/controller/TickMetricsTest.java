package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Verdict;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The self-metrics of a tick, as Prometheus scrapes them (DESIGN.md section 8). */
class TickMetricsTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final String INGRESS = "Deployment/istio-ingress/istio-ingressgateway";

  private final Metrics metrics = new Metrics();

  private static TargetStatus target(String name, TargetPhase phase, Verdict verdict) {
    return new TargetStatus(
        name,
        "w",
        phase,
        NOW,
        null,
        Map.of(),
        verdict == null ? null : new TargetStatus.Verdict(verdict, "why", NOW),
        Map.of(),
        0,
        0,
        null,
        null,
        null);
  }

  private void tick(List<TargetStatus> namespaces, List<TargetStatus> gateways) {
    tick(namespaces, gateways, List.of());
  }

  private void tick(
      List<TargetStatus> namespaces, List<TargetStatus> gateways, List<TargetStatus> nodes) {
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "w",
            "0/3",
            namespaces,
            gateways,
            List.of(),
            List.of(),
            1L,
            null,
            nodes);
    MigrationObject m =
        new MigrationObject("istio-1-20", "uid", 1, "1", null, null, status, Set.of(), false);
    TickInput input =
        new TickInput("istio-1-20", 1, null, status, null, Map.of(), true, Set.of(), false, NOW);
    TickMetrics.record(metrics, m, input, status, NOW);
  }

  @Test
  void eachNodesPhaseIsItsOwnSeriesByNodeName() throws IOException {
    tick(List.of(), List.of(), List.of(target("Node/worker-1", TargetPhase.Migrating, null)));
    tick(
        List.of(),
        List.of(),
        List.of(
            target("Node/worker-1", TargetPhase.Soaking, Verdict.HOLD),
            target("Node/worker-2", TargetPhase.Pending, null)));

    assertThat(series("meshgate_node_phase"))
        .containsExactlyInAnyOrder(
            "meshgate_node_phase{migration=\"istio-1-20\",node=\"worker-1\",phase=\"Soaking\"} 1.0",
            "meshgate_node_phase{migration=\"istio-1-20\",node=\"worker-2\",phase=\"Pending\"} 1.0");
    assertThat(series("meshgate_namespace_phase")).isEmpty();
  }

  /** The series of {@code metric} on the scrape page, in its order. */
  private List<String> series(String metric) throws IOException {
    ByteArrayOutputStream page = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(page, metrics.registry.scrape());
    return page.toString(StandardCharsets.UTF_8)
        .lines()
        .filter(line -> line.startsWith(metric + "{"))
        .toList();
  }

  @Test
  void eachGatewaysPhaseIsItsOwnSeriesAndItsFormerPhaseIsRemoved() throws IOException {
    tick(
        List.of(target("payments", TargetPhase.Soaking, Verdict.HOLD)),
        List.of(
            target(INGRESS, TargetPhase.Soaking, Verdict.HOLD),
            target("Gateway/shop/public", TargetPhase.Pending, null)));
    tick(
        List.of(target("payments", TargetPhase.Soaking, Verdict.HOLD)),
        List.of(
            target(INGRESS, TargetPhase.RolledBack, Verdict.ROLLBACK),
            target("Gateway/shop/public", TargetPhase.Migrating, null)));

    assertThat(series("meshgate_gateway_phase"))
        .containsExactlyInAnyOrder(
            "meshgate_gateway_phase{kind=\"Deployment\",migration=\"istio-1-20\","
                + "name=\"istio-ingressgateway\",namespace=\"istio-ingress\",phase=\"RolledBack\"}"
                + " 1.0",
            "meshgate_gateway_phase{kind=\"Gateway\",migration=\"istio-1-20\",name=\"public\","
                + "namespace=\"shop\",phase=\"Migrating\"} 1.0");
    assertThat(series("meshgate_namespace_phase"))
        .containsExactly(
            "meshgate_namespace_phase{migration=\"istio-1-20\",namespace=\"payments\","
                + "phase=\"Soaking\"} 1.0");
  }

  @Test
  void verdictsCountGatewaysInFlightBesideNamespaces() throws IOException {
    tick(
        List.of(target("payments", TargetPhase.Soaking, Verdict.HOLD)),
        List.of(
            target(INGRESS, TargetPhase.Verifying, Verdict.HOLD),
            target("Gateway/shop/public", TargetPhase.Promoted, Verdict.PROMOTE)));

    assertThat(series("meshgate_verdicts_total"))
        .containsExactly("meshgate_verdicts_total{migration=\"istio-1-20\",verdict=\"HOLD\"} 2.0");
  }
}

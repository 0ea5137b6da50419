package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus dying mid-run must hold, never promote and never roll back (Debian's 2.42 here,
 * Prometheus 3 in {@link PrometheusOutagePrometheus3IT}).
 */
class PrometheusOutageIT {
  @TempDir Path dir;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @Test
  void prometheusKilledMidRunHolds() throws Exception {
    MeshSimulator mesh = new MeshSimulator(5);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    try (RealPrometheus real = new RealPrometheus(mesh, dir, release())) {
      String[] args = {"--to-revision", "1-20-0", "--from-revision", "1-19-0", "-n", "payments"};
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> real.evaluate(args).exitCode() == 0);

      real.prometheus.kill();
      RealPrometheus.Evaluation result = real.evaluate(args);

      assertThat(real.prometheus.isAlive()).isFalse();
      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.verdict()).isEqualTo("HOLD");
      assertThat(result.namespace("payments").path("reason").asText())
          .startsWith(
              "prometheus unavailable for convergence-time, error-rate, p99-latency, xds-rejects: Prometheus unreachable at "
                  + real.prometheus.url());
      for (JsonNode rule : result.namespace("payments").path("rules")) {
        assertThat(rule.path("result").asText()).isEqualTo("ERROR");
      }
    }
  }
}

package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: the shipped gateway rules through {@code meshgate evaluate --gateway} against a real
 * Prometheus scraping the mesh simulator, whose ingress gateway (istio-system/istio-ingressgateway)
 * reports every request it sends with {@code reporter="source"}. A mesh of its own: the gateway's
 * value is that of all its traffic, which other tests' namespaces would change. On Debian's
 * Prometheus 2.42 here, on Prometheus 3 in {@link GatewayEvaluatePrometheus3IT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayEvaluateIT {
  private static final String GATEWAY = "gateway:istio-system/istio-ingressgateway";
  private static final String[] ARGS = {
    "--to-revision",
    "1-20-0",
    "--from-revision",
    "1-19-0",
    "--gateway",
    "istio-system/istio-ingressgateway"
  };

  private RealPrometheus real;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    MeshSimulator mesh =
        new MeshSimulator(20261125)
            .namespace("shop", Traffic.HEALTHY)
            .revision("1-19-0", ControlPlane.healthy("1.19.0"))
            .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    real = new RealPrometheus(mesh, dir, release());
  }

  @AfterAll
  void stop() {
    real.close();
  }

  @Test
  void theIngressGatewayIsJudgedOnTheRequestsItSendsAndRollsBackOnAnErrorSpike() {
    RealPrometheus.Evaluation healthy = real.awaitVerdict("PROMOTE", ARGS);

    assertThat(healthy.exitCode()).isZero();
    assertThat(healthy.json().path("namespaces")).hasSize(1);
    assertThat(healthy.namespace(GATEWAY).path("rules").findValuesAsText("rule"))
        .containsExactly(
            "convergence-time", "gateway-error-rate", "gateway-p99-latency", "xds-rejects");
    JsonNode errorRate = healthy.rule(GATEWAY, "gateway-error-rate");
    assertThat(errorRate.path("value").asDouble()).isZero();
    assertThat(errorRate.path("query").asText())
        .contains(
            "reporter=\"source\", source_workload=~\"istio-ingressgateway\","
                + " source_workload_namespace=~\"istio-system\"");
    // the simulated p99 is 80 ms (+0.5 ms on the client side): between Envoy's buckets 50 and 100
    assertThat(healthy.rule(GATEWAY, "gateway-p99-latency").path("value").asDouble())
        .isBetween(50.0, 100.0);

    real.mesh.updateNamespace("shop", t -> t.withErrorShare(0.3));
    RealPrometheus.Evaluation spike = real.awaitVerdict("ROLLBACK", ARGS);

    assertThat(spike.exitCode()).isEqualTo(2);
    assertThat(spike.result(GATEWAY, "gateway-error-rate")).isEqualTo("FAIL");
    assertThat(spike.rule(GATEWAY, "gateway-error-rate").path("value").asDouble())
        .isBetween(0.05, 0.6);
    assertThat(spike.namespace(GATEWAY).path("reason").asText())
        .startsWith("critical rule gateway-error-rate failed: gateway-error-rate ");
    assertThat(spike.result(GATEWAY, "gateway-p99-latency")).isEqualTo("PASS");
  }
}

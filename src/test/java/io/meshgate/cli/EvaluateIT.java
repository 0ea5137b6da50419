package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshgate evaluate} against a real Prometheus scraping the mesh simulator ({@link
 * #release()}: Debian's 2.42 here, Prometheus 3 in {@link EvaluatePrometheus3IT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvaluateIT {
  private RealPrometheus real;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    MeshSimulator mesh = new MeshSimulator(20261121);
    for (String ns :
        new String[] {"healthy", "spike", "slowdown", "fading", "storm", "storm-a", "storm-b"}) {
      mesh.namespace(ns, Traffic.HEALTHY);
    }
    mesh.revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"))
        .revision("1-21-0", ControlPlane.healthy("1.21.0").withConvergenceP99Seconds(8))
        .revision("1-22-0", ControlPlane.healthy("1.22.0").withRejectsPerSecond(0.5))
        .revision("1-23-0", ControlPlane.healthy("1.23.0"));
    real = new RealPrometheus(mesh, dir, release());
  }

  @AfterAll
  void stop() {
    real.close();
  }

  private RealPrometheus.Evaluation awaitVerdict(String verdict, String... args) {
    return real.awaitVerdict(verdict, args);
  }

  @Test
  void healthyNamespacePromotes() {
    RealPrometheus.Evaluation result =
        awaitVerdict(
            "PROMOTE", "--to-revision", "1-20-0", "--from-revision", "1-19-0", "-n", "healthy");

    assertThat(result.exitCode()).isZero();
    for (JsonNode rule : result.namespace("healthy").path("rules")) {
      assertThat(rule.path("result").asText()).as("%s", rule).isEqualTo("PASS");
      assertThat(rule.path("value").isNumber()).as("%s", rule).isTrue();
    }
    assertThat(result.rule("healthy", "convergence-time").path("baseline").isNumber()).isTrue();
  }

  @Test
  void errorSpikeRollsBack() {
    awaitVerdict("PROMOTE", "--to-revision", "1-20-0", "-n", "spike");

    real.mesh.updateNamespace("spike", t -> t.withErrorShare(0.3));
    RealPrometheus.Evaluation result =
        awaitVerdict("ROLLBACK", "--to-revision", "1-20-0", "-n", "spike");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.result("spike", "error-rate")).isEqualTo("FAIL");
    assertThat(result.rule("spike", "error-rate").path("value").asDouble()).isGreaterThan(0.01);
    assertThat(result.rule("spike", "error-rate").path("bound").asDouble()).isEqualTo(0.01);
    assertThat(result.namespace("spike").path("reason").asText())
        .startsWith("critical rule error-rate failed: error-rate ");
  }

  @Test
  void anErrorSpikeTheCohortSharesHoldsWithGlobalDegradationShowingBothValues() {
    String[] args = {
      "--to-revision",
      "1-20-0",
      "--from-revision",
      "1-19-0",
      "-n",
      "storm",
      "--cohort",
      "storm-a,storm-b"
    };
    awaitVerdict("PROMOTE", args);

    for (String ns : new String[] {"storm", "storm-a", "storm-b"}) {
      real.mesh.updateNamespace(ns, t -> t.withErrorShare(0.3));
    }
    RealPrometheus.Evaluation result = awaitVerdict("HOLD", args);

    assertThat(result.exitCode()).isEqualTo(1);
    JsonNode rule = result.rule("storm", "error-rate");
    assertThat(rule.path("result").asText()).isEqualTo("HOLD");
    assertThat(rule.path("reason").asText()).isEqualTo("GlobalDegradation");
    assertThat(rule.path("value").asDouble()).isGreaterThan(0.01);
    assertThat(rule.path("cohort").asDouble()).isGreaterThan(0.01);
    assertThat(result.namespace("storm").path("reasonCode").asText())
        .isEqualTo("GlobalDegradation");
    assertThat(result.namespace("storm").path("reason").asText())
        .startsWith("GlobalDegradation in error-rate: error-rate ")
        .contains("and the cohort on 1-19-0 (2 namespaces) at ", "breaches it too");
  }

  @Test
  void latencyRegressionAgainstTheBaselineRollsBack() {
    Instant baselineTime = Instant.now();
    awaitVerdict(
        "PROMOTE", "--to-revision", "1-20-0", "-n", "slowdown", "--time", baselineTime.toString());

    real.mesh.updateNamespace("slowdown", t -> t.withLatency(300, 900));
    RealPrometheus.Evaluation result =
        awaitVerdict(
            "ROLLBACK",
            "--to-revision",
            "1-20-0",
            "-n",
            "slowdown",
            "--baseline-time",
            baselineTime.toString(),
            "--baseline-window",
            "10s");

    JsonNode p99 = result.rule("slowdown", "p99-latency");
    assertThat(p99.path("result").asText()).isEqualTo("FAIL");
    assertThat(p99.path("value").asDouble())
        .as("below the absolute max: the baseline caught it")
        .isLessThan(1000);
    double baseline = p99.path("baseline").asDouble();
    assertThat(baseline).isBetween(10.0, 200.0);
    assertThat(p99.path("bound").asDouble())
        .isCloseTo(baseline * 1.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(result.result("slowdown", "error-rate")).isEqualTo("PASS");
  }

  @Test
  void slowConvergenceOfTheTargetRevisionHolds() {
    RealPrometheus.Evaluation result =
        awaitVerdict(
            "HOLD", "--to-revision", "1-21-0", "--from-revision", "1-19-0", "-n", "healthy");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.result("healthy", "convergence-time")).isEqualTo("FAIL");
    assertThat(result.rule("healthy", "convergence-time").path("value").asDouble())
        .isGreaterThan(5);
    assertThat(result.namespace("healthy").path("reason").asText())
        .startsWith("warning rule convergence-time failed");
    assertThat(result.result("healthy", "error-rate")).isEqualTo("PASS");
  }

  @Test
  void xdsRejectsOnTheTargetRevisionRollBack() {
    RealPrometheus.Evaluation result =
        awaitVerdict("ROLLBACK", "--to-revision", "1-22-0", "-n", "healthy");

    assertThat(result.result("healthy", "xds-rejects")).isEqualTo("FAIL");
    assertThat(result.rule("healthy", "xds-rejects").path("value").asDouble()).isGreaterThan(0);
    assertThat(result.rule("healthy", "xds-rejects").path("query").asText())
        .contains("pilot_total_xds_rejects{istio_io_rev=\"1-22-0\"}");
  }

  @Test
  void trafficStoppingHoldsWithNoData() {
    awaitVerdict("PROMOTE", "--to-revision", "1-20-0", "-n", "fading");

    real.mesh.updateNamespace("fading", t -> t.withRequestsPerSecond(0));
    RealPrometheus.Evaluation result =
        awaitVerdict("HOLD", "--to-revision", "1-20-0", "-n", "fading");

    assertThat(result.result("fading", "error-rate")).isEqualTo("NO_DATA");
    assertThat(result.rule("fading", "error-rate").path("message").asText())
        .endsWith("probably not receiving traffic");
    assertThat(result.namespace("fading").path("reason").asText()).startsWith("no data for ");
  }

  @Test
  void targetIstiodGoingDownHolds() {
    awaitVerdict("PROMOTE", "--to-revision", "1-23-0", "-n", "healthy");

    real.mesh.updateRevision("1-23-0", c -> c.withUp(false));
    RealPrometheus.Evaluation result =
        awaitVerdict("HOLD", "--to-revision", "1-23-0", "-n", "healthy");

    assertThat(result.result("healthy", "xds-rejects")).isEqualTo("NO_DATA");
    assertThat(result.rule("healthy", "xds-rejects").path("message").asText())
        .contains("is the istiod of revision 1-23-0 up and scraped with label istio_io_rev?");
  }
}

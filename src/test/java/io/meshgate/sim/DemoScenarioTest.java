package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DemoScenarioTest {
  private static final String TARGET = "1-20-0";

  private static MeshSimulator mesh() {
    return new MeshSimulator(1)
        .namespace("payments", Traffic.HEALTHY)
        .namespace("shipping", Traffic.HEALTHY)
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision(TARGET, ControlPlane.healthy("1.20.0"));
  }

  @Test
  void errorSpikeBreaksOnlyTheVictimWhileItRunsTheTargetAndHealsAfter() {
    MeshSimulator mesh = mesh();

    DemoScenario.ERROR_SPIKE.apply(mesh, TARGET, Traffic.HEALTHY, true);
    assertThat(mesh.traffic("payments").errorShare()).isEqualTo(0.25);
    assertThat(mesh.traffic("shipping")).isEqualTo(Traffic.HEALTHY);

    DemoScenario.ERROR_SPIKE.apply(mesh, TARGET, Traffic.HEALTHY, false);
    assertThat(mesh.traffic("payments")).isEqualTo(Traffic.HEALTHY);
  }

  @Test
  void latencyRegressionStaysUnderTheAbsoluteCeilingButOverTheBaselineBound() {
    MeshSimulator mesh = mesh();

    DemoScenario.LATENCY_REGRESSION.apply(mesh, TARGET, Traffic.HEALTHY, true);
    Traffic slow = mesh.traffic("payments");
    assertThat(slow.p99Ms())
        .as("p99-latency: max 1000, maxIncrease 0.5 over the healthy p99")
        .isLessThan(1000)
        .isGreaterThan(Traffic.HEALTHY.p99Ms() * 1.5);
    assertThat(slow.errorShare()).isZero();

    DemoScenario.LATENCY_REGRESSION.apply(mesh, TARGET, Traffic.HEALTHY, false);
    assertThat(mesh.traffic("payments")).isEqualTo(Traffic.HEALTHY);
  }

  @Test
  void xdsRejectsComeFromTheTargetRevisionOnly() {
    MeshSimulator mesh = mesh();

    DemoScenario.XDS_REJECTS.apply(mesh, TARGET, Traffic.HEALTHY, true);
    assertThat(mesh.controlPlane(TARGET).rejectsPerSecond()).isPositive();
    assertThat(mesh.controlPlane("1-19-0").rejectsPerSecond()).isZero();

    DemoScenario.XDS_REJECTS.apply(mesh, TARGET, Traffic.HEALTHY, false);
    assertThat(mesh.controlPlane(TARGET).rejectsPerSecond()).isZero();
  }

  @Test
  void allHealthyChangesNothing() {
    MeshSimulator mesh = mesh();

    DemoScenario.ALL_HEALTHY.apply(mesh, TARGET, Traffic.HEALTHY, true);

    assertThat(DemoScenario.ALL_HEALTHY.victim()).isNull();
    assertThat(mesh.traffic("payments")).isEqualTo(Traffic.HEALTHY);
    assertThat(mesh.controlPlane(TARGET)).isEqualTo(ControlPlane.healthy("1.20.0"));
  }

  @Test
  void scenariosAreFoundByTheirCommandLineNames() {
    assertThat(DemoScenario.ids())
        .containsExactly("all-healthy", "error-spike", "latency-regression", "xds-rejects");
    assertThat(DemoScenario.of("xds-rejects")).isEqualTo(DemoScenario.XDS_REJECTS);
    assertThatThrownBy(() -> DemoScenario.of("XDS"))
        .hasMessage(
            "unknown scenario \"XDS\"; expected one of all-healthy, error-spike,"
                + " latency-regression, xds-rejects");
  }
}

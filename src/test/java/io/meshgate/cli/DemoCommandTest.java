package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoCommandTest {
  @Test
  void unknownScenarioIsABadUsageNamingTheKnownOnes() {
    Cli cli = Cli.run("demo", "--scenario", "meltdown");

    assertThat(cli.exitCode()).isEqualTo(64);
    assertThat(cli.err())
        .contains(
            "--scenario: unknown scenario \"meltdown\"; expected one of all-healthy, error-spike,"
                + " latency-regression, xds-rejects");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void timeoutMustBePositive() {
    Cli cli = Cli.run("demo", "--timeout", "0s");

    assertThat(cli.exitCode()).isEqualTo(64);
    assertThat(cli.err()).contains("--timeout");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void helpListsEveryScenario() {
    Cli cli = Cli.run("demo", "--help");

    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out().replaceAll("\\s+", " "))
        .contains("all-healthy, error-spike, latency-regression, xds-rejects")
        .contains("Ctrl-C stops everything it started");
  }
}

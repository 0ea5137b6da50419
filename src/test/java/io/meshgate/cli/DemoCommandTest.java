package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  private static final String GATEWAY = "Deployment/istio-ingress/istio-ingressgateway";

  private static TargetStatus ended(String name, String wave, TargetPhase phase) {
    return new TargetStatus(
        name, wave, phase, null, null, Map.of(), null, Map.of(), 0, 0, null, null, null);
  }

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

  @Test
  void helpSaysTheGatewayIsMigratedToo() {
    Cli cli = Cli.run("demo", "--help");

    assertThat(cli.out().replaceAll("\\s+", " "))
        .contains(
            "Migrate five simulated namespaces and an injected ingress gateway from istiod 1-19-0"
                + " to 1-20-0 in four waves")
        .contains("the others and the gateway are promoted");
  }

  /** Issue 25: the summary names a gateway as people do, above the columns its name overflows. */
  @Test
  void aPromotedGatewaysSummaryLineNamesItAboveItsColumns() {
    StringWriter out = new StringWriter();
    List<String> unexpected = new ArrayList<>();

    DemoCommand.outcome(
        new PrintWriter(out, true),
        GATEWAY,
        ended(GATEWAY, "gateways", TargetPhase.Promoted),
        TargetPhase.Promoted,
        Map.of(),
        unexpected);
    DemoCommand.outcome(
        new PrintWriter(out, true),
        "frontend",
        ended("frontend", "canary", TargetPhase.Promoted),
        TargetPhase.Promoted,
        Map.of(),
        unexpected);

    assertThat(out.toString().lines())
        .containsExactly(
            "  gateway istio-ingress/istio-ingressgateway",
            "            gateways Promoted   on 1-20-0",
            "  frontend  canary   Promoted   on 1-20-0");
    assertThat(unexpected).isEmpty();
  }

  @Test
  void aGatewayRolledBackIsNotWhatTheDemoExpectsAndSaysWhy() {
    StringWriter out = new StringWriter();
    List<String> unexpected = new ArrayList<>();

    DemoCommand.outcome(
        new PrintWriter(out, true),
        GATEWAY,
        ended(GATEWAY, "gateways", TargetPhase.RolledBack),
        TargetPhase.Promoted,
        Map.of(GATEWAY, "gateway-error-rate 0.2 > max 0.01 over 6s since rollout"),
        unexpected);

    assertThat(out.toString().lines())
        .containsExactly(
            "  gateway istio-ingress/istio-ingressgateway",
            "            gateways RolledBack on 1-19-0",
            "      rolled back: gateway-error-rate 0.2 > max 0.01 over 6s since rollout");
    assertThat(unexpected)
        .containsExactly(
            "gateway istio-ingress/istio-ingressgateway is RolledBack, expected Promoted");
  }
}

package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.Notification;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoDisplayTest {
  private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
  private static final String GATEWAY = "Deployment/istio-ingress/istio-ingressgateway";

  /** The gateway's rules of one tick: none failing. */
  private static final List<RuleResult> GATEWAY_RULES =
      List.of(
          new RuleResult(
              "gateway-error-rate",
              Severity.CRITICAL,
              Result.PASS,
              0.0,
              0.01,
              0.0,
              "q",
              "Ok",
              "ok"),
          new RuleResult(
              "gateway-p99-latency",
              Severity.CRITICAL,
              Result.PASS,
              74.2,
              1000.0,
              70.0,
              "q",
              "Ok",
              "ok"),
          new RuleResult(
              "xds-rejects", Severity.CRITICAL, Result.PASS, 0.0, 0.0, null, "q", "Ok", "ok"));

  private static TargetStatus soaking(String name, String wave, String reason) {
    return new TargetStatus(
        name,
        wave,
        TargetPhase.Soaking,
        START,
        null,
        Map.of(),
        new TargetStatus.Verdict(Verdict.HOLD, reason, START),
        Map.of(),
        1,
        0,
        null,
        "r1",
        START);
  }

  private static Notification rollingBack(List<RuleResult> rules) {
    return new Notification(
        Notification.Kind.ROLLING_BACK,
        "demo-1-20",
        "payments",
        "1-19-0",
        "1-20-0",
        TargetPhase.Soaking,
        TargetPhase.RollingBack,
        Reason.THRESHOLD_EXCEEDED,
        "critical rule error-rate failed 2 consecutive ticks",
        null,
        rules,
        START.plusSeconds(68));
  }

  @Test
  void plainOutputPrintsEachTransitionAtOnceWithItsTimeSinceTheStart() {
    StringWriter out = new StringWriter();
    DemoDisplay display = new DemoDisplay(new PrintWriter(out), false, 120, START);

    display.event(rollingBack(List.of()));

    assertThat(out.toString())
        .isEqualTo(
            "[01:08] payments: Soaking -> RollingBack  critical rule error-rate failed 2"
                + " consecutive ticks"
                + System.lineSeparator());
  }

  @Test
  void rollbackCauseIsTheFailingCriticalRuleWithItsPromqlOnOneLine() {
    DemoDisplay display = new DemoDisplay(new PrintWriter(new StringWriter()), true, 120, START);
    RuleResult failing =
        new RuleResult(
            "error-rate",
            Severity.CRITICAL,
            Result.FAIL,
            0.05,
            0.01,
            null,
            "sum(rate(x[20s]))\n  /\n  sum(rate(y[20s]))",
            "ThresholdExceeded",
            "error-rate 0.05 > max 0.01");
    RuleResult passing =
        new RuleResult(
            "p99-latency", Severity.CRITICAL, Result.PASS, 60.0, 1000.0, 55.0, "q", "Ok", "ok");

    display.event(rollingBack(List.of(passing, failing)));

    assertThat(display.rollbackCauses())
        .containsEntry(
            "payments",
            "error-rate 0.05 > max 0.01\n      PromQL: sum(rate(x[20s])) / sum(rate(y[20s]))");
  }

  @Test
  void liveOutputKeepsEventsForTheNextFrameInsteadOfPrintingThem() {
    StringWriter out = new StringWriter();
    DemoDisplay display = new DemoDisplay(new PrintWriter(out), true, 120, START);

    display.event(rollingBack(List.of()));

    assertThat(out.toString()).isEmpty();
  }

  /** Issue 27: a node is named as node and name, not by its status key. */
  @Test
  void aNodesEventNamesItNodeAndName() {
    StringWriter out = new StringWriter();
    DemoDisplay display = new DemoDisplay(new PrintWriter(out), false, 120, START);

    display.event(
        new Notification(
            Notification.Kind.SKIPPED,
            "demo-1-20",
            "Node/worker-1",
            "1-19-0",
            "1-20-0",
            TargetPhase.Pending,
            TargetPhase.Skipped,
            Reason.CORDONED_BY_OTHERS,
            "cordoned by someone else; left as it is",
            null,
            List.of(),
            START.plusSeconds(5)));

    assertThat(out.toString())
        .isEqualTo(
            "[00:05] node worker-1: Pending -> Skipped  cordoned by someone else; left as it is"
                + System.lineSeparator());
  }

  /** Issue 25: a gateway is named as people name it, not by its status key. */
  @Test
  void aGatewaysEventNamesItGatewayNamespaceSlashName() {
    StringWriter out = new StringWriter();
    DemoDisplay display = new DemoDisplay(new PrintWriter(out), false, 120, START);

    display.event(
        new Notification(
            Notification.Kind.PROMOTED,
            "demo-1-20",
            GATEWAY,
            "1-19-0",
            "1-20-0",
            TargetPhase.Soaking,
            TargetPhase.Promoted,
            Reason.PROMOTED,
            "healthy on 1-20-0 for 8s, 3 passing ticks",
            null,
            List.of(),
            START.plusSeconds(53)));

    assertThat(out.toString())
        .isEqualTo(
            "[00:53] gateway istio-ingress/istio-ingressgateway: Soaking -> Promoted  healthy on"
                + " 1-20-0 for 8s, 3 passing ticks"
                + System.lineSeparator());
  }

  /**
   * A gateway's name is wider than the column: it goes on a line of its own, the columns stay where
   * the namespaces' are, and its 5xx and p99 are those of the gateway rules.
   */
  @Test
  void aGatewaysRowHasItsNameAboveItsColumnsAndShowsTheGatewayRules() {
    DemoDisplay display = new DemoDisplay(new PrintWriter(new StringWriter()), true, 120, START);

    List<String> gateway =
        display.row(
            GATEWAY, soaking(GATEWAY, "gateways", "soaking: 1/3 passing ticks"), GATEWAY_RULES);
    List<String> namespace =
        display.row(
            "frontend",
            soaking("frontend", "canary", "soaking: 2/3 passing ticks"),
            List.of(
                new RuleResult(
                    "p99-latency",
                    Severity.CRITICAL,
                    Result.PASS,
                    49.0,
                    1000.0,
                    50.0,
                    "q",
                    "Ok",
                    "ok")));

    assertThat(gateway)
        .containsExactly(
            "  gateway istio-ingress/istio-ingressgateway",
            "             gateways Soaking       0.0%   74ms    0  HOLD     soaking: 1/3 passing ticks");
    assertThat(namespace)
        .containsExactly(
            "  frontend   canary   Soaking          -   49ms    -  HOLD     soaking: 2/3 passing ticks");
  }

  @Test
  void plainOutputPrintsAGatewaysVerdictWithItsSignals() {
    StringWriter out = new StringWriter();
    DemoDisplay display = new DemoDisplay(new PrintWriter(out), false, 120, Instant.now());
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "gateways",
            "1/6",
            List.of(),
            List.of(soaking(GATEWAY, "gateways", "soaking: 1/3 passing ticks")),
            List.of(),
            List.of(),
            null,
            null);

    display.printChanges(status, Map.of(GATEWAY, GATEWAY_RULES));
    display.printChanges(status, Map.of(GATEWAY, GATEWAY_RULES));

    assertThat(out.toString().lines().map(line -> line.replaceFirst("^\\[\\d\\d:\\d\\d\\] ", "")))
        .containsExactly(
            "migration demo-1-20: Progressing, wave gateways, promoted 1/6",
            "gateway istio-ingress/istio-ingressgateway (Soaking, 5xx 0.0%, p99 74ms, xds rejects"
                + " 0): HOLD soaking: 1/3 passing ticks");
  }
}

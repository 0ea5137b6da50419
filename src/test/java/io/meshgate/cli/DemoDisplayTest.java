package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.notify.Notification;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoDisplayTest {
  private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

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
}

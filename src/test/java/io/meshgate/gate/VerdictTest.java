package io.meshgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VerdictTest {
  private static RuleResult result(String rule, Severity severity, Result result) {
    String reason =
        switch (result) {
          case PASS -> "WithinBounds";
          case FAIL -> "ThresholdExceeded";
          case HOLD -> "GlobalDegradation";
          case NO_DATA -> "NoData";
          case ERROR -> "PrometheusUnavailable";
        };
    return new RuleResult(rule, severity, result, null, null, null, "q", reason, "msg " + rule);
  }

  static Stream<Arguments> cases() {
    Severity c = Severity.CRITICAL;
    Severity w = Severity.WARNING;
    return Stream.of(
        Arguments.of(
            List.of(result("a", c, Result.PASS), result("b", w, Result.PASS)),
            Verdict.PROMOTE,
            "Healthy"),
        Arguments.of(
            List.of(result("a", c, Result.FAIL), result("b", w, Result.PASS)),
            Verdict.ROLLBACK,
            "ThresholdExceeded"),
        Arguments.of(
            List.of(result("a", c, Result.FAIL), result("b", w, Result.ERROR)),
            Verdict.ROLLBACK,
            "ThresholdExceeded"),
        Arguments.of(
            List.of(result("a", w, Result.FAIL), result("b", c, Result.PASS)),
            Verdict.HOLD,
            "ThresholdExceeded"),
        Arguments.of(
            List.of(result("a", c, Result.NO_DATA), result("b", c, Result.PASS)),
            Verdict.HOLD,
            "NoData"),
        Arguments.of(
            List.of(result("a", c, Result.ERROR), result("b", c, Result.PASS)),
            Verdict.HOLD,
            "PrometheusUnavailable"),
        Arguments.of(
            List.of(result("a", c, Result.NO_DATA), result("b", w, Result.ERROR)),
            Verdict.HOLD,
            "PrometheusUnavailable"),
        Arguments.of(
            List.of(result("a", c, Result.HOLD), result("b", c, Result.PASS)),
            Verdict.HOLD,
            "GlobalDegradation"),
        Arguments.of(
            List.of(result("a", c, Result.HOLD), result("b", c, Result.NO_DATA)),
            Verdict.HOLD,
            "GlobalDegradation"),
        Arguments.of(
            List.of(result("a", c, Result.HOLD), result("b", c, Result.FAIL)),
            Verdict.ROLLBACK,
            "ThresholdExceeded"),
        Arguments.of(List.of(), Verdict.HOLD, "NoRules"));
  }

  @ParameterizedTest(name = "{1} ({2})")
  @MethodSource("cases")
  void decidesTheVerdictOfOneTick(List<RuleResult> results, Verdict verdict, String code) {
    NamespaceVerdict v = Gate.decide("payments", results);

    assertThat(v.verdict()).isEqualTo(verdict);
    assertThat(v.reasonCode()).isEqualTo(code);
  }

  @Test
  void holdReasonListsEveryUnmetRuleWithTheDesignPhrases() {
    NamespaceVerdict v =
        Gate.decide(
            "payments",
            List.of(
                result("error-rate", Severity.CRITICAL, Result.NO_DATA),
                result("p99-latency", Severity.WARNING, Result.FAIL)));

    assertThat(v.reason())
        .isEqualTo(
            "warning rule p99-latency failed: msg p99-latency; no data for error-rate: msg error-rate");
  }

  @Test
  void overallVerdictIsTheWorstOfTheNamespaces() {
    NamespaceVerdict promote =
        Gate.decide("a", List.of(result("r", Severity.CRITICAL, Result.PASS)));
    NamespaceVerdict hold =
        Gate.decide("b", List.of(result("r", Severity.CRITICAL, Result.NO_DATA)));
    NamespaceVerdict rollback =
        Gate.decide("c", List.of(result("r", Severity.CRITICAL, Result.FAIL)));

    assertThat(new TickReport(null, List.of(promote, hold)).verdict()).isEqualTo(Verdict.HOLD);
    assertThat(new TickReport(null, List.of(hold, rollback, promote)).verdict())
        .isEqualTo(Verdict.ROLLBACK);
    assertThat(new TickReport(null, List.of(promote)).verdict()).isEqualTo(Verdict.PROMOTE);
  }
}

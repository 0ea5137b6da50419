package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreaksTest {
  /** "a:FAIL:critical b:PASS" as results of rules a and b. */
  private static List<RuleResult> results(String spec) {
    if (spec.isBlank()) {
      return List.of();
    }
    return Arrays.stream(spec.split(" "))
        .map(
            r -> {
              String[] p = r.split(":");
              Severity severity =
                  p.length > 2 ? Severity.valueOf(p[2].toUpperCase()) : Severity.CRITICAL;
              Result result = Result.valueOf(p[1]);
              String reason =
                  switch (result) {
                    case ERROR -> p.length > 3 ? p[3] : "QueryFailed";
                    case FAIL -> "ThresholdExceeded";
                    case HOLD -> "GlobalDegradation";
                    case NO_DATA -> p.length > 3 ? p[3] : "NoData";
                    case PASS -> "WithinBounds";
                  };
              return new RuleResult(
                  p[0], severity, result, 1.0, 0.5, null, "q", reason, p[0] + " " + result);
            })
        .toList();
  }

  private static TargetState state(int failuresOfA, int passes, int noData) {
    TargetState ns = new TargetState(TargetStatus.pending("payments", "w"), TickContext.NAMESPACES);
    ns.failureStreaks = failuresOfA == 0 ? Map.of() : Map.of("a", failuresOfA);
    ns.passStreak = passes;
    ns.noDataStreak = noData;
    return ns;
  }

  /** Each streak is capped at {@code cap}: past it, a long soak or hold writes nothing a tick. */
  @ParameterizedTest(name = "{0} after a={1} pass={2} noData={3}, caps {7}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # results               | a fails | passes | no data | a fails after | passes after | no data after | cap
          a:PASS b:PASS            | 0       | 2      | 0       | 0             | 3            | 0             | 9
          a:FAIL b:PASS            | 2       | 5      | 0       | 3             | 0            | 0             | 9
          a:FAIL b:PASS            | 0       | 0      | 0       | 1             | 0            | 0             | 9
          a:PASS b:FAIL            | 2       | 0      | 0       | 0             | 0            | 0             | 9
          a:NO_DATA b:PASS         | 2       | 4      | 3       | 0             | 0            | 4             | 9
          a:NO_DATA:critical:WindowTooShort b:PASS | 2 | 4 | 3 | 0           | 0            | 0             | 9
          a:ERROR b:PASS           | 1       | 4      | 3       | 0             | 0            | 0             | 9
          a:FAIL b:NO_DATA         | 1       | 0      | 0       | 2             | 0            | 1             | 9
          ' '                      | 1       | 4      | 2       | 0             | 0            | 0             | 9
          a:PASS b:PASS            | 0       | 3      | 0       | 0             | 3            | 0             | 3
          a:PASS b:PASS            | 0       | 2      | 0       | 0             | 3            | 0             | 3
          a:FAIL b:PASS            | 3       | 0      | 0       | 3             | 0            | 0             | 3
          a:FAIL b:NO_DATA         | 2       | 0      | 3       | 3             | 0            | 3             | 3
          a:HOLD b:PASS            | 2       | 4      | 3       | 0             | 0            | 0             | 9
          """)
  void countsEachStreakUpToItsCapAndResetsItOnAnyOtherResult(
      String results,
      int aFails,
      int passes,
      int noData,
      int aFailsAfter,
      int passesAfter,
      int noDataAfter,
      int cap) {
    TargetState ns = state(aFails, passes, noData);

    Streaks.count(ns, results(results), new Streaks.Caps(cap, cap, cap));

    assertThat(ns.failureStreaks.getOrDefault("a", 0)).as("failures of a").isEqualTo(aFailsAfter);
    assertThat(ns.passStreak).as("pass streak").isEqualTo(passesAfter);
    assertThat(ns.noDataStreak).as("no-data streak").isEqualTo(noDataAfter);
  }

  @ParameterizedTest(name = "{0} with a failing {1} ticks, failureLimit {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # results                | a fails | limit | breach
          a:FAIL:critical          | 3       | 3     | critical rule a failed 3 consecutive ticks: a FAIL
          a:FAIL:critical          | 2       | 3     |
          a:FAIL:critical          | 4       | 3     | critical rule a failed 4 consecutive ticks: a FAIL
          a:FAIL:warning           | 9       | 3     |
          a:FAIL:critical          | 1       | 1     | critical rule a failed 1 consecutive ticks: a FAIL
          """)
  void aBreachIsACriticalRuleFailingFailureLimitTicksInARow(
      String results, int aFails, int limit, String breach) {
    Cause cause = Streaks.breach(state(aFails, 0, 0), results(results), limit);

    if (breach == null) {
      assertThat(cause).isNull();
    } else {
      assertThat(cause).isEqualTo(new Cause(Reason.THRESHOLD_EXCEEDED, breach));
    }
  }

  @ParameterizedTest(name = "[{0}] holds for {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # results                                   | reason
          a:PASS b:PASS                                 |
          ' '                                           | NO_RULES
          a:NO_DATA b:PASS                              | NO_DATA
          a:FAIL:warning b:NO_DATA                      | THRESHOLD_EXCEEDED
          a:NO_DATA b:ERROR:critical:QueryFailed        | QUERY_FAILED
          a:NO_DATA b:ERROR:critical:PartialResponse    | PARTIAL_RESPONSE
          a:HOLD b:NO_DATA                              | GLOBAL_DEGRADATION
          a:HOLD b:PASS                                 | GLOBAL_DEGRADATION
          a:FAIL:warning b:ERROR:critical:PrometheusUnavailable | PROMETHEUS_UNAVAILABLE
          a:FAIL:critical b:PASS                        | THRESHOLD_EXCEEDED
          """)
  void theGateHoldsForTheFirstCauseItNames(String results, Reason reason) {
    Cause cause = Streaks.gateHold(state(1, 0, 0), results(results), 3);

    assertThat(cause == null ? null : cause.reason()).isEqualTo(reason);
  }
}

package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.value;
import static io.meshgate.gate.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gate over a timeline: each step judged as a tick, then the streaks over the steps. */
class ReplayTest {
  private static final Instant FROM = Instant.parse("2026-11-21T10:00:00Z");
  private static final Duration STEP = Duration.ofSeconds(30);

  /**
   * Replays error-rate for payments over one step per character: {@code .} healthy (0.001), {@code
   * X} failing (0.05), {@code -} no data.
   */
  private static Replay.Report replay(String timeline, int failureLimit, int passStreak) {
    Target target = new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev");
    Replay.Window window =
        new Replay.Window(FROM, FROM.plus(STEP.multipliedBy(timeline.length() - 1)), STEP);
    Replay.Plan plan =
        Replay.plan(List.of(ERROR_RATE), target, window, EvidenceWindows.unclipped());
    TreeMap<Long, Double> values = new TreeMap<>();
    TreeMap<Long, Double> volumes = new TreeMap<>();
    for (int i = 0; i < timeline.length(); i++) {
      long t = FROM.plus(STEP.multipliedBy(i)).getEpochSecond();
      char c = timeline.charAt(i);
      if (c != '-') {
        values.put(t, c == 'X' ? 0.05 : 0.001);
        volumes.put(t, 500.0);
      }
    }
    List<RangeResult.RangeSeries> series = new ArrayList<>();
    series.add(new RangeResult.RangeSeries(value("payments", 0).labels(), values));
    series.add(new RangeResult.RangeSeries(volume("payments", 0).labels(), volumes));
    Map<PlannedQuery, RangeResult> answers = new HashMap<>();
    plan.queries().forEach(q -> answers.put(q.query(), new RangeResult.Success(series)));
    return Replay.run(
        target, plan, answers, Map.of(), window, new Replay.Streaks(failureLimit, passStreak));
  }

  private static String at(Instant t) {
    return t == null ? "never" : Long.toString(Duration.between(FROM, t).dividedBy(STEP));
  }

  @ParameterizedTest(name = "[{0}] limit {1} streak {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # timeline      | failureLimit | passStreak | first rollback step | first promote step | outcome  | step verdicts
          ....            | 3            | 3          | never               | 2                  | PROMOTE  | PPPP
          ..X.X.X.        | 3            | 3          | never               | never              | HOLD     | PPRPRPRP
          ..XXX...        | 3            | 3          | 4                   | 7                  | ROLLBACK | PPRRRPPP
          XXX.....        | 3            | 3          | 2                   | 5                  | ROLLBACK | RRRPPPPP
          X-X-X-X-        | 1            | 3          | 0                   | never              | ROLLBACK | RHRHRHRH
          ..-..-..        | 3            | 3          | never               | never              | HOLD     | PPHPPHPP
          ..-...          | 3            | 3          | never               | 5                  | PROMOTE  | PPHPPP
          ..XX.XX.        | 3            | 2          | never               | 1                  | PROMOTE  | PPRRPRRP
          """)
  void appliesTheStreaksOfAMigrationOverTheTimeline(
      String timeline,
      int failureLimit,
      int passStreak,
      String rollback,
      String promote,
      Verdict outcome,
      String verdicts) {
    Replay.Report report = replay(timeline, failureLimit, passStreak);

    Replay.Timeline payments = report.namespaces().get(0);
    assertThat(at(payments.firstRollback())).isEqualTo(rollback);
    assertThat(at(payments.firstPromote())).isEqualTo(promote);
    assertThat(payments.outcome()).isEqualTo(outcome);
    assertThat(report.verdict()).isEqualTo(outcome);
    StringBuilder each = new StringBuilder();
    payments.steps().forEach(s -> each.append(s.verdict().name().charAt(0)));
    assertThat(each.toString()).as("each step is that single tick's verdict").isEqualTo(verdicts);
  }

  @Test
  void aRangeQueryThatFailedMakesEveryStepAnErrorThatHolds() {
    Target target = new Target(List.of("payments"), "1-20-0", null, "istio_io_rev");
    Replay.Window window = new Replay.Window(FROM, FROM.plusSeconds(60), STEP);
    Replay.Plan plan =
        Replay.plan(List.of(ERROR_RATE), target, window, EvidenceWindows.unclipped());
    Map<PlannedQuery, RangeResult> answers = new HashMap<>();
    plan.queries()
        .forEach(
            q ->
                answers.put(
                    q.query(),
                    new RangeResult.Failure(
                        new QueryResult.Failure("timeout", "query timed out", true))));

    Replay.Report report =
        Replay.run(target, plan, answers, Map.of(), window, new Replay.Streaks(3, 3));

    assertThat(report.namespaces().get(0).steps())
        .hasSize(3)
        .allSatisfy(
            s -> assertThat(s.reason()).startsWith("prometheus unavailable for error-rate"));
    assertThat(report.verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void aWindowCountsItsStepsAndRefusesNonsense() {
    assertThat(new Replay.Window(FROM, FROM.plus(Duration.ofHours(24)), STEP).steps())
        .isEqualTo(2881);
    assertThatThrownBy(() -> new Replay.Window(FROM, FROM.minusSeconds(1), STEP))
        .hasMessageContaining("is before from");
    assertThatThrownBy(() -> new Replay.Window(FROM, FROM, Duration.ZERO))
        .hasMessageContaining("step must be positive");
  }
}

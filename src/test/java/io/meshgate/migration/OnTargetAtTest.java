package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.EvidenceWindows;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: {@code onTargetAt}, the start of a namespace's evidence, is recorded when its rollouts
 * are complete with every proxy on the target, cleared when a proxy leaves it, set again once it is
 * rolled back; waiting for the evidence window neither stalls nor notifies.
 */
class OnTargetAtTest {
  private static final Instant EARLIER = OneTick.NOW.minus(Duration.ofMinutes(10));

  private static OneTick given(TargetPhase phase, Instant onTargetAt, int passStreak) {
    OneTick tick =
        new OneTick(
            FakeWorld.spec(List.of(FakeWorld.wave("one", Duration.ZERO, 1, false, "payments"))));
    tick.ns("payments", "one", phase).evidence("payments", onTargetAt, passStreak, Map.of());
    return tick;
  }

  private static Observed.TargetFacts proxies(boolean rolledOut, Map<String, Integer> census) {
    return new Observed.TargetFacts(true, true, 2, 2, rolledOut ? 2 : 1, false, census);
  }

  private static TargetStatus after(OneTick tick) {
    return MigrationMachine.decide(tick.input()).status().namespace("payments").orElseThrow();
  }

  private static RuleResult waiting(String rule) {
    return new RuleResult(
        rule,
        Severity.CRITICAL,
        Result.NO_DATA,
        null,
        null,
        null,
        "q",
        EvidenceWindows.REASON,
        "window since rollout 30s < 1m");
  }

  @Test
  void isRecordedWhenTheRolloutsAreCompleteAndEveryProxyIsOnTheTarget() {
    OneTick tick = given(TargetPhase.Verifying, null, 0);
    tick.facts("payments", proxies(true, Map.of(FakeWorld.TO, 4)));

    TargetStatus ns = after(tick);

    assertThat(ns.onTargetAt()).isEqualTo(OneTick.NOW);
    assertThat(ns.phase()).isEqualTo(TargetPhase.Soaking);
  }

  @Test
  void waitsWhileARolloutIsStillInProgress() {
    OneTick tick = given(TargetPhase.Restarting, null, 0);
    tick.facts("payments", proxies(false, Map.of(FakeWorld.TO, 4)));

    assertThat(after(tick).onTargetAt()).isNull();
  }

  @Test
  void waitsWhileAProxyIsStillOnTheOldRevision() {
    OneTick tick = given(TargetPhase.Verifying, null, 0);
    tick.facts("payments", proxies(true, Map.of(FakeWorld.TO, 3, FakeWorld.FROM, 1)));

    assertThat(after(tick).onTargetAt()).isNull();
  }

  @Test
  void staysWhileTheNamespaceStaysOnTheTarget() {
    OneTick tick = given(TargetPhase.Soaking, EARLIER, 1);
    tick.facts("payments", proxies(true, Map.of(FakeWorld.TO, 4)));
    tick.gate.put("payments", FakeWorld.passing());

    TargetStatus ns = after(tick);

    assertThat(ns.onTargetAt()).isEqualTo(EARLIER);
    assertThat(ns.passStreak()).isEqualTo(2);
  }

  @Test
  void aProxyBackOnTheOldRevisionResetsItAndThePassesCountedOnIt() {
    OneTick tick = given(TargetPhase.Soaking, EARLIER, 2);
    // a workload rolled back by hand: its pods churn to the old revision
    tick.facts("payments", proxies(true, Map.of(FakeWorld.TO, 3, FakeWorld.FROM, 1)));
    tick.gate.put("payments", FakeWorld.passing());

    TargetStatus ns = after(tick);

    assertThat(ns.onTargetAt()).isNull();
    assertThat(ns.passStreak()).isZero();
    assertThat(ns.phase()).isNotEqualTo(TargetPhase.Soaking);
  }

  @Test
  void isClearedByARollbackAndSetAgainOnceEveryProxyIsBackOnTheOldRevision() {
    OneTick failing = given(TargetPhase.Soaking, EARLIER, 0);
    failing.facts("payments", proxies(true, Map.of(FakeWorld.TO, 4)));
    failing.gate.put("payments", FakeWorld.failing("error-rate", Severity.CRITICAL));
    failing.evidence("payments", EARLIER, 0, Map.of("error-rate", 2));

    TargetStatus rollingBack = after(failing);

    assertThat(rollingBack.phase()).isEqualTo(TargetPhase.RollingBack);
    assertThat(rollingBack.onTargetAt()).isNull();

    OneTick back = given(TargetPhase.RollingBack, null, 0);
    back.facts(
        "payments",
        new Observed.TargetFacts(true, false, 2, 2, 2, false, Map.of(FakeWorld.FROM, 4)));

    TargetStatus rolledBack = after(back);

    assertThat(rolledBack.phase()).isEqualTo(TargetPhase.RolledBack);
    assertThat(rolledBack.onTargetAt()).isEqualTo(OneTick.NOW);
  }

  @Test
  void waitingForTheWindowHoldsQuietlyAndDoesNotCountTowardsStalled() {
    OneTick tick = given(TargetPhase.Soaking, OneTick.NOW.minusSeconds(30), 0);
    tick.facts("payments", proxies(true, Map.of(FakeWorld.TO, 4)));
    tick.gate.put("payments", List.of(waiting("error-rate"), waiting("p99-latency")));

    Decision decision = MigrationMachine.decide(tick.input());
    TargetStatus ns = decision.status().namespace("payments").orElseThrow();

    assertThat(ns.noDataStreak()).isZero();
    assertThat(ns.phase()).isEqualTo(TargetPhase.Soaking);
    assertThat(ns.lastVerdict().verdict()).isEqualTo(Verdict.HOLD);
    assertThat(ns.lastVerdict().reason())
        .isEqualTo("no data for error-rate, p99-latency: window since rollout 30s < 1m");
    assertThat(decision.holds()).as("nobody is told of the normal start of a soak").isEmpty();
  }
}

package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.FROM;
import static io.meshgate.migration.FakeWorld.TO;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pods an admission webhook refuses (an injector down under {@code failurePolicy: Fail}) are the
 * infrastructure's fault: the namespace holds naming the webhook, whatever the rollout reports and
 * however long it lasts, and goes on where it left off once the pods are admitted; a rollback holds
 * the same way and keeps its ROLLBACK verdict. No verdict on the revision comes of a refusal.
 */
class RefusedPodsHoldTest {
  private static final String NS = "payments";
  private static final String REFUSAL =
      "admission webhook rev.namespace.sidecar-injector.istio.io refuses the pods of Deployment"
          + " web (Internal error occurred: failed calling webhook"
          + " \"rev.namespace.sidecar-injector.istio.io\": connection refused)";

  /**
   * The namespace's two workloads restarted, {@code rolledOut} of them done, one past its progress
   * deadline when {@code failed}, its pods refused when {@code refused}.
   */
  private static Observed.TargetFacts facts(
      int rolledOut, boolean failed, boolean refused, Map<String, Integer> proxies) {
    return new Observed.TargetFacts(
        true,
        true,
        2,
        2,
        rolledOut,
        failed,
        proxies,
        Map.of(),
        List.of(),
        refused ? List.of(new Obstacle(Reason.PODS_REFUSED, REFUSAL)) : List.of());
  }

  /** One tick of the namespace in {@code phase} for {@code age} (restart.timeout is 10 minutes). */
  private static TickContext tick(
      TargetPhase phase, Duration age, Observed.TargetFacts facts, TargetStatus.Verdict last) {
    OneTick given =
        new OneTick(FakeWorld.spec(List.of(FakeWorld.wave("one", Duration.ZERO, 1, false, NS))));
    given.ns(NS, "one", phase);
    TargetStatus s = given.recorded.get(NS);
    given.recorded.put(
        NS,
        new TargetStatus(
            NS,
            "one",
            phase,
            OneTick.NOW.minus(age),
            s.baseline(),
            Map.of(),
            last,
            Map.of(),
            0,
            0,
            null,
            "istio-1-20/" + NS + (phase == TargetPhase.RollingBack ? "/2" : "/1"),
            null));
    // a rollback's labels are back already: it restarts and waits
    boolean flipped = phase != TargetPhase.RollingBack;
    given.facts(
        NS,
        new Observed.TargetFacts(
            true,
            flipped,
            facts.workloads(),
            facts.restarted(),
            facts.rolledOut(),
            facts.rolloutFailed(),
            facts.proxiesByRevision(),
            Map.of(),
            List.of(),
            facts.obstacles()));
    given.gate.put(NS, FakeWorld.passing());
    TickContext tick = given.context();
    new TargetSteps(tick).step(tick.targets.get(NS));
    return tick;
  }

  @ParameterizedTest(name = "{0} for {1}")
  @CsvSource({
    "Restarting, PT1M",
    // refused beyond restart.timeout: still a hold, never RolloutTimeout
    "Restarting, PT1H",
    "Held, PT1H",
  })
  void refusedPodsHoldTheRolloutNamingTheWebhook(TargetPhase phase, Duration age) {
    TickContext tick = tick(phase, age, facts(1, false, true, Map.of(TO, 1, FROM, 2)), null);

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(TargetPhase.Held);
    assertThat(ns.lastVerdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(ns.lastVerdict.reason()).isEqualTo("PodsRefused: " + REFUSAL);
    assertThat(tick.holds).extracting(Decision.Hold::reason).containsExactly(Reason.PODS_REFUSED);
    assertThat(tick.actions)
        .as("the restart stays asked for; nothing goes back")
        .allMatch(a -> a instanceof Action.Restart);
  }

  /**
   * The observation never reports a refused Deployment as failed (its deadline is the refusal's
   * doing): a failed rollout beside a refusal is another workload's, a regression of the revision.
   */
  @Test
  void aRolloutFailedBesideRefusedPodsStillRollsBack() {
    TickContext tick =
        tick(
            TargetPhase.Restarting,
            Duration.ofMinutes(1),
            facts(1, true, true, Map.of(TO, 1, FROM, 2)),
            null);

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(TargetPhase.RollingBack);
    assertThat(ns.lastVerdict.reason()).isEqualTo("a rollout reported ProgressDeadlineExceeded");
  }

  @Test
  void withoutARefusalAProgressDeadlinePassedStillRollsBack() {
    TickContext tick =
        tick(
            TargetPhase.Restarting,
            Duration.ofMinutes(1),
            facts(1, true, false, Map.of(TO, 1, FROM, 2)),
            null);

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(TargetPhase.RollingBack);
    assertThat(ns.lastVerdict.reason()).isEqualTo("a rollout reported ProgressDeadlineExceeded");
  }

  @Test
  void aHoldForRefusedPodsIsSaidOnceNotEveryTick() {
    TickContext first =
        tick(
            TargetPhase.Restarting,
            Duration.ofMinutes(1),
            facts(1, false, true, Map.of(TO, 1, FROM, 2)),
            null);
    TargetStatus held = first.targets.get(NS).toStatus();

    TickContext second =
        tick(
            TargetPhase.Held,
            Duration.ofMinutes(30),
            facts(1, false, true, Map.of(TO, 1, FROM, 2)),
            held.lastVerdict());

    assertThat(first.holds).hasSize(1);
    assertThat(second.holds).as("the same hold, not said again").isEmpty();
    assertThat(second.targets.get(NS).phase).isEqualTo(TargetPhase.Held);
  }

  @Test
  void admittedAgainTheRolloutGoesOnWithItsClockStartedAgain() {
    TickContext tick =
        tick(
            TargetPhase.Held,
            Duration.ofHours(1),
            facts(1, false, false, Map.of(TO, 2, FROM, 1)),
            null);

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(TargetPhase.Restarting);
    assertThat(ns.phaseSince).isEqualTo(OneTick.NOW);
    assertThat(ns.lastVerdict.reason()).isEqualTo("rollout in progress: 1/2 workloads rolled out");
    assertThat(tick.holds).isEmpty();
  }

  @Test
  void admittedAgainAndRolledOutTheGatesDecideAsUsual() {
    TickContext tick =
        tick(TargetPhase.Held, Duration.ofHours(1), facts(2, false, false, Map.of(TO, 3)), null);

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(TargetPhase.Soaking);
    assertThat(ns.lastVerdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(ns.lastVerdict.reason()).startsWith("soaking: ");
  }

  @ParameterizedTest(name = "rolling back for {0}")
  @CsvSource({"PT1M", "PT1H"})
  void aRollbackWhosePodsAreRefusedHoldsKeepingItsVerdict(Duration age) {
    TickContext tick =
        tick(
            TargetPhase.RollingBack,
            age,
            facts(1, false, true, Map.of(TO, 2, FROM, 1)),
            new TargetStatus.Verdict(Verdict.ROLLBACK, "ThresholdExceeded", OneTick.NOW));

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(TargetPhase.RollingBack);
    assertThat(ns.lastVerdict.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(ns.lastVerdict.reason())
        .isEqualTo("cannot finish the rollback: PodsRefused: " + REFUSAL);
    assertThat(tick.holds).extracting(Decision.Hold::reason).containsExactly(Reason.PODS_REFUSED);
  }

  @Test
  void admittedAgainTheRollbackEnds() {
    TickContext tick =
        tick(
            TargetPhase.RollingBack,
            Duration.ofHours(1),
            facts(2, false, false, Map.of(FROM, 3)),
            new TargetStatus.Verdict(
                Verdict.ROLLBACK,
                "cannot finish the rollback: PodsRefused: " + REFUSAL,
                OneTick.NOW));

    assertThat(tick.targets.get(NS).phase).isEqualTo(TargetPhase.RolledBack);
  }
}

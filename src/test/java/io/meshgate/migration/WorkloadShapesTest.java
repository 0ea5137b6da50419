package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.FROM;
import static io.meshgate.migration.FakeWorld.TO;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a namespace does when its pods cannot all be moved by a rollout: a paused Deployment, a
 * partition, a disruption budget, pods nothing restarts, pods of Jobs. It holds saying why, at once
 * for an obstacle and after {@code restart.timeout} for what may still pass by itself; never a
 * silent wait, never a rollback of a healthy namespace for a shape it cannot move.
 */
class WorkloadShapesTest {
  private static final String NS = "payments";

  /**
   * Facts from words: {@code workloads=N rolledOut=N proxies=TO:n,FROM:n jobs=FROM:n unmanaged=N
   * paused partitioned budget}.
   */
  private static Observed.TargetFacts facts(String spec, boolean flipped) {
    List<String> words = Arrays.asList(spec.trim().split(" +"));
    int workloads = intOf(words, "workloads", 2);
    List<Obstacle> obstacles = new ArrayList<>();
    if (words.contains("paused")) {
      obstacles.add(new Obstacle(Reason.WORKLOAD_PAUSED, "Deployment api is paused"));
    }
    if (words.contains("partitioned")) {
      obstacles.add(new Obstacle(Reason.PARTITIONED_STATEFUL_SET, "StatefulSet db holds db-0"));
    }
    if (words.contains("budget")) {
      obstacles.add(new Obstacle(Reason.DISRUPTION_BUDGET, "eviction of pod db-1 refused"));
    }
    List<String> unmanaged =
        IntStream.range(0, intOf(words, "unmanaged", 0))
            .mapToObj(i -> String.format("bare-%02d", i))
            .toList();
    return new Observed.TargetFacts(
        true,
        flipped,
        workloads,
        workloads,
        intOf(words, "rolledOut", workloads),
        false,
        counts(words, "proxies"),
        counts(words, "jobs"),
        unmanaged,
        obstacles);
  }

  private static Map<String, Integer> counts(List<String> words, String key) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    words.stream()
        .filter(w -> w.startsWith(key + "="))
        .flatMap(w -> Arrays.stream(w.substring(key.length() + 1).split(",")))
        .map(p -> p.split(":"))
        .forEach(p -> counts.put(p[0].equals("TO") ? TO : FROM, Integer.parseInt(p[1])));
    return counts;
  }

  private static int intOf(List<String> words, String key, int otherwise) {
    return words.stream()
        .filter(w -> w.startsWith(key + "="))
        .map(w -> Integer.parseInt(w.substring(key.length() + 1)))
        .findFirst()
        .orElse(otherwise);
  }

  private static MigrationSpec spec(boolean evictUnmanaged) {
    MigrationSpec s = FakeWorld.spec(List.of(FakeWorld.wave("one", Duration.ZERO, 1, false, NS)));
    MigrationSpec.Restart restart =
        new MigrationSpec.Restart(
            WorkloadKind.BUILT_IN,
            5,
            Duration.ofMinutes(10),
            MigrationSpec.Partitioned.Hold,
            evictUnmanaged);
    return new MigrationSpec(
        s.fromRevision(),
        s.toRevision(),
        s.waves(),
        s.gates(),
        s.interval(),
        s.failureLimit(),
        s.passStreak(),
        s.noDataLimit(),
        s.baselineWindow(),
        s.onFailure(),
        s.rollbackScope(),
        s.maxRollbacks(),
        restart,
        s.window(),
        s.paused(),
        s.dryRun(),
        s.tag());
  }

  /** One tick of a namespace in {@code phase} for {@code age} (restart.timeout is 10 minutes). */
  private static TickContext tick(
      TargetPhase phase, String facts, Duration age, boolean evictUnmanaged) {
    OneTick given = new OneTick(spec(evictUnmanaged));
    given.ns(NS, "one", phase);
    TargetStatus recorded = given.recorded.get(NS);
    given.recorded.put(
        NS,
        new TargetStatus(
            NS,
            "one",
            phase,
            OneTick.NOW.minus(age),
            recorded.baseline(),
            Map.of(),
            null,
            Map.of(),
            0,
            0,
            null,
            "istio-1-20/" + NS + (phase == TargetPhase.RollingBack ? "/2" : "/1"),
            OneTick.wasOnTarget(phase) ? OneTick.NOW.minus(age) : null));
    // a rollback's labels are back already: it restarts and waits
    given.facts(NS, facts(facts, phase != TargetPhase.RollingBack));
    given.gate.put(NS, FakeWorld.passing());
    TickContext tick = given.context();
    new TargetSteps(tick).step(tick.targets.get(NS));
    return tick;
  }

  @ParameterizedTest(name = "{0} [{1}] for {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # phase    | facts                                           | age  | evict | to          | verdict  | verdict starts with                                 | hold                     | actions
          # an obstacle holds at once (phase Held), and keeps a timed-out restart from rolling back
          Restarting  | rolledOut=1 paused proxies=TO:2,FROM:2          | PT1M | false | Held        | HOLD     | WorkloadPaused: Deployment api is paused            | WORKLOAD_PAUSED          | Restart
          Restarting  | rolledOut=1 paused proxies=TO:2,FROM:2          | PT1H | false | Held        | HOLD     | WorkloadPaused: Deployment api is paused            | WORKLOAD_PAUSED          | Restart
          Restarting  | rolledOut=1 budget proxies=TO:2,FROM:2          | PT1H | false | Held        | HOLD     | DisruptionBudget: eviction of pod db-1 refused      | DISRUPTION_BUDGET        | Restart
          Restarting  | rolledOut=1 proxies=TO:2,FROM:2                 | PT1H | false | RollingBack | ROLLBACK | rollout not complete after 10m                      | -                        | RestoreLabels
          # a partition completes the rollout by kubectl's rule, then holds
          Restarting  | partitioned proxies=TO:2,FROM:1                 | PT1M | false | Held        | HOLD     | PartitionedStatefulSet: StatefulSet db holds db-0   | PARTITIONED_STATEFUL_SET | Restart
          # held for its shape: until the cause is gone, however long; then back where it was
          Held        | rolledOut=1 paused proxies=TO:2,FROM:2          | PT1H | false | Held        | HOLD     | WorkloadPaused: Deployment api is paused            | WORKLOAD_PAUSED          | Restart
          Held        | rolledOut=1 proxies=TO:2,FROM:2                 | PT1H | false | Restarting  | HOLD     | rollout in progress: 1/2 workloads rolled out       | -                        | Restart
          Held        | unmanaged=1 proxies=TO:4,FROM:1                 | PT1H | false | Held        | HOLD     | UnmanagedPods: 1 pod that no workload               | UNMANAGED_PODS           | ' '
          Held        | proxies=TO:4,FROM:1                             | PT1H | false | Held        | HOLD     | NotConverged: 1 proxies still not on 1-20-0         | NOT_CONVERGED            | ' '
          Held        | proxies=TO:4                                    | PT1H | false | Soaking     | HOLD     | soaking: 0/3 passing ticks                          | -                        | ' '
          # pods nothing restarts: waited for until restart.timeout, then named
          Verifying   | unmanaged=2 proxies=TO:4,FROM:2                 | PT1M | false | Verifying   | HOLD     | 2 proxies still on another revision than 1-20-0     | -                        | ' '
          Verifying   | unmanaged=2 proxies=TO:4,FROM:2                 | PT1H | false | Held        | HOLD     | UnmanagedPods: 2 pods that no workload              | UNMANAGED_PODS           | ' '
          Verifying   | unmanaged=2 proxies=TO:4,FROM:2                 | PT1M | true  | Verifying   | HOLD     | 2 proxies still on another revision than 1-20-0     | -                        | Restart
          Verifying   | unmanaged=2 proxies=TO:4,FROM:2                 | PT1H | true  | Held        | HOLD     | UnmanagedPods: 2 pods that no workload              | UNMANAGED_PODS           | Restart
          Verifying   | proxies=TO:4,FROM:1                             | PT1H | false | Held        | HOLD     | NotConverged: 1 proxies still not on 1-20-0         | NOT_CONVERGED            | ' '
          # a long soak is not a timeout
          Soaking     | proxies=TO:4                                    | PT1H | false | Soaking     | HOLD     | soaking: 1/3 passing ticks                          | -                        | ' '
          # pods of Jobs are not waited for
          Verifying   | proxies=TO:4 jobs=FROM:2                        | PT1M | false | Soaking     | HOLD     | soaking: 0/3 passing ticks                          | -                        | ' '
          # a rollback that cannot finish says why, and keeps its ROLLBACK verdict
          RollingBack | unmanaged=1 proxies=TO:1,FROM:4                 | PT1H | false | RollingBack | ROLLBACK | cannot finish the rollback: UnmanagedPods: 1 pod    | UNMANAGED_PODS           | ' '
          RollingBack | rolledOut=1 proxies=TO:2,FROM:2                 | PT1H | false | RollingBack | ROLLBACK | cannot finish the rollback: RolloutTimeout: 1/2     | ROLLOUT_TIMEOUT          | Restart
          RollingBack | rolledOut=1 budget proxies=TO:2,FROM:2          | PT1M | false | RollingBack | ROLLBACK | cannot finish the rollback: DisruptionBudget        | DISRUPTION_BUDGET        | Restart
          RollingBack | proxies=FROM:4 jobs=TO:3                        | PT1M | false | RolledBack  | -        | -                                                   | -                        | ' '
          """)
  void holdsSayingWhy(
      TargetPhase phase,
      String facts,
      Duration age,
      boolean evictUnmanaged,
      TargetPhase to,
      Verdict verdict,
      String verdictStart,
      Reason hold,
      String actions) {
    TickContext tick = tick(phase, facts, age, evictUnmanaged);

    TargetState ns = tick.targets.get(NS);
    assertThat(ns.phase).isEqualTo(to);
    if (verdict != null) {
      assertThat(ns.lastVerdict.verdict()).isEqualTo(verdict);
      assertThat(ns.lastVerdict.reason()).startsWith(verdictStart);
    }
    assertThat(tick.holds)
        .extracting(Decision.Hold::reason)
        .containsExactlyElementsOf(hold == null ? List.of() : List.of(hold));
    assertThat(tick.actions)
        .extracting(a -> a.getClass().getSimpleName())
        .containsExactlyElementsOf(actions.isBlank() ? List.of() : List.of(actions.split(" ")));
  }

  @Test
  void unmanagedPodsAreNamedTenAtMostAndCounted() {
    TickContext tick =
        tick(
            TargetPhase.Verifying, "unmanaged=13 proxies=TO:4,FROM:13", Duration.ofHours(1), false);

    String reason = tick.targets.get(NS).lastVerdict.reason();
    assertThat(reason)
        .startsWith("UnmanagedPods: 13 pods that no workload of restart.kinds owns did not move:")
        .contains("bare-00, bare-01", "bare-09 and 3 more", "restart.evictUnmanaged: true")
        .doesNotContain("bare-10");
  }

  @Test
  void aHoldIsSaidOnceNotEveryTick() {
    TickContext first =
        tick(TargetPhase.Restarting, "rolledOut=1 paused", Duration.ofHours(1), false);
    TargetStatus after = first.targets.get(NS).toStatus();
    OneTick again = new OneTick(spec(false));
    again.recorded.put(NS, after);
    again.facts(NS, facts("rolledOut=1 paused", true));
    again.gate.put(NS, FakeWorld.passing());
    TickContext second = again.context();

    new TargetSteps(second).step(second.targets.get(NS));

    assertThat(first.holds).hasSize(1);
    assertThat(second.holds).as("the same hold, not said again").isEmpty();
    assertThat(second.targets.get(NS).lastVerdict).isEqualTo(after.lastVerdict());
  }

  @Test
  void jobPodsOnAnotherRevisionAreShownApart() {
    Observed.TargetFacts facts = facts("proxies=TO:4 jobs=FROM:2,TO:1", true);

    assertThat(facts.proxies(TO)).isEqualTo(new TargetStatus.Proxies(4, 0, 2));
  }

  @Test
  void aStaleSidecarIsOneOffTheGoal() {
    assertThat(SidecarGoal.onto(TO).stale(FROM)).isTrue();
    assertThat(SidecarGoal.onto(TO).stale(TO)).isFalse();
    assertThat(SidecarGoal.offOf(TO).stale(TO)).isTrue();
    assertThat(SidecarGoal.offOf(TO).stale("default")).isFalse();
    assertThat(SidecarGoal.onto(TO).stale(null)).as("no sidecar: nothing to move").isFalse();
    assertThat(SidecarGoal.of(TargetPhase.RollingBack, TO)).isEqualTo(SidecarGoal.offOf(TO));
    assertThat(SidecarGoal.of(TargetPhase.Verifying, TO)).isEqualTo(SidecarGoal.onto(TO));
  }
}

package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.failing;
import static io.meshgate.migration.FakeWorld.noData;
import static io.meshgate.migration.FakeWorld.passing;
import static io.meshgate.migration.FakeWorld.spec;
import static io.meshgate.migration.FakeWorld.wave;
import static io.meshgate.migration.TargetPhase.Held;
import static io.meshgate.migration.TargetPhase.Migrating;
import static io.meshgate.migration.TargetPhase.Pending;
import static io.meshgate.migration.TargetPhase.Promoted;
import static io.meshgate.migration.TargetPhase.Restarting;
import static io.meshgate.migration.TargetPhase.RolledBack;
import static io.meshgate.migration.TargetPhase.RollingBack;
import static io.meshgate.migration.TargetPhase.Skipped;
import static io.meshgate.migration.TargetPhase.Soaking;
import static io.meshgate.migration.TargetPhase.Stalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationMachineTest {
  private static final Duration SOAK = Duration.ofMinutes(2);

  private static FakeWorld threeWaves() {
    MigrationSpec spec =
        spec(
            List.of(
                wave("test", SOAK, 1, false, "test"),
                wave("stage", SOAK, 2, false, "stage-a", "stage-b"),
                wave("prod", SOAK, 1, false, "prod")));
    return new FakeWorld(spec, "test", "stage-a", "stage-b", "prod");
  }

  @Test
  void threeWaveMigrationPromotesEveryNamespaceWaveByWave() {
    FakeWorld world = threeWaves();

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.status.namespaces()).extracting(TargetStatus::phase).containsOnly(Promoted);
    assertThat(world.status.promoted()).isEqualTo("4/4");
    List<String> promotions =
        world.transitions.stream()
            .filter(t -> t.to() == Promoted && t.namespace() != null)
            .map(Decision.Transition::namespace)
            .toList();
    assertThat(promotions.get(0)).isEqualTo("test");
    assertThat(promotions.subList(1, 3)).containsExactlyInAnyOrder("stage-a", "stage-b");
    assertThat(promotions.get(3)).isEqualTo("prod");
    int prodStart = indexOf(world, "prod", "Migrating");
    int lastStagePromotion =
        Math.max(indexOf(world, "stage-a", "Promoted"), indexOf(world, "stage-b", "Promoted"));
    assertThat(prodStart)
        .as("a wave starts only when the previous one is all promoted")
        .isGreaterThan(lastStagePromotion);
    assertThat(world.status.conditions())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo("OldRevisionUnused");
              assertThat(c.status()).isEqualTo("True");
            });
  }

  private static int indexOf(FakeWorld world, String ns, String to) {
    for (int i = 0; i < world.transitions.size(); i++) {
      Decision.Transition t = world.transitions.get(i);
      if (ns.equals(t.namespace()) && to.equals(t.to().name())) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void capturesTheBaselineBeforeFlippingAndRestartsAfter() {
    FakeWorld world = threeWaves();

    world.runTicks(3);

    assertThat(world.executed.subList(0, 3))
        .containsExactly(
            new Action.CaptureBaseline("test"),
            new Action.Flip("test"),
            new Action.Restart("test", "istio-1-20/test/1", SidecarGoal.onto(FakeWorld.TO)));
    assertThat(world.ns("test").baseline()).containsEntry("p99-latency", 87.0);
  }

  /** The demo's 20s baseline window was shown as "0m". */
  @Test
  void holdReasonNamesTheBaselineWindowExactlyEvenUnderAMinute() {
    MigrationSpec s = spec(List.of(wave("all", SOAK, 1, false, "a")));
    MigrationSpec shortWindow =
        new MigrationSpec(
            s.fromRevision(),
            s.toRevision(),
            s.waves(),
            s.gates(),
            s.interval(),
            s.failureLimit(),
            s.passStreak(),
            s.noDataLimit(),
            Duration.ofSeconds(20),
            s.onFailure(),
            s.rollbackScope(),
            s.maxRollbacks(),
            s.restart(),
            s.window(),
            s.paused(),
            s.dryRun(),
            s.tag());
    FakeWorld world = new FakeWorld(shortWindow, "a");

    world.tick();

    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo("capturing the baseline over 20s before the flip");
  }

  @Test
  void maxConcurrentLimitsNamespacesInFlightPerWave() {
    MigrationSpec spec = spec(List.of(wave("all", SOAK, 2, false, "a", "b", "c", "d")));
    FakeWorld world = new FakeWorld(spec, "a", "b", "c", "d");

    for (int i = 0; i < 40; i++) {
      world.tick();
      long inFlight =
          world.status.namespaces().stream().filter(n -> n.phase().isInFlight()).count();
      assertThat(inFlight).isLessThanOrEqualTo(2);
    }
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void criticalFailuresRollBackOnlyAfterFailureLimitConsecutiveTicks() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);
    world.runTicks(2);
    assertThat(world.ns("test").failureStreaks()).containsEntry("error-rate", 2);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo("critical rule error-rate failed (2/3 consecutive): error-rate FAIL");

    world.gate = (ns, tick) -> passing();
    world.tick();
    assertThat(world.ns("test").failureStreaks()).as("a pass breaks the streak").isEmpty();

    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);
    world.runTicks(2);
    assertThat(world.phase("test")).isEqualTo(Soaking);
    world.tick();

    assertThat(world.phase("test")).isIn(RollingBack, RolledBack);
    assertThat(world.ns("test").lastVerdict().verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo("critical rule error-rate failed 3 consecutive ticks: error-rate FAIL");
  }

  @Test
  void rollbackRestoresLabelsRestartsAndVerifiesTheCensus() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(8);

    assertThat(world.phase("test")).isEqualTo(RolledBack);
    assertThat(world.ns("test").failureStreaks()).as("no longer judged").isEmpty();
    assertThat(world.ns("test").lastVerdict().reason()).startsWith("critical rule error-rate");
    assertThat(world.flipped.get("test")).isFalse();
    assertThat(world.executed)
        .contains(
            new Action.RestoreLabels("test"),
            new Action.Restart("test", "istio-1-20/test/2", SidecarGoal.offOf(FakeWorld.TO)));
    assertThat(world.ns("test").proxies().target()).isZero();
  }

  @Test
  void warningFailureHoldsButNeverRollsBack() {
    FakeWorld world = threeWaves();
    world.gate = (ns, tick) -> failing("convergence-time", Severity.WARNING);

    world.runTicks(20);

    assertThat(world.phase("test")).isIn(TargetPhase.Verifying, Soaking);
    assertThat(world.ns("test").lastVerdict().reason())
        .startsWith("warning rule convergence-time failed");
    assertThat(world.status.namespaces())
        .extracting(TargetStatus::phase)
        .doesNotContain(Promoted, RollingBack);
  }

  @Test
  void missingDataNeverPromotesAndStallsAfterNoDataLimit() {
    FakeWorld world = threeWaves();
    world.gate = (ns, tick) -> noData();

    world.runTicks(16);

    assertThat(world.phase("test")).isEqualTo(Stalled);
    assertThat(world.ns("test").noDataStreak()).isGreaterThanOrEqualTo(10);
    assertThat(world.status.namespaces())
        .extracting(TargetStatus::phase)
        .doesNotContain(Promoted, RollingBack);

    world.gate = (ns, tick) -> passing();
    world.tick();
    assertThat(world.phase("test")).isEqualTo(Soaking);
  }

  @Test
  void prometheusOutageHoldsNeverPromotesNeverRollsBack() {
    FakeWorld world = threeWaves();
    world.gate =
        (ns, tick) ->
            List.of(
                FakeWorld.result("error-rate", Severity.CRITICAL, io.meshgate.gate.Result.ERROR));

    world.runTicks(30);

    assertThat(world.phase("test")).isIn(TargetPhase.Verifying, Soaking);
    assertThat(world.ns("test").lastVerdict().verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void onFailureHoldHoldsAndReleasesWhenTheRuleRecovers() {
    FakeWorld world = threeWaves();
    world.spec =
        FakeWorld.with(
            world.spec,
            MigrationSpec.OnFailure.Hold,
            MigrationSpec.RollbackScope.Namespace,
            1,
            false,
            false);
    world.runTicks(4);
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);
    world.runTicks(4);
    assertThat(world.phase("test")).isEqualTo(Held);

    world.gate = (ns, tick) -> passing();
    world.tick();

    assertThat(world.phase("test")).isEqualTo(Soaking);
  }

  @Test
  void fleetBrakePausesTheMigrationAfterMaxRollbacks() {
    MigrationSpec spec = spec(List.of(wave("all", SOAK, 2, false, "a", "b", "c")));
    FakeWorld world = new FakeWorld(spec, "a", "b", "c");
    world.gate =
        (ns, tick) ->
            ns.equals("a") && tick > 3 ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(40);

    assertThat(world.phase("a")).isEqualTo(RolledBack);
    assertThat(world.phase("c")).isEqualTo(Pending);
    assertThat(world.phase("b")).as("not promoted while the brake holds").isNotEqualTo(Promoted);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Paused);
    assertThat(world.status.conditions())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo("Paused");
              assertThat(c.reason()).isEqualTo("FleetBrake");
            });
  }

  /** Issue "Nothing a cluster sends can stop the daemon", point 9. */
  @Test
  void aMigrationWithNothingLeftToDoIsFailedEvenWhenItsLastRollbackEngagesTheBrake() {
    // one at a time: a is promoted, then b regresses and is the brake's first (and last) rollback
    MigrationSpec spec = spec(List.of(wave("all", SOAK, 1, false, "a", "b")));
    FakeWorld world = new FakeWorld(spec, "a", "b");
    world.gate =
        (ns, tick) -> ns.equals("b") ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(60);

    assertThat(world.phase("a")).isEqualTo(Promoted);
    assertThat(world.phase("b")).isEqualTo(RolledBack);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
  }

  /** Issue "Nothing a cluster sends can stop the daemon", point 6. */
  @Test
  void aNamespaceThatWasNeverCreatedIsSkippedAndItsWaveCompletesWithoutIt() {
    FakeWorld world = threeWaves();
    world.workloads.remove("stage-b");

    world.runTicks(60);

    assertThat(world.phase("stage-b")).isEqualTo(Skipped);
    assertThat(world.ns("stage-b").lastVerdict().reason())
        .isEqualTo("NamespaceNotFound: namespace stage-b does not exist");
    assertThat(world.phase("prod")).isEqualTo(Promoted);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.status.promoted()).isEqualTo("3/4");
    assertThat(world.transitions)
        .anySatisfy(
            t -> {
              assertThat(t.namespace()).isEqualTo("stage-b");
              assertThat(t.to()).isEqualTo(Skipped);
              assertThat(t.reason()).isEqualTo(Reason.NAMESPACE_NOT_FOUND);
            });
  }

  @Test
  void aNamespaceDeletedWhileInFlightIsSkippedAndTheWaveGoesOn() {
    FakeWorld world = threeWaves();
    world.runTicks(1);
    assertThat(world.phase("test")).isIn(Migrating, Restarting);
    world.workloads.remove("test");

    world.runTicks(60);

    assertThat(world.phase("test")).isEqualTo(Skipped);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.executed)
        .as("nothing is done to a namespace that is gone")
        .noneMatch(a -> a instanceof Action.RestoreLabels);
  }

  @Test
  void rollbackScopeMigrationRollsBackEveryNamespaceIncludingPromotedOnes() {
    FakeWorld world = threeWaves();
    world.spec =
        FakeWorld.with(
            world.spec,
            MigrationSpec.OnFailure.Rollback,
            MigrationSpec.RollbackScope.Migration,
            1,
            false,
            false);
    world.gate =
        (ns, tick) ->
            ns.startsWith("stage-a") ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(60);

    assertThat(world.status.namespaces())
        .filteredOn(n -> !n.name().equals("prod"))
        .extracting(TargetStatus::phase)
        .containsOnly(RolledBack);
    assertThat(world.phase("prod")).isEqualTo(Pending);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
  }

  @Test
  void pauseStopsStartsAndPromotionsButNotRollbacks() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.spec =
        FakeWorld.with(
            world.spec,
            MigrationSpec.OnFailure.Rollback,
            MigrationSpec.RollbackScope.Namespace,
            1,
            true,
            false);

    world.runTicks(20);
    assertThat(world.phase("test")).isEqualTo(Soaking);
    assertThat(world.ns("test").lastVerdict().reason()).isEqualTo("paused");
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Paused);

    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);
    world.runTicks(8);
    assertThat(world.phase("test")).isEqualTo(RolledBack);
  }

  @Test
  void waveWithRequireApprovalWaitsForItsApproval() {
    MigrationSpec spec =
        spec(List.of(wave("test", SOAK, 1, false, "test"), wave("prod", SOAK, 1, true, "prod")));
    FakeWorld world = new FakeWorld(spec, "test", "prod");

    world.runTicks(30);
    assertThat(world.phase("test")).isEqualTo(Promoted);
    assertThat(world.phase("prod")).isEqualTo(Pending);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.AwaitingApproval);
    assertThat(world.ns("prod").lastVerdict().reason()).isEqualTo("awaiting approval of wave prod");

    world.approved.add("prod");
    world.runTicks(30);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void abortRollsBackNamespacesInFlightAndFailsTheMigration() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.aborted = true;

    world.runTicks(6);

    assertThat(world.phase("test")).isEqualTo(RolledBack);
    assertThat(world.phase("prod")).isEqualTo(Pending);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(world.transitions)
        .anySatisfy(
            t -> {
              assertThat(t.namespace()).isNull();
              assertThat(t.reason()).isEqualTo(Reason.ABORTED);
            });
  }

  @Test
  void closedWindowStartsNothingButStillRollsBack() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.windowOpen = false;
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(10);

    assertThat(world.phase("test")).isEqualTo(RolledBack);
    assertThat(world.phase("stage-a")).isEqualTo(Pending);
  }

  @Test
  void closedWindowHoldsPendingNamespacesWithTheReason() {
    FakeWorld world = threeWaves();
    world.windowOpen = false;

    world.runTicks(3);

    assertThat(world.phase("test")).isEqualTo(Pending);
    assertThat(world.ns("test").lastVerdict().reason())
        .startsWith("OutsideWindow: outside the maintenance window 0 0 1 ? * MON-FRI (UTC)");
    assertThat(world.executed).isEmpty();
  }

  @Test
  void missingRollbackRevisionHoldsFlipsWithRevisionUnavailable() {
    FakeWorld world = threeWaves();
    world.fromAvailable = false;

    world.runTicks(3);

    assertThat(world.phase("test")).isEqualTo(Pending);
    assertThat(world.ns("test").lastVerdict().reason())
        .startsWith("RevisionUnavailable: istiod of rollback revision 1-19-0 is not Available");
    assertThat(world.executed).isEmpty();
  }

  @Test
  void missingRollbackRevisionBlocksTheRollbackLoudlyUntilItIsBack() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.fromAvailable = false;
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(5);
    assertThat(world.phase("test")).isEqualTo(RollingBack);
    assertThat(world.flipped.get("test")).isTrue();
    assertThat(world.ns("test").lastVerdict().reason())
        .startsWith("cannot roll back yet: RevisionUnavailable");

    world.fromAvailable = true;
    world.runTicks(3);
    assertThat(world.phase("test")).isEqualTo(RolledBack);
  }

  @Test
  void rolloutThatNeverCompletesRollsBackAfterTheTimeout() {
    FakeWorld world = threeWaves();
    world.stuck.add("test");

    world.runTicks(25);

    assertThat(world.transitions)
        .anySatisfy(
            t -> {
              assertThat(t.namespace()).isEqualTo("test");
              assertThat(t.reason()).isEqualTo(Reason.ROLLOUT_TIMEOUT);
            });
  }

  @Test
  void failedRolloutRollsBackAtOnce() {
    FakeWorld world = threeWaves();
    world.failing.add("test");

    world.runTicks(4);

    assertThat(world.transitions)
        .anySatisfy(t -> assertThat(t.reason()).isEqualTo(Reason.ROLLOUT_FAILED));
  }

  @Test
  void rollbackAlertForTheNamespaceRollsItBackAtOnce() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.alert("IstioHigh5xx", AlertAction.ROLLBACK, "test", null);

    world.tick();

    assertThat(world.phase("test")).isEqualTo(RollingBack);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo("alert IstioHigh5xx is firing for namespace test");
  }

  @Test
  void rollbackAlertForTheTargetRevisionRollsBackEveryNamespaceOnIt() {
    MigrationSpec spec = spec(List.of(wave("all", SOAK, 2, false, "a", "b", "c")));
    FakeWorld world = new FakeWorld(spec, "a", "b", "c");
    world.runTicks(4);
    world.alert("IstiodXdsRejects", AlertAction.ROLLBACK, null, FakeWorld.TO);

    world.tick();

    assertThat(world.phase("a")).isEqualTo(RollingBack);
    assertThat(world.phase("b")).isEqualTo(RollingBack);
    assertThat(world.phase("c")).isEqualTo(Pending);
  }

  @Test
  void holdAlertHoldsAndItsResolutionReleases() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.alert("IstioP99High", AlertAction.HOLD, "test", null);

    world.tick();
    assertThat(world.phase("test")).isEqualTo(Held);

    world.resolveAlerts();
    world.tick();
    assertThat(world.phase("test")).isEqualTo(Soaking);
  }

  @Test
  void dryRunDecidesAllTheWayWithoutNeedingTheClusterToChange() {
    FakeWorld world = threeWaves();
    world.spec =
        FakeWorld.with(
            world.spec,
            MigrationSpec.OnFailure.Rollback,
            MigrationSpec.RollbackScope.Namespace,
            1,
            false,
            true);

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.flipped).isEmpty();
    assertThat(world.restartIds).isEmpty();
  }

  @Test
  void soakMustElapseOnTopOfThePassStreak() {
    MigrationSpec spec = spec(List.of(wave("test", Duration.ofMinutes(10), 1, false, "test")));
    FakeWorld world = new FakeWorld(spec, "test");

    world.runTicks(12);
    assertThat(world.phase("test")).isEqualTo(Soaking);
    assertThat(world.ns("test").passStreak()).isEqualTo(spec.passStreak());
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo(
            "soaking until "
                + world.ns("test").phaseSince().plus(Duration.ofMinutes(10))
                + " (10m)");
    MigrationStatus soaking = world.status;
    world.runTicks(1);
    assertThat(world.status).as("a tick of the soak changes nothing to write").isEqualTo(soaking);

    world.runTicks(15);
    assertThat(world.phase("test")).isEqualTo(Promoted);
  }

  @Test
  void idleTickOfAFinishedMigrationChangesNothing() {
    FakeWorld world = threeWaves();
    world.runTicks(60);
    MigrationStatus finished = world.status;

    world.tick();

    assertThat(world.status).isEqualTo(finished);
  }

  @Test
  void resumesAfterACrashBetweenFlipAndStatusWrite() {
    FakeWorld world = threeWaves();
    world.runTicks(1);
    // the flip happened in the cluster, but the status still says Migrating
    world.flipped.put("test", true);

    world.tick();

    assertThat(world.phase("test")).isEqualTo(Restarting);
    assertThat(world.executed)
        .as("the flip is observed, not repeated")
        .doesNotContain(new Action.Flip("test"));
    assertThat(world.executed)
        .contains(new Action.Restart("test", "istio-1-20/test/1", SidecarGoal.onto(FakeWorld.TO)));
  }

  @Test
  void selectorMembersJoinTheirWave() {
    MigrationSpec spec =
        spec(
            List.of(
                new MigrationSpec.Wave("prod", List.of(), Map.of("env", "prod"), SOAK, 1, false)));
    FakeWorld world = new FakeWorld(spec, "shop", "billing");
    world.selected.put("prod", List.of("shop", "billing"));

    world.runTicks(40);

    assertThat(world.status.namespaces())
        .extracting(TargetStatus::name)
        .containsExactly("billing", "shop");
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void problemHoldsAreReportedOnceAndSoakProgressNever() {
    FakeWorld world = threeWaves();
    world.fromAvailable = false;

    List<Decision.Hold> first = world.tick().holds();
    List<Decision.Hold> second = world.tick().holds();

    assertThat(first)
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.namespace()).isEqualTo("test");
              assertThat(h.reason()).isEqualTo(Reason.REVISION_UNAVAILABLE);
            });
    assertThat(second).isEmpty();

    world.fromAvailable = true;
    List<Decision.Hold> progress = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      progress.addAll(world.tick().holds());
    }
    assertThat(progress)
        .as("capturing, flipping, restarting and soaking are progress, not holds")
        .isEmpty();
  }

  @Test
  void warningFailureIsReportedOnceWhileItLasts() {
    FakeWorld world = threeWaves();
    world.runTicks(4);
    world.gate = (ns, tick) -> failing("convergence-time", Severity.WARNING);

    List<Decision.Hold> holds = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      holds.addAll(world.tick().holds());
    }

    assertThat(holds)
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.reason()).isEqualTo(Reason.THRESHOLD_EXCEEDED);
              assertThat(h.message()).startsWith("warning rule convergence-time failed");
            });
  }
}

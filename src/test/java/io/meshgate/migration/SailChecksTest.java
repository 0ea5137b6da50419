package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.FROM;
import static io.meshgate.migration.FakeWorld.TO;
import static io.meshgate.migration.FakeWorld.wave;
import static io.meshgate.migration.TargetPhase.Pending;
import static io.meshgate.migration.TargetPhase.Promoted;
import static io.meshgate.migration.TargetPhase.Restarting;
import static io.meshgate.migration.TargetPhase.Soaking;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Sail Operator in the pure machine (issue 26, DESIGN.md section 12): a wave does not start
 * while Sail could prune the rollback target before the migration ends, while Sail moves workloads
 * itself, or while tag mode's tag follows an Istio; a Helm-owned tag is moved with a warning.
 */
class SailChecksTest {
  private static final String TAG = "prod";
  private static final Duration SOAK = Duration.ofMinutes(1);

  /** Tag mode on {@value #TAG}, from {@code FROM} to {@code TO}, waves test (a) and prod (b). */
  private static FakeWorld tagMode(Observed.TagWebhook tag) {
    MigrationSpec base =
        FakeWorld.spec(
            List.of(wave("test", SOAK, 1, false, "a"), wave("prod", SOAK, 1, false, "b")));
    MigrationSpec spec =
        new MigrationSpec(
            base.fromRevision(),
            base.toRevision(),
            base.waves(),
            base.gates(),
            base.interval(),
            base.failureLimit(),
            base.passStreak(),
            base.noDataLimit(),
            base.baselineWindow(),
            base.onFailure(),
            base.rollbackScope(),
            base.maxRollbacks(),
            base.restart(),
            null,
            false,
            false,
            new MigrationSpec.Tag(TAG, null));
    FakeWorld world = new FakeWorld(spec, "a", "b");
    world.tags.put(TAG, tag);
    world.followingTag.addAll(List.of("a", "b"));
    return world;
  }

  private static Observed.TagWebhook sailTag(String kind, String target) {
    return new Observed.TagWebhook(FROM, null, null, new Observed.SailTag(kind, target), false);
  }

  private static Observed.Sail grace(long seconds) {
    return new Observed.Sail(
        new Observed.SailRevision("default", false, seconds, false),
        new Observed.SailRevision("default", true, seconds, false),
        null);
  }

  @Test
  void theRequiredGracePeriodIsTheRemainingSoaksPlusRestartTimeoutPassStreakIntervalsAndAMinute() {
    MigrationSpec spec = tagMode(sailTag("IstioRevision", FROM)).spec;

    // 60 + 60 soaks, restart.timeout 600, passStreak 3 x interval 30, margin 60
    assertThat(SailChecks.requiredGracePeriod(spec, "test")).isEqualTo(Duration.ofSeconds(870));
    assertThat(SailChecks.requiredGracePeriod(spec, "prod")).isEqualTo(Duration.ofSeconds(810));
  }

  @Test
  void
      aGracePeriodShorterThanTheRemainingSoakHoldsBeforeAnyChangeNamingTheSettingAndTheSafeValue() {
    FakeWorld world = tagMode(sailTag("IstioRevision", FROM));
    world.sail = grace(30);

    world.runTicks(5);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Pending);
    assertThat(world.phase("a")).isEqualTo(Pending);
    assertThat(world.executed).as("nothing changed").isEmpty();
    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo(
            "RollbackTargetMayBePruned: Sail may delete rollback revision 1-19-0 before the"
                + " migration ends: Istio default has"
                + " spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds 30, and a"
                + " rollback may need 1-19-0 for 870s after the last namespace left it (soak of"
                + " waves test 60s + prod 60s, restart.timeout 600s, passStreak 3 x interval 30s,"
                + " 60s margin); set it to at least 870: kubectl patch istio default --type merge"
                + " -p '{\"spec\":{\"updateStrategy\":"
                + "{\"inactiveRevisionDeletionGracePeriodSeconds\":870}}}' (meshgate never edits"
                + " the Istio)");
  }

  @Test
  void aLongEnoughGracePeriodLetsTheMigrationRunToTheEnd() {
    FakeWorld world = tagMode(sailTag("IstioRevision", FROM));
    world.sail = grace(870);

    world.runTicks(40);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.executed).contains(new Action.MoveTag(TAG, TO, FROM));
  }

  @Test
  void theGracePeriodIsCheckedAgainBeforeALaterWaveStarts() {
    FakeWorld world = tagMode(sailTag("IstioRevision", FROM));
    world.sail = grace(870);
    for (int i = 0;
        i < 40 && !world.status.namespace("a").map(n -> n.phase() == Soaking).orElse(false);
        i++) {
      world.tick();
    }
    assertThat(world.phase("a")).isEqualTo(Soaking);

    world.sail = grace(60);
    world.runTicks(10);

    assertThat(world.phase("a")).as("in flight: not held").isEqualTo(Promoted);
    assertThat(world.phase("b")).isEqualTo(Pending);
    assertThat(world.ns("b").lastVerdict().reason())
        .startsWith("RollbackTargetMayBePruned: ")
        .contains("for 810s after the last namespace left it (soak of waves prod 60s,")
        .contains("set it to at least 810");
  }

  @Test
  void anActiveOrUnownedRollbackRevisionIsNeverPrunedSoNothingHolds() {
    FakeWorld active = tagMode(sailTag("IstioRevision", FROM));
    active.sail =
        new Observed.Sail(new Observed.SailRevision("default", true, 30, false), null, null);
    FakeWorld notSail = tagMode(sailTag("IstioRevision", FROM));

    active.runTicks(40);
    notSail.runTicks(40);

    assertThat(active.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(notSail.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void anIstioWhoseSailUpdatesWorkloadsIsRefusedBeforeAnyChange() {
    FakeWorld world = tagMode(sailTag("IstioRevision", FROM));
    world.sail =
        new Observed.Sail(
            new Observed.SailRevision("default", false, 3600, false),
            new Observed.SailRevision("default", true, 3600, true),
            null);

    world.runTicks(5);

    assertThat(world.executed).isEmpty();
    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo(
            "SailUpdatesWorkloads: Istio default has spec.updateStrategy.updateWorkloads: true,"
                + " so Sail moves the workloads to a new revision itself, and two controllers"
                + " must not move the same workloads; set it to false: kubectl patch istio"
                + " default --type merge -p"
                + " '{\"spec\":{\"updateStrategy\":{\"updateWorkloads\":false}}}'");
  }

  @Test
  void aTagThatFollowsAnIstioIsRefusedBeforeAnyChangeNamingTheFix() {
    FakeWorld world = tagMode(sailTag("Istio", "default"));
    world.sail = grace(3600);

    world.runTicks(5);

    assertThat(world.executed).isEmpty();
    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo(
            "TagFollowsIstio: IstioRevisionTag prod has spec.targetRef {kind: Istio, name:"
                + " default}: it follows the Istio's active revision by itself and moves every"
                + " namespace at once when that changes; set spec.targetRef to {kind:"
                + " IstioRevision, name: 1-19-0} before changing the Istio's version: kubectl"
                + " patch istiorevisiontag prod --type merge -p"
                + " '{\"spec\":{\"targetRef\":{\"kind\":\"IstioRevision\",\"name\":\"1-19-0\"}}}'");
  }

  @Test
  void sailsResourcesUnreadableHoldAsAccessRefused() {
    FakeWorld world = tagMode(sailTag("IstioRevision", FROM));
    world.sail = new Observed.Sail(null, null, "cannot read istiorevisions");

    world.runTicks(3);

    assertThat(world.executed).isEmpty();
    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo("AccessRefused: cannot read istiorevisions");
  }

  @Test
  void aHelmOwnedTagIsMovedWithAWarningInTheTransitionAndACondition() {
    FakeWorld world = tagMode(new Observed.TagWebhook(FROM, null, null, null, true));

    world.runTicks(40);

    String warning =
        "tag prod is installed by Helm (webhook istio-revision-tag-prod labelled"
            + " app.kubernetes.io/managed-by: Helm): the next `helm upgrade` of the istiod"
            + " release will move it back: set `revisionTags` of the istiod release of 1-20-0 to"
            + " include prod, and remove it from that of 1-19-0";
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.transitions)
        .filteredOn(t -> "a".equals(t.namespace()) && t.to() == Restarting)
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.message())
                    .isEqualTo("tag prod -> 1-20-0; restarting workloads; warning: " + warning));
    assertThat(world.status.conditions())
        .filteredOn(c -> c.type().equals("TagOwnedByHelm"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.status()).isEqualTo("True");
              assertThat(c.reason()).isEqualTo("HelmOwnsTag");
              assertThat(c.message()).isEqualTo(warning);
            });
  }
}

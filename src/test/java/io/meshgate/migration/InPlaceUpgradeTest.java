package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.NEW_IMAGE;
import static io.meshgate.migration.FakeWorld.OLD_IMAGE;
import static io.meshgate.migration.FakeWorld.TO;
import static io.meshgate.migration.FakeWorld.failing;
import static io.meshgate.migration.FakeWorld.inPlace;
import static io.meshgate.migration.FakeWorld.passing;
import static io.meshgate.migration.FakeWorld.spec;
import static io.meshgate.migration.FakeWorld.wave;
import static io.meshgate.migration.TargetPhase.Held;
import static io.meshgate.migration.TargetPhase.Migrating;
import static io.meshgate.migration.TargetPhase.Pending;
import static io.meshgate.migration.TargetPhase.Promoted;
import static io.meshgate.migration.TargetPhase.Restarting;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, in-place upgrades ({@code mode: Restart}, DESIGN.md section 12): the istiod of {@code
 * toRevision} was replaced (Sail {@code InPlace}, {@code istioctl upgrade}, {@code helm upgrade
 * istiod}), so namespaces are only restarted, wave by wave, onto the {@code istio-proxy} image its
 * injector now gives, counted by image; a regression halts, since the old proxy is gone.
 */
class InPlaceUpgradeTest {
  private static final Duration SOAK = Duration.ofMinutes(2);

  private static FakeWorld twoWaves(int maxRollbacks) {
    MigrationSpec spec =
        FakeWorld.with(
            inPlace(
                spec(
                    List.of(
                        wave("test", SOAK, 1, false, "test"),
                        wave("prod", SOAK, 2, false, "prod-a", "prod-b")))),
            MigrationSpec.OnFailure.Rollback,
            MigrationSpec.RollbackScope.Namespace,
            maxRollbacks,
            false,
            false);
    return new FakeWorld(spec, "test", "prod-a", "prod-b");
  }

  private static boolean changesLabelsOrTags(Action a) {
    return a instanceof Action.Flip
        || a instanceof Action.RestoreLabels
        || a instanceof Action.Pin
        || a instanceof Action.MoveTag;
  }

  @Test
  void restartsWaveByWaveOntoTheInjectedImageWithoutAFlipAndSucceeds() {
    FakeWorld world = twoWaves(1);

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.status.namespaces()).extracting(TargetStatus::phase).containsOnly(Promoted);
    assertThat(world.executed).noneMatch(InPlaceUpgradeTest::changesLabelsOrTags);
    assertThat(world.executed)
        .filteredOn(Action.Restart.class::isInstance)
        .extracting(a -> ((Action.Restart) a).goal())
        .containsOnly(SidecarGoal.ontoImage(NEW_IMAGE));
    assertThat(world.ns("prod-a").proxies()).isEqualTo(new TargetStatus.Proxies(4, 0));
    for (String ns : List.of("test", "prod-a", "prod-b")) {
      int baseline = firstIndex(world, ns, Action.CaptureBaseline.class);
      int restart = firstIndex(world, ns, Action.Restart.class);
      assertThat(baseline).as("%s: baseline before its restart", ns).isLessThan(restart);
    }
    assertThat(world.transitions)
        .filteredOn(t -> "test".equals(t.namespace()) && t.to() == TargetPhase.Restarting)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.reason()).isEqualTo(Reason.UPGRADED_IN_PLACE);
              assertThat(t.message())
                  .isEqualTo(
                      "revision 1-20-0 was upgraded in place; restarting workloads onto "
                          + NEW_IMAGE
                          + " (from ConfigMap istio-system/istio-sidecar-injector-1-20-0)");
            });
    int prodStart = transitionIndex(world, "prod-a", Migrating);
    int testPromoted = transitionIndex(world, "test", Promoted);
    assertThat(prodStart)
        .as("the next wave after the first is promoted")
        .isGreaterThan(testPromoted);
  }

  @Test
  void countsProxiesByImageAndPromotesOnlyOnceTheyRunTheNewOne() {
    FakeWorld world = twoWaves(1);
    world.stuck.add("test");

    world.runTicks(8);

    assertThat(world.phase("test")).isEqualTo(Restarting);
    assertThat(world.ns("test").proxies()).isEqualTo(new TargetStatus.Proxies(0, 4));
    assertThat(world.phase("prod-a")).isEqualTo(Pending);

    world.stuck.clear();
    world.runTicks(20);

    assertThat(world.phase("test")).isEqualTo(Promoted);
    assertThat(world.ns("test").proxies()).isEqualTo(new TargetStatus.Proxies(4, 0));
  }

  @Test
  void aRegressionHaltsTheNamespaceWithoutTouchingLabelsAndTheNextWaveNeverStarts() {
    FakeWorld world = twoWaves(1);
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(40);

    assertThat(world.phase("test")).isEqualTo(Held);
    assertThat(world.ns("test").lastVerdict().verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(world.ns("test").lastVerdict().reason())
        .startsWith("RegressionNoRollback: ")
        .contains("no automatic rollback: revision 1-20-0 was upgraded in place")
        .contains("helm rollback")
        .contains("spec.version")
        .contains("kubectl rollout restart");
    assertThat(world.transitions)
        .filteredOn(t -> "test".equals(t.namespace()) && t.to() == Held)
        .singleElement()
        .satisfies(t -> assertThat(t.reason()).isEqualTo(Reason.REGRESSION_NO_ROLLBACK));
    assertThat(world.executed).noneMatch(InPlaceUpgradeTest::changesLabelsOrTags);
    assertThat(world.executed)
        .filteredOn(Action.Restart.class::isInstance)
        .extracting(a -> ((Action.Restart) a).restartId())
        .containsOnly("istio-1-20/test/1");
    assertThat(world.phase("prod-a")).isEqualTo(Pending);
    assertThat(world.phase("prod-b")).isEqualTo(Pending);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Paused);
    assertThat(world.status.conditions())
        .anySatisfy(
            c ->
                assertThat(c.message())
                    .isEqualTo(
                        "1 namespace halted with no rollback (in-place upgrade) (maxRollbacks 1);"
                            + " resume after investigating"));
  }

  @Test
  void aHaltedNamespaceStaysHaltedWhenTheGatePassesAgain() {
    FakeWorld world = twoWaves(0);
    world.gate = (ns, tick) -> tick < 12 ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(10);
    assertThat(world.phase("test")).isEqualTo(Held);
    int actions = world.executed.size();
    world.runTicks(30);

    assertThat(world.phase("test")).isEqualTo(Held);
    assertThat(world.ns("test").lastVerdict().verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(world.executed.subList(actions, world.executed.size())).isEmpty();
    assertThat(world.phase("prod-a")).as("its wave is not done").isEqualTo(Pending);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Progressing);
  }

  @Test
  void theFleetBrakeCountsHaltsAsRollbacks() {
    FakeWorld world = twoWaves(2);
    world.gate =
        (ns, tick) -> ns.startsWith("prod") ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(60);

    assertThat(world.phase("test")).isEqualTo(Promoted);
    assertThat(world.phase("prod-a")).isEqualTo(Held);
    assertThat(world.phase("prod-b")).isEqualTo(Held);
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Paused);
    assertThat(world.status.conditions())
        .anySatisfy(c -> assertThat(c.reason()).isEqualTo(Reason.FLEET_BRAKE.token()));
  }

  @Test
  void aRollbackAlertHaltsTheNamespaceInstead() {
    FakeWorld world = twoWaves(1);
    world.runTicks(4);
    assertThat(world.ns("test").phase().isInFlight()).isTrue();

    world.alert("HighErrorRate", AlertAction.ROLLBACK, "test", null);
    world.runTicks(3);

    assertThat(world.phase("test")).isEqualTo(Held);
    assertThat(world.ns("test").lastVerdict().reason())
        .startsWith("RegressionNoRollback: alert HighErrorRate is firing for namespace test;");
    assertThat(world.executed).noneMatch(InPlaceUpgradeTest::changesLabelsOrTags);
  }

  @Test
  void anAbortStopsEveryNamespaceWhereItIsAndFailsTheMigration() {
    FakeWorld world = twoWaves(1);
    world.runTicks(4);

    world.aborted = true;
    world.runTicks(3);

    assertThat(world.phase("test")).isEqualTo(Held);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo(
            "Aborted: the migration was aborted (meshgate.io/abort); an in-place upgrade has no"
                + " rollback: the workloads stay as they are");
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(world.executed).noneMatch(InPlaceUpgradeTest::changesLabelsOrTags);
  }

  @Test
  void anUnknownTargetImageHoldsBeforeTheRestartAndNothingIsRestarted() {
    FakeWorld world = twoWaves(1);
    world.targetImage =
        new Observed.ProxyImage(
            null, "no ConfigMap istio-sidecar-injector-1-20-0 in istio-system, no istiod image");

    world.runTicks(6);

    assertThat(world.phase("test")).isEqualTo(Migrating);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo(
            "ProxyImageUnknown: the istio-proxy image revision 1-20-0 injects is not known: no"
                + " ConfigMap istio-sidecar-injector-1-20-0 in istio-system, no istiod image;"
                + " nothing is restarted until it is");
    assertThat(world.executed).noneMatch(Action.Restart.class::isInstance);

    world.targetImage = new Observed.ProxyImage(NEW_IMAGE, "istiod");
    world.runTicks(30);
    assertThat(world.phase("test")).isEqualTo(Promoted);
  }

  @Test
  void aRevisionThatIsNotInstalledHoldsEverythingAndChangesNothing() {
    FakeWorld world = twoWaves(1);
    world.toAvailable = false;
    world.fromAvailable = false;

    world.runTicks(5);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Pending);
    assertThat(world.status.namespaces()).extracting(TargetStatus::phase).containsOnly(Pending);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo(
            "RevisionUnavailable: istiod of target revision "
                + TO
                + " is not Available (or its injector webhook is missing)");
    assertThat(world.executed).isEmpty();
  }

  @Test
  void theOldImageIsWhatIsCountedAsOtherBeforeTheRestart() {
    FakeWorld world = twoWaves(1);
    world.runTicks(1);
    Observed.TargetFacts facts = world.observed().facts("test");

    assertThat(facts.proxiesByRevision()).containsOnlyKeys(OLD_IMAGE);
    assertThat(facts.proxies(NEW_IMAGE)).isEqualTo(new TargetStatus.Proxies(0, 4));
  }

  private static int firstIndex(FakeWorld world, String ns, Class<? extends Action> type) {
    for (int i = 0; i < world.executed.size(); i++) {
      Action a = world.executed.get(i);
      if (type.isInstance(a) && ns.equals(a.namespace())) {
        return i;
      }
    }
    return -1;
  }

  private static int transitionIndex(FakeWorld world, String ns, TargetPhase to) {
    for (int i = 0; i < world.transitions.size(); i++) {
      Decision.Transition t = world.transitions.get(i);
      if (ns.equals(t.namespace()) && t.to() == to) {
        return i;
      }
    }
    return -1;
  }
}

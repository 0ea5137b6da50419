package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.FROM;
import static io.meshgate.migration.FakeWorld.TO;
import static io.meshgate.migration.FakeWorld.failing;
import static io.meshgate.migration.FakeWorld.passing;
import static io.meshgate.migration.FakeWorld.wave;
import static io.meshgate.migration.TargetPhase.Pending;
import static io.meshgate.migration.TargetPhase.Promoted;
import static io.meshgate.migration.TargetPhase.Restarting;
import static io.meshgate.migration.TargetPhase.RolledBack;
import static io.meshgate.migration.TargetPhase.Skipped;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Revision tags in the pure machine: names that are tags resolved to their revisions, and tag mode
 * (a tag moved from the old revision to the new one behind the gate, namespaces that regress pinned
 * or, with {@code rollbackScope: Migration}, the tag moved back).
 */
class RevisionTagsTest {
  private static final String TAG = "prod-stable";
  private static final Duration SOAK = Duration.ofMinutes(1);

  private static MigrationSpec spec(
      String from,
      String to,
      MigrationSpec.RollbackScope scope,
      MigrationSpec.Tag tag,
      boolean dryRun,
      MigrationSpec.Wave... waves) {
    MigrationSpec base = FakeWorld.spec(List.of(waves));
    return new MigrationSpec(
        from,
        to,
        base.waves(),
        base.gates(),
        base.interval(),
        base.failureLimit(),
        base.passStreak(),
        base.noDataLimit(),
        base.baselineWindow(),
        base.onFailure(),
        scope,
        2,
        base.restart(),
        null,
        false,
        dryRun,
        tag);
  }

  /** Tag mode on {@value #TAG}, pointing at the old revision, followed by {@code following}. */
  private static FakeWorld tagMode(
      MigrationSpec.RollbackScope scope,
      String pinTo,
      List<String> following,
      String... namespaces) {
    MigrationSpec spec =
        spec(
            FROM,
            TO,
            scope,
            new MigrationSpec.Tag(TAG, pinTo),
            false,
            wave("test", SOAK, 1, false, namespaces[0]),
            wave(
                "prod",
                SOAK,
                3,
                false,
                List.of(namespaces).subList(1, namespaces.length).toArray(String[]::new)));
    FakeWorld world = new FakeWorld(spec, namespaces);
    world.tags.put(TAG, new Observed.TagWebhook(FROM, null, null));
    world.followingTag.addAll(following);
    return world;
  }

  /** The label flow from {@code from} to {@code to}, one wave of {@code namespaces}. */
  private static FakeWorld labelFlow(String from, String to, String... namespaces) {
    MigrationSpec spec =
        spec(
            from,
            to,
            MigrationSpec.RollbackScope.Namespace,
            null,
            false,
            wave("all", SOAK, 1, false, namespaces));
    return new FakeWorld(spec, namespaces);
  }

  private static List<Action> moves(FakeWorld world) {
    return world.executed.stream().filter(a -> a instanceof Action.MoveTag).toList();
  }

  private static List<Action> of(FakeWorld world, Class<? extends Action> kind) {
    return world.executed.stream().filter(kind::isInstance).toList();
  }

  @Test
  void tagModeMovesTheTagOnceThenPromotesEveryNamespaceThatFollowsIt() {
    FakeWorld world =
        tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a", "b", "c"), "a", "b", "c");

    world.runTicks(40);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.status.namespaces()).extracting(TargetStatus::phase).containsOnly(Promoted);
    assertThat(moves(world)).containsExactly(new Action.MoveTag(TAG, TO, FROM));
    assertThat(of(world, Action.Flip.class)).as("labels never change in tag mode").isEmpty();
    assertThat(of(world, Action.Pin.class)).isEmpty();
    assertThat(world.status.revisions())
        .isEqualTo(
            new MigrationStatus.Revisions(FROM, TO, new MigrationStatus.TagMove(TAG, FROM, TO)));
    assertThat(world.transitions)
        .filteredOn(t -> "a".equals(t.namespace()) && t.to() == Restarting)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.reason()).isEqualTo(Reason.TAG_MOVED);
              assertThat(t.message()).isEqualTo("tag prod-stable -> 1-20-0; restarting workloads");
            });
  }

  @Test
  void theBaselineIsCapturedBeforeTheTagMoves() {
    FakeWorld world = tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a"), "a");

    world.runTicks(3);

    int baseline = world.executed.indexOf(new Action.CaptureBaseline("a"));
    int move = world.executed.indexOf(new Action.MoveTag(TAG, TO, FROM));
    assertThat(baseline).isNotNegative();
    assertThat(move).isGreaterThan(baseline);
  }

  @Test
  void namespacesOfTheWavesThatDoNotFollowTheTagAreSkippedSayingWhy() {
    FakeWorld world =
        tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a", "c"), "a", "b", "c");

    world.runTicks(40);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.phase("b")).isEqualTo(Skipped);
    assertThat(world.ns("b").lastVerdict().reason())
        .startsWith("NotFollowingTag: namespace b does not follow tag prod-stable");
    assertThat(world.restartIds).doesNotContainKey("b");
    assertThat(world.phase("c")).isEqualTo(Promoted);
  }

  @Test
  void aTagThatDoesNotPointAtTheOldRevisionHoldsTheStartAndNothingIsDone() {
    FakeWorld world = tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a"), "a");
    world.tags.put(TAG, new Observed.TagWebhook("1-18-0", null, null));

    world.runTicks(5);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Pending);
    assertThat(world.phase("a")).isEqualTo(Pending);
    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo(
            "TagMismatch: tag prod-stable points at 1-18-0, not at fromRevision 1-19-0; tag mode"
                + " moves a tag from the old revision to the new one");
    assertThat(world.executed).isEmpty();
  }

  @Test
  void aTagWithoutItsWebhookHoldsAsRevisionUnavailable() {
    FakeWorld world = tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a"), "a");
    world.tags.clear();

    world.runTicks(3);

    assertThat(world.ns("a").lastVerdict().reason())
        .isEqualTo(
            "RevisionUnavailable: tag prod-stable has no webhook istio-revision-tag-prod-stable");
    assertThat(world.executed).isEmpty();
  }

  @Test
  void aNamespaceThatRegressesIsPinnedToTheOldRevisionWhileTheTagStaysMoved() {
    FakeWorld world =
        tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a", "b", "c"), "a", "b", "c");
    world.gate =
        (ns, tick) -> ns.equals("b") ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(40);

    assertThat(world.phase("a")).isEqualTo(Promoted);
    assertThat(world.phase("b")).isEqualTo(RolledBack);
    assertThat(world.phase("c")).isEqualTo(Promoted);
    assertThat(world.pinned).containsExactly(Map.entry("b", FROM));
    assertThat(world.revisionOfLastRestart).containsEntry("b", FROM).containsEntry("c", TO);
    assertThat(world.tags.get(TAG).revision()).isEqualTo(TO);
    assertThat(moves(world)).containsExactly(new Action.MoveTag(TAG, TO, FROM));
    assertThat(world.transitions)
        .filteredOn(t -> "b".equals(t.namespace()) && t.to() == RolledBack)
        .singleElement()
        .extracting(Decision.Transition::message)
        .isEqualTo("pinned to istio.io/rev=1-19-0 and no proxy left on 1-20-0");
  }

  @Test
  void pinToPinsWithATagStillOnTheOldRevision() {
    FakeWorld world =
        tagMode(MigrationSpec.RollbackScope.Namespace, "prod-previous", List.of("a"), "a");
    world.tags.put("prod-previous", new Observed.TagWebhook(FROM, null, null));
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(20);

    assertThat(world.phase("a")).isEqualTo(RolledBack);
    assertThat(world.pinned).containsExactly(Map.entry("a", "prod-previous"));
    assertThat(world.revisionOfLastRestart).containsEntry("a", FROM);
  }

  @Test
  void aPinToTagNotOnTheOldRevisionHoldsTheStart() {
    FakeWorld world =
        tagMode(MigrationSpec.RollbackScope.Namespace, "prod-previous", List.of("a"), "a");
    world.tags.put("prod-previous", new Observed.TagWebhook("1-18-0", null, null));

    world.runTicks(3);

    assertThat(world.ns("a").lastVerdict().reason())
        .contains("pinTo prod-previous points at 1-18-0, not at fromRevision 1-19-0");
    assertThat(world.executed).isEmpty();
  }

  @Test
  void rollbackScopeMigrationMovesTheTagBackAndRestartsEveryMovedNamespace() {
    FakeWorld world =
        tagMode(MigrationSpec.RollbackScope.Migration, null, List.of("a", "b", "c"), "a", "b", "c");
    world.gate =
        (ns, tick) -> ns.equals("c") ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(world.status.namespaces()).extracting(TargetStatus::phase).containsOnly(RolledBack);
    assertThat(moves(world))
        .containsExactly(new Action.MoveTag(TAG, TO, FROM), new Action.MoveTag(TAG, FROM, FROM));
    assertThat(world.tags.get(TAG).revision()).isEqualTo(FROM);
    assertThat(of(world, Action.Pin.class))
        .as("the tag goes back, no namespace is pinned")
        .isEmpty();
    assertThat(world.revisionOfLastRestart)
        .containsOnly(Map.entry("a", FROM), Map.entry("b", FROM), Map.entry("c", FROM));
    assertThat(world.status.revisions().tag())
        .isEqualTo(new MigrationStatus.TagMove(TAG, FROM, FROM));
    assertThat(world.transitions)
        .filteredOn(t -> "a".equals(t.namespace()) && t.to() == RolledBack)
        .singleElement()
        .extracting(Decision.Transition::message)
        .isEqualTo("tag prod-stable moved back to 1-19-0 and no proxy left on 1-20-0");
  }

  @Test
  void aDaemonThatDiedRightAfterTheTagMoveGoesOnFromTheWebhooksRecord() {
    FakeWorld world = tagMode(MigrationSpec.RollbackScope.Namespace, null, List.of("a"), "a");
    world.runTicks(1);
    assertThat(world.ns("a").baseline()).isNotNull();

    Decision moved = world.tickDyingBeforeTheStatusWrite();
    assertThat(moved.actions()).contains(new Action.MoveTag(TAG, TO, FROM));
    assertThat(world.status.revisions().tag().previousRevision())
        .as("status never recorded the move")
        .isNull();

    world.runTicks(20);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(moves(world)).containsExactly(new Action.MoveTag(TAG, TO, FROM));
    assertThat(world.status.revisions().tag())
        .isEqualTo(new MigrationStatus.TagMove(TAG, FROM, TO));
  }

  @Test
  void aDryRunInTagModeDecidesTheWholeWayWithoutMovingTheTag() {
    MigrationSpec spec =
        spec(
            FROM,
            TO,
            MigrationSpec.RollbackScope.Namespace,
            new MigrationSpec.Tag(TAG, null),
            true,
            wave("all", SOAK, 2, false, "a", "b"));
    FakeWorld world = new FakeWorld(spec, "a", "b");
    world.tags.put(TAG, new Observed.TagWebhook(FROM, null, null));
    world.followingTag.addAll(List.of("a", "b"));
    world.gate =
        (ns, tick) -> ns.equals("b") ? failing("error-rate", Severity.CRITICAL) : passing();

    world.runTicks(30);

    assertThat(world.phase("a")).isEqualTo(Promoted);
    assertThat(world.phase("b")).isEqualTo(RolledBack);
    assertThat(world.tags.get(TAG).revision()).isEqualTo(FROM);
    assertThat(world.pinned).isEmpty();
  }

  @Test
  void aToRevisionThatIsATagIsMeasuredAndCountedAsItsRevision() {
    FakeWorld world = labelFlow(FROM, "prod-canary", "a");
    world.tags.put("prod-canary", new Observed.TagWebhook(TO, null, null));

    world.runTicks(20);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(of(world, Action.Flip.class)).containsExactly(new Action.Flip("a"));
    assertThat(world.ns("a").proxies().target()).isEqualTo(4);
    assertThat(world.status.revisions()).isEqualTo(new MigrationStatus.Revisions(FROM, TO, null));
    assertThat(world.status.conditions())
        .filteredOn(c -> c.type().equals("Ready"))
        .singleElement()
        .extracting(Condition::message)
        .isEqualTo("1 namespace promoted to prod-canary -> 1-20-0");
  }

  @Test
  void aFromRevisionTagIsTheRevisionItPointsAt() {
    FakeWorld world = labelFlow("prod-stable", TO, "a");
    world.tags.put("prod-stable", new Observed.TagWebhook(FROM, null, null));
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(20);

    assertThat(world.phase("a")).isEqualTo(RolledBack);
    assertThat(world.status.revisions().from()).isEqualTo(FROM);
    assertThat(of(world, Action.RestoreLabels.class))
        .containsExactly(new Action.RestoreLabels("a"));
  }

  @Test
  void aTargetTagMovedAwayDoesNotKeepARegressingNamespaceFromGoingBack() {
    FakeWorld world = labelFlow(FROM, "prod-canary", "a");
    world.tags.put("prod-canary", new Observed.TagWebhook(TO, null, null));
    world.runTicks(4);
    world.tags.put("prod-canary", new Observed.TagWebhook("1-21-0", null, null));
    world.gate = (ns, tick) -> failing("error-rate", Severity.CRITICAL);

    world.runTicks(20);

    assertThat(world.phase("a")).isEqualTo(RolledBack);
    assertThat(world.revisionOfLastRestart).containsEntry("a", FROM);
  }

  @Test
  void aTagOfTheSpecMovedAwayMidMigrationHoldsInsteadOfRetargeting() {
    FakeWorld world = labelFlow(FROM, "prod-canary", "a", "b");
    world.tags.put("prod-canary", new Observed.TagWebhook(TO, null, null));
    world.runTicks(3);
    assertThat(world.phase("a")).isNotEqualTo(Pending);

    world.tags.put("prod-canary", new Observed.TagWebhook("1-21-0", null, null));
    world.runTicks(30);

    assertThat(world.status.revisions().to()).as("fixed when a started").isEqualTo(TO);
    assertThat(world.phase("b")).isEqualTo(Pending);
    assertThat(world.ns("b").lastVerdict().reason())
        .isEqualTo(
            "TagMismatch: tag prod-canary now points at 1-21-0; the migration started with"
                + " 1-20-0 (start a new migration to move to another revision)");
    assertThat(of(world, Action.Flip.class)).containsExactly(new Action.Flip("a"));
  }
}

package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A ztunnel wave through the machine, tick after tick, on {@link NodeWorld} (issue 27): node by
 * node, cordoned, drained, its ztunnel replaced and uncordoned, never more nodes cordoned than
 * {@code maxConcurrent}; a regression sends the DaemonSet and every moved node back; what someone
 * else cordoned stays cordoned.
 */
class ZtunnelUpgradeTest {
  private static final Duration DRAIN = Duration.ofMinutes(2);

  @Test
  void upgradesThreeNodesOneAtATimeAndUncordonsEach() {
    NodeWorld world = new NodeWorld(3, 1, DRAIN);

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.status.nodes())
        .extracting(TargetStatus::phase)
        .containsOnly(TargetPhase.Promoted);
    assertThat(world.nodes.values())
        .allSatisfy(
            n -> {
              assertThat(n.ztunnelHash).isEqualTo(NodeWorld.NEW);
              assertThat(n.unschedulable).isFalse();
              assertThat(n.ambientPods).isEmpty();
            });
    assertThat(world.maxCordoned).isEqualTo(1);
    assertThat(world.deletedUnderTerminatingPods).isFalse();
    assertThat(world.executed(Action.Cordon.class))
        .containsExactly("Cordon worker-1", "Cordon worker-2", "Cordon worker-3");
    assertThat(world.executed(Action.Uncordon.class))
        .containsExactly("Uncordon worker-1", "Uncordon worker-2", "Uncordon worker-3");
    assertThat(world.status.revisions().ztunnel())
        .isEqualTo(new MigrationStatus.ZtunnelTemplates(NodeWorld.OLD, NodeWorld.NEW));
  }

  @Test
  void stepsEachNodeInOrderCordonEvictDeleteUncordon() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);

    world.runTicks(30);

    assertThat(
            world.executed.stream()
                .filter(a -> a instanceof Action.NodeAction)
                .map(a -> a.getClass().getSimpleName())
                .toList())
        .containsExactly("Cordon", "EvictAmbientPods", "DeleteZtunnelPod", "Uncordon");
    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.Promoted);
  }

  @Test
  void twoAtATimeWhenMaxConcurrentSaysSo() {
    NodeWorld world = new NodeWorld(4, 2, DRAIN);

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.maxCordoned).isEqualTo(2);
  }

  @Test
  void aRegressionOnTheSecondNodeRollsTheDaemonSetBackAndReplacesBothMovedNodes() {
    NodeWorld world = new NodeWorld(3, 1, DRAIN);
    for (int i = 0; i < 80 && !observing(world, "worker-2"); i++) {
      world.tick();
    }
    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.Promoted);
    world.failing.add("worker-2");

    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(world.executed(Action.RollBackDaemonSet.class)).hasSize(1);
    assertThat(world.currentHash).isEqualTo(NodeWorld.OLD);
    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.RolledBack);
    assertThat(world.node("worker-2").phase()).isEqualTo(TargetPhase.RolledBack);
    assertThat(world.node("worker-3").phase()).isEqualTo(TargetPhase.Pending);
    assertThat(world.nodes.values())
        .allSatisfy(
            n -> {
              assertThat(n.ztunnelHash).isEqualTo(NodeWorld.OLD);
              assertThat(n.unschedulable).isFalse();
            });
    assertThat(world.maxCordoned).isEqualTo(1);
    assertThat(world.executed(Action.Cordon.class)).doesNotContain("Cordon worker-3");
    assertThat(world.node("worker-1").lastVerdict().reason())
        .contains("the ztunnel DaemonSet goes back to its previous template, as node worker-2");
  }

  @Test
  void aNodeSomeoneElseCordonedIsSkippedAndStaysCordoned() {
    NodeWorld world = new NodeWorld(3, 1, DRAIN);
    NodeWorld.Node admins = world.nodes.get("worker-2");
    admins.unschedulable = true;

    world.runTicks(60);

    assertThat(world.node("worker-2").phase()).isEqualTo(TargetPhase.Skipped);
    assertThat(world.transitions)
        .anySatisfy(t -> assertThat(t.reason()).isEqualTo(Reason.CORDONED_BY_OTHERS));
    assertThat(admins.unschedulable).isTrue();
    assertThat(admins.ztunnelHash).isEqualTo(NodeWorld.OLD);
    assertThat(world.executed.stream().map(Action::target)).doesNotContain("Node/worker-2");
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void aBudgetThatOutlastsTheDrainTimeoutHoldsDrainBlockedNamingItThenLetsGo() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    NodeWorld.Node node = world.nodes.get("worker-1");
    node.budgetBlocks = true;

    world.runTicks(12);

    assertThat(world.holds)
        .anySatisfy(
            h -> {
              assertThat(h.reason()).isEqualTo(Reason.DRAIN_BLOCKED);
              assertThat(h.message()).contains("PodDisruptionBudget shop/web-pdb");
            });
    assertThat(node.ztunnelHash).isEqualTo(NodeWorld.OLD);
    assertThat(node.unschedulable).isTrue();

    node.budgetBlocks = false;
    world.runTicks(30);

    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.Promoted);
    assertThat(node.unschedulable).isFalse();
  }

  @Test
  void aDaemonSetThatRollsByItselfHoldsWithTheOnDeleteFixAndChangesNothing() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);
    world.strategy = "RollingUpdate";

    world.runTicks(5);

    assertThat(world.holds)
        .anySatisfy(
            h -> {
              assertThat(h.reason()).isEqualTo(Reason.INVALID_SPEC);
              assertThat(h.message())
                  .contains("updateStrategy RollingUpdate")
                  .contains("--set updateStrategy.type=OnDelete");
            });
    assertThat(world.executed).isEmpty();
    assertThat(world.status.nodes())
        .extracting(TargetStatus::phase)
        .containsOnly(TargetPhase.Pending);
  }

  @Test
  void withoutTheGrantItHoldsAccessRefused() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    world.unreadable = "nodes are forbidden: apply deploy/optional/ztunnel-rbac.yaml";

    world.runTicks(3);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Pending);
    assertThat(world.status.conditions())
        .anySatisfy(
            c -> {
              assertThat(c.reason()).isEqualTo("AccessRefused");
              assertThat(c.message()).contains("deploy/optional/ztunnel-rbac.yaml");
            });
    assertThat(world.executed).isEmpty();
  }

  @Test
  void aWaveOfNodesThatCannotBeSeenAfterAnotherWaveSaysWhyItWaits() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    world.unreadable = "nodes are forbidden: apply deploy/optional/ztunnel-rbac.yaml";
    MigrationSpec.Wave ztunnel = world.spec.waves().get(0);
    MigrationSpec.Wave done =
        new MigrationSpec.Wave("empty", List.of(), Map.of("team", "none"), Duration.ZERO, 1, false);
    world.spec = FakeWorld.spec(List.of(done, ztunnel));

    world.runTicks(2);

    assertThat(world.status.currentWave()).isEqualTo("ztunnel");
    assertThat(world.status.phase()).isNotEqualTo(MigrationPhase.Succeeded);
    assertThat(world.status.conditions())
        .anySatisfy(c -> assertThat(c.reason()).isEqualTo("AccessRefused"));
  }

  @Test
  void anAbortWhileANodeIsDrainedUncordonsItBeforeItCountsAsRolledBack() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    world.nodes.get("worker-1").budgetBlocks = true;
    world.runTicks(4);
    assertThat(world.nodes.get("worker-1").unschedulable).isTrue();

    world.aborted = true;
    world.runTicks(10);

    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.RolledBack);
    assertThat(world.nodes.get("worker-1").unschedulable).isFalse();
    assertThat(world.nodes.get("worker-1").cordonedBy).isNull();
    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Failed);
  }

  @Test
  void aCordonWhoseStatusWriteWasLostIsLiftedWhenTheNodeCannotStartAgain() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);
    world.tick();
    world.tickDyingBeforeTheStatusWrite();
    assertThat(world.executed(Action.Cordon.class)).containsExactly("Cordon worker-1");
    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.Migrating);

    world.status = MigrationStatus.initial();
    world.strategy = "RollingUpdate";
    world.tick();

    assertThat(world.nodes.get("worker-1").unschedulable).isFalse();
    assertThat(world.executed(Action.Uncordon.class)).containsExactly("Uncordon worker-1");
  }

  @Test
  void nodesThatCannotBeReadMidWaveHoldInsteadOfBeingSkipped() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);
    world.runTicks(3);
    world.unreadable = "nodes are forbidden: apply deploy/optional/ztunnel-rbac.yaml";

    world.runTicks(3);

    assertThat(world.status.nodes())
        .extracting(TargetStatus::phase)
        .doesNotContain(TargetPhase.Skipped);
    assertThat(world.holds)
        .anySatisfy(h -> assertThat(h.reason()).isEqualTo(Reason.ACCESS_REFUSED));

    world.unreadable = null;
    world.runTicks(60);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void theRollbackTargetIsTheTemplateTheNodesRunNotMerelyTheRevisionBefore() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);
    world.previousHash = "5c5c5c5c5";
    world.failing.add("worker-1");

    world.runTicks(30);

    assertThat(world.status.revisions().ztunnel().from()).isEqualTo(NodeWorld.OLD);
    assertThat(world.executed)
        .contains(new Action.RollBackDaemonSet("istio-system", "ztunnel", NodeWorld.OLD));
  }

  @Test
  void aTemplateChangedBetweenTheDeleteAndTheNewPodHoldsCordonedUntilItIsPutBack() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    for (int i = 0; i < 20 && world.executed(Action.DeleteZtunnelPod.class).isEmpty(); i++) {
      world.tick();
    }
    world.currentHash = "9a9a9a9a9";

    world.runTicks(10);

    assertThat(world.holds)
        .anySatisfy(h -> assertThat(h.reason()).isEqualTo(Reason.ZTUNNEL_TEMPLATE_CHANGED));
    assertThat(world.uncordonedOn).isEmpty();
    assertThat(world.nodes.get("worker-1").unschedulable).isTrue();

    world.currentHash = NodeWorld.NEW;
    world.runTicks(30);

    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.Promoted);
    assertThat(world.uncordonedOn).containsExactly(NodeWorld.NEW);
    assertThat(world.nodes.get("worker-1").ztunnelHash).isEqualTo(NodeWorld.NEW);
  }

  @Test
  void noNodeStartsBeforeTheDaemonSetControllerObservedTheNewTemplate() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    world.settled = false;

    world.runTicks(3);

    assertThat(world.executed).isEmpty();
    assertThat(world.holds)
        .anySatisfy(h -> assertThat(h.reason()).isEqualTo(Reason.ZTUNNEL_NOT_SETTLED));
    assertThat(world.status.revisions() == null ? null : world.status.revisions().ztunnel())
        .isNull();

    world.settled = true;
    world.runTicks(30);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
  }

  @Test
  void aTemplateChangedMidWaveHoldsTheNodesNotYetReplaced() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);
    world.runTicks(2);
    world.currentHash = "9a9a9a9a9";

    world.runTicks(5);

    assertThat(world.holds)
        .anySatisfy(h -> assertThat(h.reason()).isEqualTo(Reason.ZTUNNEL_TEMPLATE_CHANGED));
    assertThat(world.executed(Action.DeleteZtunnelPod.class)).isEmpty();
  }

  @Test
  void aDaemonDyingBeforeEveryStatusWriteStillLeavesNoNodeCordoned() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);

    for (int i = 0; i < 80; i++) {
      if (i % 3 == 1) {
        world.tickDyingBeforeTheStatusWrite();
      } else {
        world.tick();
      }
    }

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.nodes.values()).allSatisfy(n -> assertThat(n.unschedulable).isFalse());
    assertThat(world.maxCordoned).isEqualTo(1);
  }

  @Test
  void aNodeAlreadyOnTheTemplateIsNotDrained() {
    NodeWorld world = new NodeWorld(2, 1, DRAIN);
    world.nodes.get("worker-1").ztunnelHash = NodeWorld.NEW;

    world.runTicks(40);

    assertThat(world.status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(world.executed(Action.Cordon.class)).containsExactly("Cordon worker-2");
  }

  @Test
  void withoutAPreviousTemplateARegressionHaltsInsteadOfRollingBack() {
    NodeWorld world = new NodeWorld(1, 1, DRAIN);
    world.previousHash = null;
    world.nodes.get("worker-1").ztunnelHash = NodeWorld.NEW;
    world.failing.add("worker-1");

    world.runTicks(30);

    assertThat(world.node("worker-1").phase()).isEqualTo(TargetPhase.Held);
    assertThat(world.holds)
        .anySatisfy(h -> assertThat(h.reason()).isEqualTo(Reason.REGRESSION_NO_ROLLBACK));
    assertThat(world.executed(Action.RollBackDaemonSet.class)).isEmpty();
    assertThat(world.nodes.get("worker-1").ztunnelHash).isEqualTo(NodeWorld.NEW);
  }

  private static boolean observing(NodeWorld world, String node) {
    TargetPhase phase = world.status.node(node).map(TargetStatus::phase).orElse(null);
    return phase == TargetPhase.Verifying || phase == TargetPhase.Soaking;
  }
}

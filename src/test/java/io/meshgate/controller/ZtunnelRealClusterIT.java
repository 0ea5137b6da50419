package io.meshgate.controller;

import static io.meshgate.controller.ZtunnelScenario.DAEMON_SET;
import static io.meshgate.controller.ZtunnelScenario.isNodeWrite;
import static io.meshgate.controller.ZtunnelScenario.isPodDelete;
import static io.meshgate.controller.ZtunnelScenario.manifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.AmbientMesh;
import io.meshgate.sim.AuditLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 27: ztunnel upgraded node by node by the daemon, as the ServiceAccount of deploy/rbac.yaml
 * plus deploy/optional/ztunnel-rbac.yaml, on a real API server whose disruption controller keeps
 * the budgets, with three fake nodes whose kubelet honours cordons ({@link ZtunnelScenario}). Every
 * run is checked against the invariants of {@link ZtunnelScenario#assertInvariants}. In order: the
 * grant is missing for the first test only, and each later one upgrades ztunnel again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZtunnelRealClusterIT {
  private static final Path ZTUNNEL_RBAC = Path.of("deploy/optional/ztunnel-rbac.yaml");

  private static ZtunnelScenario scenario;

  @BeforeAll
  static void start() {
    scenario = ZtunnelScenario.start();
  }

  @AfterAll
  static void stop() {
    if (scenario != null) {
      scenario.close();
    }
  }

  private static TargetStatus node(MigrationStatus status, String name) {
    return status
        .node(name)
        .orElseThrow(() -> new AssertionError("no node " + name + " in status"));
  }

  /** meshgate's writes of nodes, pods and DaemonSets since {@code before}. */
  private static List<AuditLog.Request> ztunnelWrites(int before) {
    return scenario.requestsSince(before).stream()
        .filter(
            r ->
                isNodeWrite(r)
                    || isPodDelete(r)
                    || ZtunnelScenario.isEviction(r)
                    || ("daemonsets".equals(r.resource()) && r.verb().equals("patch")))
        .toList();
  }

  @Test
  @Order(1)
  void withoutTheOptionalGrantTheMigrationHoldsNamingItAndTouchesNoNode() {
    scenario.upgrade();
    int mark = scenario.timeline.mark();
    int before = scenario.fixture.meshgateRequests().size();
    try (Daemon daemon = scenario.start(WriteHook.NONE, NodeGate.passing())) {
      scenario.fixture.apply(manifest("ztunnel-no-grant", DAEMON_SET));

      String status =
          await("the migration says the grant is missing")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> scenario.rawStatus("ztunnel-no-grant"), s -> s.contains("AccessRefused"));

      assertThat(status).contains("deploy/optional/ztunnel-rbac.yaml");
      assertThat(daemon.isReady()).as("still ready, not crash-looping").isTrue();
      assertThat(scenario.timeline.since(mark)).as("node changes").isEmpty();
      assertThat(ztunnelWrites(before)).isEmpty();
    } finally {
      // the later tests need the grant, whatever this one found
      scenario.delete("ztunnel-no-grant");
      scenario.fixture.applyFile(ZTUNNEL_RBAC);
    }
  }

  @Test
  @Order(2)
  void aDaemonSetThatRollsByItselfIsAnInvalidSpecSayingHowToSetOnDelete() {
    scenario.ambient.ztunnel("ztunnel-rolling", "RollingUpdate");
    int mark = scenario.timeline.mark();
    int before = scenario.fixture.meshgateRequests().size();
    try (Daemon daemon = scenario.start(WriteHook.NONE, NodeGate.passing())) {
      scenario.fixture.apply(manifest("ztunnel-rolling", "ztunnel-rolling"));

      String status =
          await("the migration is refused")
              .atMost(Duration.ofSeconds(30))
              .until(() -> scenario.rawStatus("ztunnel-rolling"), s -> s.contains("InvalidSpec"));

      assertThat(status).contains("ztunnel-rolling").contains("RollingUpdate").contains("OnDelete");
      assertThat(scenario.timeline.since(mark)).as("node changes").isEmpty();
      assertThat(ztunnelWrites(before)).isEmpty();
    } finally {
      scenario.delete("ztunnel-rolling");
      scenario
          .fixture
          .admin
          .apps()
          .daemonSets()
          .inNamespace(AmbientMesh.ZTUNNEL_NAMESPACE)
          .withName("ztunnel-rolling")
          .delete();
    }
  }

  @Test
  @Order(3)
  void threeNodesAreUpgradedOneAtATimeAndEveryInvariantHolds() {
    ZtunnelScenario.Run run = scenario.migrate("ztunnel-all", NodeGate.passing());

    scenario.assertInvariants(run, Set.of());
    for (String node : scenario.nodes()) {
      assertThat(node(run.end(), node).phase()).as(node).isEqualTo(TargetPhase.Promoted);
    }
    assertThat(run.end().revisions().ztunnel())
        .isEqualTo(new MigrationStatus.ZtunnelTemplates(run.from(), run.to()));
    assertThat(scenario.ambient.ztunnelHashByNode().values()).hasSize(3).containsOnly(run.to());
    assertThat(scenario.timeline.cordonOrder(run.mark())).hasSize(3);
    assertThat(scenario.requestsSince(run.requestsBefore()))
        .as("a budget refused an eviction, and it was retried")
        .anyMatch(r -> ZtunnelScenario.isEviction(r) && r.code() == 429);
    assertThat(scenario.fixture.admin.nodes().list().getItems())
        .allSatisfy(
            n ->
                assertThat(n.getMetadata().getAnnotations())
                    .doesNotContainKey("meshgate.io/cordoned-by"));
  }

  @Test
  @Order(4)
  void aNodeAnAdminCordonedStaysCordonedAndIsSkippedUntouched() {
    String admins = scenario.nodes().get(2);
    scenario.ambient.cordon(admins, true);
    try {
      ZtunnelScenario.Run run = scenario.migrate("ztunnel-admin", NodeGate.passing());

      scenario.assertInvariants(run, Set.of(admins));
      TargetStatus skipped = node(run.end(), admins);
      assertThat(skipped.phase()).isEqualTo(TargetPhase.Skipped);
      assertThat(skipped.lastVerdict().reason()).startsWith("CordonedByOthers");
      assertThat(scenario.timeline.changedSince(run.mark(), admins)).as("touched").isFalse();
      assertThat(scenario.requestsSince(run.requestsBefore()))
          .noneMatch(r -> isNodeWrite(r) && admins.equals(r.name()));
      assertThat(scenario.ambient.ztunnelHashByNode()).containsEntry(admins, run.from());
      for (String node : scenario.nodes().subList(0, 2)) {
        assertThat(node(run.end(), node).phase()).as(node).isEqualTo(TargetPhase.Promoted);
      }
    } finally {
      scenario.ambient.cordon(admins, false);
    }
    // the skipped node's ztunnel moves with the next upgrade's: deleting it here keeps them equal
    scenario.ambient.ztunnelPods().stream()
        .filter(p -> admins.equals(p.getSpec().getNodeName()))
        .forEach(p -> scenario.fixture.admin.resource(p).delete());
    scenario.ambient.awaitZtunnelOnEveryNode();
  }

  @Test
  @Order(5)
  void aRegressionOnTheSecondNodeRollsTheDaemonSetBackAndReplacesTheFirstTwoAgain() {
    int mark = scenario.timeline.mark();
    NodeGate secondFails =
        new NodeGate(
            () -> {
              List<String> order = scenario.timeline.cordonOrder(mark);
              return order.size() < 2 ? Set.of() : Set.of(order.get(1));
            });
    ZtunnelScenario.Run run = scenario.migrate("ztunnel-regression", secondFails);

    scenario.assertInvariants(run, Set.of());
    List<String> moved = scenario.timeline.cordonOrder(run.mark());
    assertThat(moved).as("nodes ever cordoned").hasSize(2);
    for (String node : moved) {
      assertThat(node(run.end(), node).phase()).as(node).isEqualTo(TargetPhase.RolledBack);
    }
    assertThat(scenario.ambient.ztunnelHash())
        .as("the DaemonSet's template is its old ControllerRevision again")
        .isEqualTo(run.from());
    assertThat(scenario.ambient.ztunnelHashByNode().values()).hasSize(3).containsOnly(run.from());
    assertThat(
            scenario.requestsSince(run.requestsBefore()).stream()
                .filter(r -> isPodDelete(r) && r.code() == 200))
        .as("ztunnel pods deleted: two nodes forward, the same two back")
        .hasSize(4);
  }

  /** Where the first daemon dies: right after the first write the predicate accepts. */
  record CrashPoint(String description, BiPredicate<String, String> at) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<CrashPoint> crashPoints() {
    return Stream.of(
        new CrashPoint("after the first cordon", (verb, resource) -> resource.equals("nodes")),
        new CrashPoint(
            "mid-drain, after the first eviction",
            (verb, resource) -> resource.equals("pods/eviction")));
  }

  @ParameterizedTest(name = "killed {0}")
  @MethodSource("crashPoints")
  @Order(6)
  void aDaemonKilledMidNodeIsResumedAndNoNodeStaysCordoned(CrashPoint crash) {
    String name = "ztunnel-crash-" + crash.description().replaceAll("[^a-z]+", "-");
    String from = scenario.ambient.ztunnelHash();
    String to = scenario.upgrade();
    int mark = scenario.timeline.mark();
    int before = scenario.fixture.meshgateRequests().size();
    AtomicBoolean dead = new AtomicBoolean();
    List<String> writes = new ArrayList<>();
    WriteHook killAt =
        (verb, resource, object) -> {
          // a dead process writes nothing more: every later write of this daemon fails too
          if (dead.get()) {
            throw new SimulatedCrash(writes.size());
          }
          writes.add(verb + " " + resource + " " + object);
          if (crash.at().test(verb, resource)) {
            dead.set(true);
            throw new SimulatedCrash(writes.size());
          }
        };
    try (Daemon first = scenario.start(killAt, NodeGate.passing())) {
      scenario.fixture.apply(manifest(name, DAEMON_SET));
      await("the daemon is killed " + crash).atMost(Duration.ofSeconds(120)).untilTrue(dead);
    }
    assertThat(scenario.timeline.cordoned()).as("cordoned when it died").isNotEmpty();
    MigrationStatus end;
    try (Daemon second = scenario.start(WriteHook.NONE, NodeGate.passing())) {
      end = scenario.awaitEnd(name);
    }

    scenario.assertInvariants(new ZtunnelScenario.Run(name, from, to, end, mark, before), Set.of());
    for (String node : scenario.nodes()) {
      assertThat(node(end, node).phase()).as(node).isEqualTo(TargetPhase.Promoted);
    }
    assertThat(scenario.ambient.ztunnelHashByNode().values()).hasSize(3).containsOnly(to);
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.Leadership;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.notify.Notifier;
import io.meshgate.sim.Census;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The daemon killed right after one of its writes (a flip, a restart, a status write, a restore, an
 * Event, the first restart of a rollback; in tag mode the tag move and a pin) on a real API server,
 * and a new daemon started on what the cluster then holds: it ends where an uninterrupted run ends,
 * and no workload is restarted twice.
 */
class CrashRealClusterIT {
  private static final DaemonConfig CONFIG =
      new DaemonConfig(
          RealClusterFixture.CONFIG.prometheus(),
          RealClusterFixture.CONFIG.rulesDir(),
          RealClusterFixture.CONFIG.controlPlaneNamespace(),
          RealClusterFixture.CONFIG.http(),
          RealClusterFixture.CONFIG.alerts(),
          null,
          new DaemonConfig.LeaderElection(false, "meshgate", "meshgate-leader"));
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final String SETTINGS =
      "interval: 1s\nfailureLimit: 2\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 2m}";
  private static final String TAG = "prod-stable";
  private static final Path TAG_RBAC = Path.of("deploy/optional/revision-tags-rbac.yaml");

  private static RealClusterFixture fixture;

  @BeforeAll
  static void cluster() {
    fixture = RealClusterFixture.start();
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** One write, as the write hook sees it. */
  record Write(String verb, String resource, String name) {}

  /** Where to crash: right after the first write the predicate accepts, given the writes so far. */
  record CrashPoint(String description, java.util.function.BiPredicate<Write, List<Write>> at) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<CrashPoint> crashPoints() {
    return Stream.of(
        new CrashPoint(
            "after the first flip",
            (w, before) -> w.verb().equals("patch") && w.resource().equals("namespaces")),
        new CrashPoint("after the first restart", (w, before) -> isRestart(w)),
        new CrashPoint(
            "after the first status write",
            (w, before) -> w.resource().equals("revisionmigrations/status")),
        new CrashPoint("after the first Event", (w, before) -> w.resource().equals("events")),
        new CrashPoint(
            "after the restore of the regressing namespace",
            (w, before) -> isBadNamespacePatch(w) && badNamespacePatches(before) == 1),
        new CrashPoint(
            "after the first restart of the rollback",
            (w, before) ->
                isRestart(w) && w.name().startsWith("bad-") && badNamespacePatches(before) == 2));
  }

  private static boolean isRestart(Write w) {
    return w.verb().equals("patch") && w.resource().matches("deployments|statefulsets|daemonsets");
  }

  /** Patches of the regressing namespace: the first flips it, the second restores it. */
  private static boolean isBadNamespacePatch(Write w) {
    return w.verb().equals("patch")
        && w.resource().equals("namespaces")
        && w.name().startsWith("bad-");
  }

  private static long badNamespacePatches(List<Write> writes) {
    return writes.stream().filter(CrashRealClusterIT::isBadNamespacePatch).count();
  }

  @ParameterizedTest(name = "killed {0}")
  @MethodSource("crashPoints")
  void aDaemonKilledRightAfterAWriteIsResumedByTheNextToTheSameEnd(CrashPoint crash) {
    int run = RUNS.incrementAndGet();
    String good = "good-" + run;
    String bad = "bad-" + run;
    fixture.mesh.appNamespace(good, Map.of("istio.io/rev", FROM));
    fixture.mesh.appNamespace(bad, Map.of("istio.io/rev", FROM));

    MigrationStatus end = killedAndResumed(crash, "crash-" + run, "", good, bad);

    assertThat(fixture.mesh.labels(good)).containsEntry("istio.io/rev", TO);
    assertThat(fixture.mesh.labels(bad)).containsEntry("istio.io/rev", FROM);
    assertThat(phase(end, bad)).isEqualTo(TargetPhase.RolledBack);
  }

  static Stream<CrashPoint> tagModeCrashPoints() {
    return Stream.of(
        new CrashPoint(
            "right after the tag move",
            (w, before) -> w.resource().equals("mutatingwebhookconfigurations")),
        new CrashPoint(
            "right after the pin of the regressing namespace",
            (w, before) -> isBadNamespacePatch(w)));
  }

  @ParameterizedTest(name = "tag mode, killed {0}")
  @MethodSource("tagModeCrashPoints")
  void tagModeKilledRightAfterItsOwnWritesIsResumedToTheSameEnd(CrashPoint crash) {
    fixture.applyFile(TAG_RBAC);
    // each run starts with the tag on the old revision, as tag mode requires
    fixture.mesh.tag(TAG, FROM);
    int run = RUNS.incrementAndGet();
    String good = "good-tag-" + run;
    String bad = "bad-tag-" + run;
    fixture.mesh.appNamespace(good, Map.of("istio.io/rev", TAG));
    fixture.mesh.appNamespace(bad, Map.of("istio.io/rev", TAG));
    long movesBefore = tagMoves();

    MigrationStatus end =
        killedAndResumed(crash, "crash-tag-" + run, "tag: " + TAG + "\n", good, bad);

    assertThat(tagMoves() - movesBefore).as("the tag moved once").isEqualTo(1);
    assertThat(end.revisions().tag()).isEqualTo(new MigrationStatus.TagMove(TAG, FROM, TO));
    assertThat(fixture.mesh.labels(good)).containsEntry("istio.io/rev", TAG);
    assertThat(fixture.mesh.labels(bad)).as("pinned").containsEntry("istio.io/rev", FROM);
  }

  static Stream<CrashPoint> gatewayCrashPoints() {
    return Stream.of(
        new CrashPoint(
            "right after the first gateway's flip",
            (w, before) -> w.verb().equals("patch") && w.resource().equals("deployments")),
        new CrashPoint(
            "right after the restore of the regressing gateway",
            (w, before) ->
                isBadGatewayPatch(w)
                    && before.stream().filter(CrashRealClusterIT::isBadGatewayPatch).count() == 1));
  }

  private static boolean isBadGatewayPatch(Write w) {
    return w.verb().equals("patch")
        && w.resource().equals("deployments")
        && w.name().startsWith("gw-bad-");
  }

  /**
   * Injected gateways (issue 25): the flip carries the restart id, so a daemon killed between the
   * flip and the rollout resumes without a second template change, forward or back.
   */
  @ParameterizedTest(name = "gateways, killed {0}")
  @MethodSource("gatewayCrashPoints")
  void gatewaysKilledRightAfterTheirFlipOrRestoreRollOutOnceEachWay(CrashPoint crash) {
    int run = RUNS.incrementAndGet();
    String good = "gw-good-" + run;
    String bad = "gw-bad-" + run;
    fixture.mesh.namespace(good, Map.of()).injectedGateway(good, "ingress", FROM, 2);
    fixture.mesh.namespace(bad, Map.of()).injectedGateway(bad, "ingress", FROM, 2);
    fixture.mesh.awaitSettled(good);
    fixture.mesh.awaitSettled(bad);
    ScriptedGate gate = new ScriptedGate();
    gate.failing.add("Deployment/" + bad + "/ingress");
    String name = "crash-gateways-" + run;
    String waves =
        """
        - name: all
          soak: 0s
          maxConcurrent: 2
          gateways:
            - {kind: Deployment, namespace: %s, name: ingress}
            - {kind: Deployment, namespace: %s, name: ingress}
        """
            .formatted(good, bad);

    MigrationStatus end = killedAndResumed(crash, migration(name, SETTINGS, waves), name, gate);

    fixture.mesh.awaitSettled(good);
    fixture.mesh.awaitSettled(bad);
    assertThat(end.gateway("Deployment/" + good + "/ingress").orElseThrow().phase())
        .isEqualTo(TargetPhase.Promoted);
    assertThat(end.gateway("Deployment/" + bad + "/ingress").orElseThrow().phase())
        .isEqualTo(TargetPhase.RolledBack);
    assertThat(fixture.restarts(good)).isEqualTo(Map.of("deployments/ingress", 1));
    assertThat(fixture.restarts(bad))
        .as("the flip, then the restore")
        .isEqualTo(Map.of("deployments/ingress", 2));
    assertThat(fixture.mesh.census(good)).isEqualTo(new Census(Map.of(TO, 2), 0));
    assertThat(fixture.mesh.census(bad)).isEqualTo(new Census(Map.of(FROM, 2), 0));
  }

  private static long tagMoves() {
    return fixture.meshgateRequests().stream()
        .filter(r -> r.verb().equals("patch") && r.code() == 200)
        .filter(r -> ("istio-revision-tag-" + TAG).equals(r.name()))
        .count();
  }

  /**
   * Migrates {@code good} (promoted) and {@code bad} (its gate fails: rolled back) with a daemon
   * killed at {@code crash}, then a new daemon; checks the end is what an uninterrupted run reaches
   * and no workload was restarted twice (the rolled-back ones once each way).
   */
  private static MigrationStatus killedAndResumed(
      CrashPoint crash, String name, String extraSpec, String good, String bad) {
    fixture.mesh.awaitSettled(good);
    fixture.mesh.awaitSettled(bad);
    ScriptedGate gate = new ScriptedGate();
    gate.failing.add(bad);
    MigrationStatus end =
        killedAndResumed(
            crash,
            migration(
                name,
                extraSpec + SETTINGS,
                "- {name: all, namespaces: [%s, %s], soak: 0s, maxConcurrent: 2}"
                    .formatted(good, bad)),
            name,
            gate);
    fixture.mesh.awaitSettled(good);
    fixture.mesh.awaitSettled(bad);

    assertThat(phase(end, good)).isEqualTo(TargetPhase.Promoted);
    assertThat(phase(end, bad)).isEqualTo(TargetPhase.RolledBack);
    assertThat(fixture.restarts(good))
        .as("restarts of the promoted namespace's workloads")
        .isEqualTo(
            Map.of(
                "daemonsets/" + good + "-agent", 1,
                "deployments/" + good + "-web", 1,
                "statefulsets/" + good + "-db", 1));
    assertThat(fixture.restarts(bad))
        .as("restarts of the rolled-back namespace's workloads: forward, then back")
        .isEqualTo(
            Map.of(
                "daemonsets/" + bad + "-agent", 2,
                "deployments/" + bad + "-web", 2,
                "statefulsets/" + bad + "-db", 2));
    assertThat(fixture.mesh.census(good)).isEqualTo(new Census(Map.of(TO, 6), 0));
    assertThat(fixture.mesh.census(bad)).isEqualTo(new Census(Map.of(FROM, 6), 0));
    return end;
  }

  /** {@code manifest} applied with a daemon killed at {@code crash}, then a new daemon's end. */
  private static MigrationStatus killedAndResumed(
      CrashPoint crash, String manifest, String name, ScriptedGate gate) {
    List<Write> writes = new ArrayList<>();
    AtomicBoolean dead = new AtomicBoolean();
    WriteHook killAt =
        (verb, resource, object) -> {
          // a dead process writes nothing more: every later write of this daemon fails too
          if (dead.get()) {
            throw new SimulatedCrash(writes.size());
          }
          Write w = new Write(verb, resource, object.contains("/") ? object.split("/")[0] : object);
          List<Write> before = List.copyOf(writes);
          writes.add(w);
          if (crash.at().test(w, before)) {
            dead.set(true);
            throw new SimulatedCrash(writes.size());
          }
        };
    Daemon first = start(killAt, gate);
    try {
      fixture.apply(manifest);
      await("the daemon is killed " + crash).atMost(Duration.ofSeconds(120)).untilTrue(dead);
    } finally {
      first.close();
    }
    Daemon second = start(WriteHook.NONE, gate);
    try {
      return await("the next daemon finishes the migration")
          .atMost(Duration.ofSeconds(180))
          .until(() -> fixture.status(name), s -> s.phase().isTerminal());
    } finally {
      second.close();
    }
  }

  private static Daemon start(WriteHook hook, ScriptedGate gate) {
    KubernetesClient meshgate = fixture.meshgateClient();
    return Daemon.start(
        CONFIG,
        meshgate,
        Clock.systemUTC(),
        Notifier.NONE,
        new Daemon.Options("meshgate-crash", Leadership.Timings.DEFAULT, hook, gate, true));
  }
}

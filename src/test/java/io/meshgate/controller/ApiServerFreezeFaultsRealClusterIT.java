package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.kube.Leadership;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.Census;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, control-plane faults: kube-apiserver frozen (SIGSTOP) for longer than the lease under
 * two replicas of {@code meshgate run} (production lease timings: {@link
 * Leadership.Timings#DEFAULT}). The leader cannot renew, so it steps down once its renew deadline
 * passes, before the lease expires and another replica could take it; after SIGCONT exactly one
 * replica acts, and the audit log shows no write of the old leader after the first write of the new
 * one: the writes after the freeze are one replica's, then possibly the other's, never mixed.
 */
class ApiServerFreezeFaultsRealClusterIT {
  private static final String MIGRATION = "api-freeze";
  private static final List<String> NAMESPACES = List.of("first", "second", "third");
  private static final Duration FREEZE = Leadership.Timings.DEFAULT.leaseDuration().plusSeconds(10);

  private static DaemonReplicas replicas;
  private static RealClusterFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    replicas = DaemonReplicas.start("api-freeze", NAMESPACES);
    fixture = replicas.fixture;
  }

  @AfterAll
  static void stop() throws IOException {
    if (replicas != null) {
      replicas.close();
    }
  }

  @Test
  void theLeaderStepsDownWhileTheServerIsFrozenAndOnlyOneReplicaActsAfterwards() throws Exception {
    replicas.run("meshgate-a");
    replicas.run("meshgate-b");
    String leader =
        await("one replica holds the lease")
            .atMost(Duration.ofSeconds(90))
            .until(replicas::holder, replicas::isReplica);
    fixture.apply(
        migration(
                MIGRATION,
                "interval: 1s\npassStreak: 1\nrestart: {timeout: 3m}",
                """
                - {name: one, namespaces: [first], soak: 0s}
                - {name: two, namespaces: [second], soak: 0s}
                - {name: three, namespaces: [third], soak: 0s}
                """)
            .replace("- {rule: error-rate}", "- {rule: always-healthy}"));
    await("the leader promotes the first wave")
        .atMost(Duration.ofSeconds(120))
        .until(() -> phase(fixture.status(MIGRATION), "first") == TargetPhase.Promoted);

    int requestsAtFreeze = fixture.meshgateRequests().size();
    fixture.mesh.cluster.freezeApiServer();
    long frozen = System.nanoTime();
    await("the leader steps down while the server is frozen")
        .atMost(FREEZE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> steppedDown(leader));
    Duration stepDown = Duration.ofNanos(System.nanoTime() - frozen);
    long left = FREEZE.toNanos() - (System.nanoTime() - frozen);
    if (left > 0) {
      // the freeze lasts longer than the lease whatever the replicas do: only the clock to await
      Thread.sleep(Duration.ofNanos(left).toMillis());
    }
    fixture.mesh.cluster.thawApiServer();
    long thawed = System.nanoTime();

    await("a replica acts again")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                !ApiServerRestartFaultsRealClusterIT.actingWrites(since(requestsAtFreeze))
                    .isEmpty());
    Duration acting = Duration.ofNanos(System.nanoTime() - thawed);
    await("the migration ends")
        .atMost(Duration.ofSeconds(180))
        .until(() -> fixture.status(MIGRATION).phase() == MigrationPhase.Succeeded);

    List<AuditLog.Request> writes = actingWrites(since(requestsAtFreeze));
    List<String> turns = turns(writes);
    System.out.printf(
        "FIGURE kube-apiserver frozen %d s (lease %d s, renew deadline %d s): leader %s stepped"
            + " down %d ms after the freeze; a replica acting again %d ms after SIGCONT; writes"
            + " after the freeze by turn: %s%n",
        FREEZE.toSeconds(),
        Leadership.Timings.DEFAULT.leaseDuration().toSeconds(),
        Leadership.Timings.DEFAULT.renewDeadline().toSeconds(),
        leader,
        stepDown.toMillis(),
        acting.toMillis(),
        turns);
    assertThat(stepDown).isLessThan(Leadership.Timings.DEFAULT.leaseDuration());
    assertThat(turns)
        .as(
            "replicas writing after the freeze, in the order the API server completed them: %s",
            writes)
        .hasSizeLessThanOrEqualTo(2);
    assertThat(fixture.status(MIGRATION).promoted()).isEqualTo("3/3");
    for (String ns : NAMESPACES) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.labels(ns)).as(ns).containsEntry("istio.io/rev", TO);
      assertThat(fixture.mesh.census(ns)).as(ns).isEqualTo(new Census(Map.of(TO, 6), 0));
      assertThat(fixture.restarts(ns).values()).as("restarts in %s", ns).containsOnly(1);
      assertThat(fixture.restarts(ns)).hasSize(3);
    }
  }

  /**
   * The replicas whose writes follow each other: [a] one acted, [a, b] a then b, [a, b, a] overlap.
   */
  private static List<String> turns(List<AuditLog.Request> writes) {
    List<String> turns = new ArrayList<>();
    for (AuditLog.Request w : writes) {
      String replica = replicaOf(w);
      if (turns.isEmpty() || !turns.get(turns.size() - 1).equals(replica)) {
        turns.add(replica);
      }
    }
    return turns;
  }

  private static String replicaOf(AuditLog.Request r) {
    return replicas.identities().stream()
        .filter(id -> r.userAgent().contains("(" + id + ")"))
        .findFirst()
        .orElse(r.userAgent());
  }

  /** Stopped acting: the renew deadline passed without a renewal, or the lease was lost. */
  private static boolean steppedDown(String replica) throws IOException {
    return Files.readString(replicas.log(replica)).contains("stopped acting");
  }

  private static List<AuditLog.Request> since(int index) {
    List<AuditLog.Request> all = fixture.meshgateRequests();
    return all.subList(Math.min(index, all.size()), all.size());
  }

  /** Writes that act on the cluster or record progress, whatever the answer: all but the lease. */
  private static List<AuditLog.Request> actingWrites(List<AuditLog.Request> requests) {
    return requests.stream()
        .filter(r -> !List.of("get", "list", "watch").contains(r.verb()))
        .filter(r -> !"leases".equals(r.resource()))
        .toList();
  }
}

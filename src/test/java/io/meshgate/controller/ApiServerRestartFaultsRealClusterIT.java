package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.Census;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, control-plane faults: kube-apiserver restarted mid-migration on the same etcd, as a
 * control-plane upgrade does. Every connection and watch of the daemon ends and its lease cannot be
 * renewed meanwhile; once the server is back it re-establishes its watches, takes the lease again
 * and ends the migration where an uninterrupted run ends, restarting no workload twice.
 */
class ApiServerRestartFaultsRealClusterIT {
  private static final String MIGRATION = "api-restart";
  private static final List<String> NAMESPACES = List.of("first", "second", "third");

  private static RealClusterFixture fixture;
  private static Daemon daemon;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    for (String ns : NAMESPACES) {
      fixture.mesh.appNamespace(ns, Map.of("istio.io/rev", FROM));
    }
    NAMESPACES.forEach(fixture.mesh::awaitSettled);
    daemon = fixture.startDaemon("meshgate-a", new ScriptedGate());
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aMigrationOverAnApiServerRestartEndsAsItWouldHaveWithNoWorkloadRestartedTwice() {
    fixture.apply(
        migration(
            MIGRATION,
            "interval: 1s\npassStreak: 2\nrestart: {timeout: 3m}",
            """
            - {name: one, namespaces: [first], soak: 0s}
            - {name: two, namespaces: [second], soak: 0s}
            - {name: three, namespaces: [third], soak: 0s}
            """));
    await("the first namespace is promoted and the second under way")
        .atMost(Duration.ofSeconds(120))
        .until(() -> phase(fixture.status(MIGRATION), "first") == TargetPhase.Promoted);

    // a watch the daemon re-opens at once can land before restartApiServer returns
    int requestsBeforeRestart = fixture.meshgateRequests().size();
    Duration away = fixture.mesh.cluster.restartApiServer();
    long back = System.nanoTime();
    int requestsAtRestart = fixture.meshgateRequests().size();

    await("the daemon acts again")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !actingWrites(since(requestsAtRestart)).isEmpty());
    Duration recovered = Duration.ofNanos(System.nanoTime() - back);
    await("the migration ends")
        .atMost(Duration.ofSeconds(180))
        .until(() -> fixture.status(MIGRATION).phase() == MigrationPhase.Succeeded);
    System.out.printf(
        "FIGURE kube-apiserver restart mid-migration: away %d ms; daemon acting again %d ms after"
            + " the server was ready%n",
        away.toMillis(), recovered.toMillis());

    // each informer re-opens its watch after its own reconnect backoff, which may outlast a
    // migration this short
    await("the daemon re-opens its watches on the restarted server")
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                assertThat(since(requestsBeforeRestart))
                    .anyMatch(
                        r -> r.verb().equals("watch") && "revisionmigrations".equals(r.resource()))
                    .anyMatch(r -> r.verb().equals("watch") && "namespaces".equals(r.resource())));
    assertThat(fixture.status(MIGRATION).promoted()).isEqualTo("3/3");
    for (String ns : NAMESPACES) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.labels(ns)).as(ns).containsEntry("istio.io/rev", TO);
      assertThat(fixture.mesh.census(ns)).as(ns).isEqualTo(new Census(Map.of(TO, 6), 0));
      assertThat(fixture.restarts(ns).values()).as("restarts in %s", ns).containsOnly(1);
      assertThat(fixture.restarts(ns)).as("workloads restarted in %s", ns).hasSize(3);
    }
  }

  private static List<AuditLog.Request> since(int index) {
    List<AuditLog.Request> all = fixture.meshgateRequests();
    return all.subList(Math.min(index, all.size()), all.size());
  }

  /**
   * Writes that act on the cluster or record progress, answered with success: all but the lease.
   */
  static List<AuditLog.Request> actingWrites(List<AuditLog.Request> requests) {
    return requests.stream()
        .filter(r -> !List.of("get", "list", "watch").contains(r.verb()))
        .filter(r -> !"leases".equals(r.resource()))
        .filter(r -> r.code() >= 200 && r.code() < 300)
        .toList();
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of {@code meshgate run} (the daemon image's jar, {@code target/meshgate-daemon.jar},
 * as its own process, authenticated with a ServiceAccount token kubeconfig) compete for the real
 * Lease {@code meshgate/meshgate-leader}: the leader is killed with SIGKILL mid-migration, without
 * releasing anything, and the other replica takes the lease over once it expires and finishes the
 * migration, restarting no workload twice.
 */
class LeaderElectionRealClusterIT {
  private static final String MIGRATION = "istio-1-20";
  private static final List<String> NAMESPACES = List.of("first", "second", "third");

  private static DaemonReplicas replicas;
  private static RealClusterFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    replicas = DaemonReplicas.start("leader-election", NAMESPACES);
    fixture = replicas.fixture;
  }

  @AfterAll
  static void stop() throws IOException {
    if (replicas != null) {
      replicas.close();
    }
  }

  @Test
  void whenTheLeaderIsKilledTheOtherReplicaTakesOverAndFinishes() throws Exception {
    replicas.run("meshgate-a");
    replicas.run("meshgate-b");
    String leader =
        await("one replica holds the lease")
            .atMost(Duration.ofSeconds(60))
            .until(replicas::holder, replicas::isReplica);
    String follower = leader.equals("meshgate-a") ? "meshgate-b" : "meshgate-a";

    fixture.apply(
        migration(
                MIGRATION,
                "interval: 1s\npassStreak: 1\nrestart: {timeout: 2m}",
                """
            - {name: one, namespaces: [first], soak: 0s}
            - {name: two, namespaces: [second], soak: 0s}
            - {name: three, namespaces: [third], soak: 0s}
            """)
            .replace("- {rule: error-rate}", "- {rule: always-healthy}"));
    await("the leader promotes the first wave")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status(MIGRATION), "first") == TargetPhase.Promoted);
    assertThat(actingWrites(follower)).as("writes of %s while it follows", follower).isEmpty();

    Process killed = replicas.replica(leader);
    killed.destroyForcibly();
    assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
    int requestsAtKill = fixture.meshgateRequests().size();

    await("the other replica takes the lease over")
        .atMost(Duration.ofSeconds(60))
        .until(replicas::holder, follower::equals);
    await("the new leader finishes the migration")
        .atMost(Duration.ofSeconds(120))
        .until(() -> fixture.status(MIGRATION).phase() == MigrationPhase.Succeeded);

    List<AuditLog.Request> all = fixture.meshgateRequests();
    List<AuditLog.Request> afterKill = all.subList(requestsAtKill, all.size());
    assertThat(afterKill).noneMatch(r -> r.userAgent().contains("(" + leader + ")"));
    assertThat(actingWrites(follower)).isNotEmpty();
    assertTheLogIsJsonWithTheUnitOfWorkAsFields(follower);
    assertThat(fixture.status(MIGRATION).promoted()).isEqualTo("3/3");
    for (String ns : NAMESPACES) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.labels(ns)).as(ns).containsEntry("istio.io/rev", TO);
      assertThat(fixture.mesh.census(ns)).as(ns).isEqualTo(new Census(Map.of(TO, 6), 0));
      assertThat(fixture.restarts(ns).values()).as("restarts in %s", ns).containsOnly(1);
      assertThat(fixture.restarts(ns)).hasSize(3);
    }
  }

  /** Without a terminal, `meshgate run` logs JSON; a flip names its migration and namespace. */
  private static void assertTheLogIsJsonWithTheUnitOfWorkAsFields(String replica)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(replicas.log(replica))) {
      if (line.startsWith("{")) {
        lines.add(json.readTree(line));
      }
    }
    assertThat(lines)
        .anySatisfy(
            line -> {
              assertThat(line.path("message").asText()).startsWith("flipped istio.io/rev=" + TO);
              assertThat(line.path("migration").asText()).isEqualTo(MIGRATION);
              assertThat(line.path("namespace").asText()).isIn(NAMESPACES);
              assertThat(line.path("fromRevision").asText()).isEqualTo(FROM);
              assertThat(line.path("toRevision").asText()).isEqualTo(TO);
            });
  }

  /** Writes of one replica that act on the cluster or record progress: all but the lease. */
  private static List<AuditLog.Request> actingWrites(String replica) {
    return fixture.meshgateRequests().stream()
        .filter(r -> r.userAgent().contains("(" + replica + ")"))
        .filter(r -> !List.of("get", "list", "watch").contains(r.verb()))
        .filter(r -> !"leases".equals(r.resource()))
        .toList();
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.meshgate.app.Daemon;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.Census;
import io.meshgate.sim.RealMesh;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the real workload controllers report when a rollout goes wrong, and how meshgate reads it: a
 * Deployment past its progress deadline rolls back at once, pods that never become ready roll back
 * at {@code restart.timeout}, an unavailable rollback revision holds without touching anything, and
 * a dry run writes nothing but its own status and Events.
 */
class RolloutFailuresRealClusterIT {
  private static final String SPEC = "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\n";

  private static RealClusterFixture fixture;
  private static Daemon daemon;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    daemon = fixture.startDaemon("meshgate-0", new ScriptedGate());
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

  /** New pods of the namespace, those that came up with the target revision's sidecar. */
  private static Predicate<Pod> onTarget(String namespace) {
    return pod ->
        pod.getMetadata().getNamespace().equals(namespace)
            && pod.getMetadata().getAnnotations() != null
            && TO.equals(pod.getMetadata().getAnnotations().get("istio.io/rev"));
  }

  @Test
  void aDeploymentPastItsProgressDeadlineRollsBackAtOnce() {
    fixture
        .mesh
        .namespace("deadline", Map.of("istio.io/rev", FROM))
        .deployment("deadline", "web", 2);
    fixture.mesh.progressDeadline("deadline", "web", 5);
    fixture.mesh.awaitSettled("deadline");
    fixture.mesh.kubelet.keepUnready("deadline", onTarget("deadline"));

    fixture.apply(
        migration(
            "deadline", SPEC + "restart: {timeout: 30m}", "- {name: all, namespaces: [deadline]}"));

    TargetStatus rollingBack =
        await("the deployment controller reports ProgressDeadlineExceeded")
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> fixture.status("deadline").namespace("deadline").orElse(null),
                ns -> ns != null && ns.phase() == TargetPhase.RollingBack);
    assertThat(rollingBack.lastVerdict().reason())
        .isEqualTo("a rollout reported ProgressDeadlineExceeded");
    await("the rollback ends")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status("deadline"), "deadline") == TargetPhase.RolledBack);
    fixture.mesh.awaitSettled("deadline");
    assertThat(fixture.mesh.labels("deadline")).containsEntry("istio.io/rev", FROM);
    assertThat(fixture.mesh.census("deadline")).isEqualTo(new Census(Map.of(FROM, 2), 0));
  }

  @Test
  void podsThatNeverBecomeReadyRollBackAtTheRestartTimeout() {
    fixture.mesh.namespace("unready", Map.of("istio.io/rev", FROM)).statefulSet("unready", "db", 1);
    fixture.mesh.awaitSettled("unready");
    fixture.mesh.kubelet.keepUnready("unready", onTarget("unready"));

    fixture.apply(
        migration(
            "unready", SPEC + "restart: {timeout: 10s}", "- {name: all, namespaces: [unready]}"));

    TargetStatus rollingBack =
        await("restart.timeout passes")
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> fixture.status("unready").namespace("unready").orElse(null),
                ns -> ns != null && ns.phase() == TargetPhase.RollingBack);
    assertThat(rollingBack.lastVerdict().reason())
        .startsWith("rollout not complete after 10s (restart.timeout): 0/1 workloads rolled out");
    fixture.mesh.kubelet.release("unready");
    await("the rollback ends")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status("unready"), "unready") == TargetPhase.RolledBack);
    assertThat(fixture.mesh.labels("unready")).containsEntry("istio.io/rev", FROM);
  }

  @Test
  void anUnavailableRollbackRevisionHoldsAndTouchesNothingUntilItIsBack() {
    fixture.mesh.namespace("guarded", Map.of("istio.io/rev", FROM)).deployment("guarded", "web", 1);
    fixture.mesh.awaitSettled("guarded");
    fixture.mesh.istiodDown(FROM);
    try {
      // still "Available" by its condition (it has all the zero replicas it wants), but no pod
      await("istiod " + FROM + " has no pod")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  fixture.mesh.pods(RealMesh.CONTROL_PLANE_NAMESPACE).stream()
                      .noneMatch(p -> p.getMetadata().getName().startsWith("istiod-" + FROM)));

      fixture.apply(
          migration(
              "guarded", SPEC + "restart: {timeout: 2m}", "- {name: all, namespaces: [guarded]}"));

      TargetStatus held =
          await("the namespace holds")
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> fixture.status("guarded").namespace("guarded").orElse(null),
                  ns -> ns != null && ns.lastVerdict() != null);
      assertThat(held.phase()).isEqualTo(TargetPhase.Pending);
      assertThat(held.lastVerdict().reason())
          .startsWith(
              "RevisionUnavailable: istiod of rollback revision " + FROM + " is not Available");
      assertThat(
              fixture.meshgateRequests().stream()
                  .filter(
                      r ->
                          ("namespaces".equals(r.resource()) && "guarded".equals(r.name()))
                              || "guarded".equals(r.namespace()))
                  .filter(r -> !List.of("get", "list", "watch").contains(r.verb())))
          .as("writes to namespace guarded")
          .isEmpty();
    } finally {
      fixture.mesh.istiodUp(FROM);
    }

    await("the migration goes on once istiod is back")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status("guarded"), "guarded") == TargetPhase.Promoted);
  }

  @Test
  void aDryRunWritesNothingButItsOwnStatusAndEvents() {
    fixture.mesh.appNamespace("dry", Map.of("istio.io/rev", FROM));
    fixture.mesh.awaitSettled("dry");
    int before = fixture.meshgateRequests().size();

    fixture.apply(migration("dry", SPEC + "dryRun: true", "- {name: all, namespaces: [dry]}"));

    MigrationStatus end =
        await("the dry run ends")
            .atMost(Duration.ofSeconds(60))
            .until(() -> fixture.status("dry"), s -> s.phase() == MigrationPhase.Succeeded);
    List<AuditLog.Request> all = fixture.meshgateRequests();
    List<AuditLog.Request> writes =
        all.subList(before, all.size()).stream()
            .filter(r -> !List.of("get", "list", "watch").contains(r.verb()))
            .filter(r -> !"leases".equals(r.resource()))
            .toList();
    assertThat(writes).isNotEmpty();
    assertThat(writes)
        .allSatisfy(
            r ->
                assertThat(
                        ("revisionmigrations/status".equals(r.rbacResource())
                                && "dry".equals(r.name()))
                            || "events".equals(r.resource()))
                    .as("%s", r)
                    .isTrue());
    assertThat(phase(end, "dry")).isEqualTo(TargetPhase.Promoted);
    assertThat(fixture.mesh.labels("dry")).containsEntry("istio.io/rev", FROM);
    assertThat(fixture.restarts("dry")).isEmpty();
  }
}

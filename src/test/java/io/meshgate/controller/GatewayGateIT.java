package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.Notification;
import io.meshgate.sim.Census;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.RevisionFault;
import io.meshgate.sim.Traffic;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An injected gateway judged by the shipped gateway rules on a real Prometheus (issue 25): the
 * ingress gateway of the simulated mesh answers 20% 5xx while its pods run the new revision, and
 * the whole daemon rolls it back on {@code gateway-error-rate}, its template label exactly as it
 * was and its pods back on the old revision, never promoting it.
 */
class GatewayGateIT {
  private static final String FROM = "1-19-0";
  private static final String TO = "1-20-0";
  private static final String NAMESPACE = "istio-ingress";
  private static final String GATEWAY = "istio-ingressgateway";
  private static final String KEY = "Deployment/" + NAMESPACE + "/" + GATEWAY;

  @TempDir Path dir;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @Test
  void aGatewayServing20PercentErrorsOnTheNewRevisionIsRolledBackByGatewayErrorRate()
      throws Exception {
    List<Notification> notifications = new CopyOnWriteArrayList<>();
    try (MeshSimulator mesh =
            new MeshSimulator(25)
                .ingressGateway(NAMESPACE, GATEWAY)
                .namespace("shop", Traffic.HEALTHY.withRequestsPerSecond(100))
                .revision(FROM, ControlPlane.healthy("1.19.0"))
                .revision(TO, ControlPlane.healthy("1.20.0"));
        Harness harness = new Harness()) {
      mesh.start();
      harness.sim.namespace(NAMESPACE, Map.of()).injectedGateway(NAMESPACE, GATEWAY, FROM, 2);
      harness.sim.namespace("meshgate", Map.of());
      try (PrometheusProcess prometheus =
              release()
                  .start(
                      dir.resolve("prometheus"),
                      PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null));
          // every request the gateway sends fails 20% of the time while its pods run the new one
          RevisionFault fault =
              RevisionFault.follow(mesh, "shop", TO, 0.2, () -> harness.sim.census(NAMESPACE));
          Daemon daemon =
              Daemon.start(
                  DaemonConfigLoader.load(config(prometheus), true),
                  harness.sim.client(),
                  Clock.systemUTC(),
                  notifications::add,
                  new Daemon.Options(
                      "gateway-gate", Leadership.Timings.DEFAULT, WriteHook.NONE, null, true))) {
        harness
            .sim
            .client()
            .resources(RevisionMigration.class)
            .load(new ByteArrayInputStream(MIGRATION.getBytes(StandardCharsets.UTF_8)))
            .create();

        MigrationStatus end =
            await("the gateway's migration ends")
                .atMost(Duration.ofMinutes(2))
                .until(() -> status(harness), s -> s.phase().isTerminal());

        TargetStatus gateway = end.gateway(KEY).orElseThrow();
        assertThat(end.phase()).isEqualTo(MigrationPhase.Failed);
        assertThat(gateway.phase()).isEqualTo(TargetPhase.RolledBack);
        assertThat(notifications)
            .filteredOn(n -> n.kind() == Notification.Kind.ROLLING_BACK)
            .singleElement()
            .satisfies(
                n ->
                    assertThat(n.message())
                        .startsWith("critical rule gateway-error-rate failed 2 consecutive ticks"));
        assertThat(notifications).noneMatch(n -> n.kind() == Notification.Kind.PROMOTED);
        Deployment deployment =
            harness
                .sim
                .client()
                .apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .withName(GATEWAY)
                .get();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
            .containsEntry("istio.io/rev", FROM);
        assertThat(deployment.getMetadata().getAnnotations())
            .doesNotContainKeys("meshgate.io/previous-labels", "meshgate.io/migration");
        await("the gateway's pods are back on " + FROM)
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> harness.sim.census(NAMESPACE), c -> c.equals(new Census(Map.of(FROM, 2), 0)));
      }
    }
  }

  private static final String MIGRATION =
      """
      apiVersion: meshgate.io/v1alpha1
      kind: RevisionMigration
      metadata: {name: gateway-regression}
      spec:
        fromRevision: "1-19-0"
        toRevision: "1-20-0"
        interval: 2s
        failureLimit: 2
        passStreak: 3
        baselineWindow: 20s
        restart: {timeout: 1m}
        gates: [{rule: gateway-error-rate}, {rule: gateway-p99-latency}]
        waves:
          - name: gateways
            soak: 10s
            gateways: [{kind: Deployment, namespace: istio-ingress, name: istio-ingressgateway}]
      """;

  private Path config(PrometheusProcess prometheus) throws Exception {
    return Files.writeString(
        dir.resolve("meshgate.yaml"),
        """
        prometheus: {url: %s, timeout: 5s}
        rulesDir: %s
        controlPlaneNamespace: istio-system
        http: {port: %d}
        leaderElection: {enabled: false, namespace: meshgate, leaseName: meshgate-leader}
        gate: {minWindow: 4s, scrapeInterval: 1s}
        """
            .formatted(
                prometheus.url(),
                Path.of("rules").toAbsolutePath(),
                LocalProcesses.freeLoopbackPort()));
  }

  private static MigrationStatus status(Harness harness) {
    RevisionMigration rm =
        harness
            .sim
            .client()
            .resources(RevisionMigration.class)
            .withName("gateway-regression")
            .get();
    return RevisionMigrations.toStatus(rm == null ? null : rm.getStatus());
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigrationStatus;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.Condition;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Reason;
import io.meshgate.notify.Notifier;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ClusterSimulator;
import io.meshgate.sim.Manifests;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue "Nothing a cluster sends can stop the daemon", point 1: RevisionMigrations the daemon
 * cannot act on (stored where the API server's CRD did not refuse them: an older CRD, or fabric8's
 * mock, which checks nothing) each get condition Ready=False, reason InvalidSpec, with validate's
 * message, and a Warning Event; nothing is done to their namespaces; the daemon stays up and ready,
 * and every other migration goes on. A field this version does not know is ignored, not refused.
 */
class BadMigrationsTest {
  private Harness harness;
  private Daemon daemon;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    for (String ns : List.of("good", "future", "zero", "huge", "norule")) {
      harness.appNamespace(ns, Map.of("istio.io/rev", FROM));
    }
    harness.sim.namespace("meshgate", Map.of());
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    harness.close();
  }

  /** A migration of one namespace, with {@code override} (YAML) laid over its spec. */
  private void create(String name, String namespace, String override) {
    String manifest =
        """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata: {name: %s}
        spec:
          fromRevision: "%s"
          toRevision: "%s"
          interval: 1s
          passStreak: 1
          gates: [{rule: error-rate}]
          waves: [{name: all, namespaces: [%s], soak: 0s}]
        """
            .formatted(name, FROM, TO, namespace);
    harness
        .sim
        .client()
        .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
        .resource(Manifests.overlaid(manifest, override))
        .create();
  }

  @Test
  void migrationsItCannotActOnAreReportedAndTheOthersGoOn() {
    create("zero-interval", "zero", "interval: 0s");
    create("huge-limit", "huge", "failureLimit: 3000000000");
    create("unknown-rule", "norule", "gates: [{rule: no-such-rule}]");
    create("future-field", "future", "aFieldOfANewerVersion: {enabled: true}");
    create("good", "good", "");

    daemon =
        Daemon.start(
            new DaemonConfig(
                PrometheusSettings.of(URI.create("http://prometheus.invalid:9090")),
                DaemonConfig.DEFAULT_RULES_DIR,
                ClusterSimulator.CONTROL_PLANE_NAMESPACE,
                new DaemonConfig.Http(0, null),
                DaemonConfig.Alerts.DEFAULT,
                null,
                new DaemonConfig.LeaderElection(true, "meshgate", "meshgate-leader")),
            harness.sim.client(),
            Clock.systemUTC(),
            Notifier.NONE,
            new Daemon.Options(
                "meshgate-0",
                new Leadership.Timings(
                    Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200)),
                WriteHook.NONE,
                harness.gate,
                true));

    await("the good migrations finish")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                status("good").phase() == MigrationPhase.Succeeded
                    && status("future-field").phase() == MigrationPhase.Succeeded);
    assertInvalid(
        "zero-interval",
        "field 'spec.interval' is \"0s\"; expected a positive duration such as 30s, 5m or 1h30m");
    assertInvalid(
        "huge-limit", "field 'spec.failureLimit' is 3000000000; expected at most 2147483647");
    assertInvalid(
        "unknown-rule",
        "field 'spec.gates[0].rule' is \"no-such-rule\"; expected a rule in rules"
            + " (convergence-time, error-rate, gateway-error-rate, gateway-p99-latency,"
            + " p99-latency, waypoint-error-rate, waypoint-p99-latency, xds-rejects,"
            + " ztunnel-connection-failures)");
    for (String untouched : List.of("zero", "huge", "norule")) {
      assertThat(harness.labels(untouched)).as(untouched).containsEntry("istio.io/rev", FROM);
    }
    assertThat(harness.labels("good")).containsEntry("istio.io/rev", TO);
    assertThat(daemon.isReady()).isTrue();
  }

  private void assertInvalid(String migration, String message) {
    Condition ready =
        await(migration + " reports InvalidSpec")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    status(migration).conditions().stream()
                        .filter(c -> c.type().equals("Ready"))
                        .findFirst()
                        .orElse(null),
                c -> c != null && Reason.INVALID_SPEC.token().equals(c.reason()));
    assertThat(ready.status()).isEqualTo("False");
    assertThat(ready.message()).isEqualTo(message);
    List<Event> events =
        harness.sim.client().v1().events().inNamespace("default").list().getItems().stream()
            .filter(e -> migration.equals(e.getInvolvedObject().getName()))
            .toList();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo(Reason.INVALID_SPEC.token());
              assertThat(e.getMessage()).isEqualTo(message);
            });
    assertThat(status(migration).phase()).isEqualTo(MigrationPhase.Pending);
  }

  private MigrationStatus status(String migration) {
    GenericKubernetesResource rm =
        harness
            .sim
            .client()
            .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
            .withName(migration)
            .get();
    Object status = rm.getAdditionalProperties().get("status");
    return RevisionMigrations.toStatus(
        status == null
            ? null
            : Serialization.jsonMapper().convertValue(status, RevisionMigrationStatus.class));
  }
}

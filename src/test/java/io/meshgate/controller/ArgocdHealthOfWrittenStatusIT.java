package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.finished;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.deploy.ArgocdHealth;
import io.meshgate.json.Mappers;
import io.meshgate.kube.MigrationCommands;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 29: Argo CD's health script reads the RevisionMigration objects the controller writes (on
 * the simulated cluster, through its API), so its field names are the real ones, not the fixtures'.
 */
class ArgocdHealthOfWrittenStatusIT {
  private static final String WAVES =
      """
      - {name: test, namespaces: [test], soak: 1m}
      - {name: prod, namespaces: [prod-a, prod-b], soak: 1m, requireApproval: true}
      """;

  private Harness harness;
  private Harness.Instance controller;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    harness
        .appNamespace("test", Map.of("istio.io/rev", FROM))
        .appNamespace("prod-a", Map.of("istio.io/rev", FROM))
        .appNamespace("prod-b", Map.of("istio.io/rev", FROM));
    controller = harness.controller();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aMigrationIsProgressingThenSuspendedForApprovalThenHealthy() {
    harness.apply(migration("istio-1-20", "", WAVES));
    harness.tickUntil("istio-1-20", s -> phase(s.namespace("test").orElse(null)) != null, 5);

    ArgocdHealth.Health progressing = ArgocdHealth.of(object("istio-1-20"));
    harness.tickUntil("istio-1-20", s -> s.phase() == MigrationPhase.AwaitingApproval, 40);
    ArgocdHealth.Health awaiting = ArgocdHealth.of(object("istio-1-20"));
    new MigrationCommands(harness.sim.client(), controller.store).approve("istio-1-20", "prod");
    assertThat(harness.tickUntil("istio-1-20", finished(), 60).phase())
        .isEqualTo(MigrationPhase.Succeeded);
    ArgocdHealth.Health succeeded = ArgocdHealth.of(object("istio-1-20"));

    assertThat(progressing)
        .isEqualTo(new ArgocdHealth.Health("Progressing", "Progressing (wave test, 0/3 promoted)"));
    assertThat(awaiting)
        .isEqualTo(
            new ArgocdHealth.Health(
                "Suspended",
                "AwaitingApproval (wave prod, 1/3 promoted): wave prod waits for"
                    + " meshgate.io/approve: prod"));
    assertThat(succeeded)
        .isEqualTo(
            new ArgocdHealth.Health(
                "Healthy", "Succeeded (3/3 promoted): 3 namespaces promoted to 1-20-0"));
  }

  @Test
  void aMigrationPausedByTheFleetBrakeIsSuspendedAndAnAbortedOneDegraded() {
    // one at a time: prod-a has not started when test rolls back, and the abort leaves it be
    harness.apply(
        migration("istio-1-20", "maxRollbacks: 1", "- {name: test, namespaces: [test, prod-a]}"));
    harness.gate.failing.add("test");
    assertThat(harness.tickUntil("istio-1-20", finished(), 60).phase())
        .isEqualTo(MigrationPhase.Paused);
    ArgocdHealth.Health braked = ArgocdHealth.of(object("istio-1-20"));
    new MigrationCommands(harness.sim.client(), controller.store).abort("istio-1-20");
    assertThat(harness.tickUntil("istio-1-20", s -> s.phase() == MigrationPhase.Failed, 60).phase())
        .isEqualTo(MigrationPhase.Failed);
    ArgocdHealth.Health aborted = ArgocdHealth.of(object("istio-1-20"));

    assertThat(braked)
        .isEqualTo(
            new ArgocdHealth.Health(
                "Suspended",
                "Paused (wave test, 0/2 promoted): FleetBrake: 1 namespace rolled back"
                    + " (maxRollbacks 1); resume after investigating"));
    assertThat(aborted)
        .isEqualTo(
            new ArgocdHealth.Health(
                "Degraded",
                "Failed (wave test, 0/2 promoted): Aborted: aborted; 1 namespace rolled back"));
  }

  @Test
  void aHeldNamespaceIsNamedInTheMessage() {
    harness.apply(
        migration("istio-1-20", "onFailure: Hold", "- {name: test, namespaces: [test, prod-a]}"));
    harness.gate.failing.add("test");
    harness.tickUntil(
        "istio-1-20", s -> phase(s.namespace("test").orElse(null)) == TargetPhase.Held, 40);

    assertThat(ArgocdHealth.of(object("istio-1-20")))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Progressing", "Progressing (wave test, 0/2 promoted): held: test"));
  }

  @Test
  void aMigrationMeshgateCannotActOnIsDegraded() {
    harness.apply(
        migration("istio-1-20", "baselineWindow: 0s", "- {name: test, namespaces: [test]}"));
    harness.tick("istio-1-20");

    assertThat(ArgocdHealth.of(object("istio-1-20")))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Degraded",
                "Pending (0/0 promoted): InvalidSpec: field 'spec.baselineWindow' is \"0s\"; expected"
                    + " a positive duration such as 30s, 5m or 1h30m"));
  }

  private static TargetPhase phase(TargetStatus target) {
    return target == null ? null : target.phase();
  }

  /** The object as the API server serves it, what Argo CD's cache holds. */
  private JsonNode object(String name) {
    GenericKubernetesResource object =
        harness
            .sim
            .client()
            .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
            .withName(name)
            .get();
    try {
      return Mappers.json().readTree(Serialization.asJson(object));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

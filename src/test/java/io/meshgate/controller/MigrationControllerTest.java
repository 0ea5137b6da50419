package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static io.meshgate.controller.Harness.finished;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.ApiCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MigrationControllerTest {
  private static final String THREE_WAVES =
      """
      - {name: test, namespaces: [test], soak: 1m}
      - {name: stage, namespaces: [stage-a, stage-b], soak: 1m, maxConcurrent: 2}
      - {name: prod, selector: {matchLabels: {env: prod}}, soak: 1m}
      """;

  private Harness harness;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    harness
        .appNamespace("test", Map.of("istio.io/rev", FROM))
        .appNamespace("stage-a", Map.of("istio-injection", "enabled"))
        .appNamespace("stage-b", Map.of("istio.io/rev", FROM))
        .appNamespace("prod-a", Map.of("istio.io/rev", FROM, "env", "prod"));
    harness.controller();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private static TargetPhase phase(MigrationStatus status, String ns) {
    return status.namespace(ns).map(TargetStatus::phase).orElse(TargetPhase.Pending);
  }

  @Test
  void threeWaveMigrationPromotesEveryNamespaceInOrder() {
    harness.apply(migration("istio-1-20", "", THREE_WAVES));

    MigrationStatus status = harness.tickUntil("istio-1-20", finished(), 80);

    assertThat(status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(status.promoted()).isEqualTo("4/4");
    for (String ns : List.of("test", "stage-a", "stage-b", "prod-a")) {
      assertThat(harness.labels(ns))
          .containsEntry("istio.io/rev", TO)
          .doesNotContainKey("istio-injection");
      assertThat(harness.sim.census(ns).byRevision()).containsOnlyKeys(TO);
    }
    assertThat(status.conditions())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo("OldRevisionUnused");
              assertThat(c.status()).isEqualTo("True");
            });
  }

  @Test
  void theGateMeasuresTheCohortOfNamespacesStillOnTheOldRevisionThatHaveNotStarted() {
    harness.sim.namespace("bystander", Map.of("istio.io/rev", FROM));
    harness.sim.namespace("elsewhere", Map.of("istio.io/rev", "1-18-0"));
    harness.apply(migration("istio-1-20", "", THREE_WAVES));

    harness.tickUntil("istio-1-20", s -> phase(s, "test") == TargetPhase.Promoted, 20);

    assertThat(harness.gate.lastCohort)
        .as("labelled for 1-19-0 and not started; stage-a is injected by istio-injection")
        .containsExactly("bystander", "prod-a", "stage-b");
  }

  @Test
  void regressionInOneNamespaceRollsBackExactlyThatNamespaceAndPausesTheMigration() {
    harness.apply(migration("istio-1-20", "maxRollbacks: 1", THREE_WAVES));
    harness.tickUntil("istio-1-20", s -> phase(s, "test") == TargetPhase.Promoted, 40);
    harness.gate.failing.add("stage-a");

    MigrationStatus status =
        harness.tickUntil("istio-1-20", s -> phase(s, "stage-a") == TargetPhase.RolledBack, 40);
    status = harness.tickUntil("istio-1-20", finished(), 20);

    assertThat(status.phase()).isEqualTo(MigrationPhase.Paused);
    assertThat(status.conditions()).anySatisfy(c -> assertThat(c.reason()).isEqualTo("FleetBrake"));
    assertThat(harness.labels("stage-a"))
        .as("previous labels restored exactly")
        .containsEntry("istio-injection", "enabled")
        .doesNotContainKey("istio.io/rev");
    assertThat(harness.sim.census("stage-a").byRevision()).doesNotContainKey(TO);
    assertThat(phase(status, "test")).isEqualTo(TargetPhase.Promoted);
    assertThat(harness.labels("test")).containsEntry("istio.io/rev", TO);
    assertThat(phase(status, "prod-a")).isEqualTo(TargetPhase.Pending);
    assertThat(harness.labels("prod-a")).containsEntry("istio.io/rev", FROM);
  }

  @Test
  void dryRunWritesNothingButItsOwnStatusAndEvents() {
    harness.apply(migration("istio-1-20", "dryRun: true", THREE_WAVES));
    harness.sim.clearApiCalls();

    MigrationStatus status = harness.tickUntil("istio-1-20", finished(), 80);

    assertThat(status.phase()).isEqualTo(MigrationPhase.Succeeded);
    List<ApiCall> writes = harness.sim.apiCalls().stream().filter(ApiCall::isWrite).toList();
    assertThat(writes).isNotEmpty();
    assertThat(writes)
        .allSatisfy(
            w ->
                assertThat(w.resourcePath())
                    .matches(".*/(revisionmigrations/istio-1-20/status|events)$"));
    assertThat(harness.labels("test")).containsEntry("istio.io/rev", FROM);
  }

  @Test
  void rollbackScopeMigrationRollsBackEveryNamespaceOfTheMigration() {
    harness.apply(
        migration("istio-1-20", "rollbackScope: Migration\nmaxRollbacks: 0", THREE_WAVES));
    harness.tickUntil("istio-1-20", s -> phase(s, "test") == TargetPhase.Promoted, 40);
    harness.gate.failing.add("stage-b");

    MigrationStatus status = harness.tickUntil("istio-1-20", finished(), 60);

    assertThat(status.phase()).isEqualTo(MigrationPhase.Failed);
    for (String ns : List.of("test", "stage-a", "stage-b")) {
      assertThat(phase(status, ns)).as(ns).isEqualTo(TargetPhase.RolledBack);
      assertThat(harness.sim.census(ns).byRevision()).as(ns).doesNotContainKey(TO);
    }
    assertThat(harness.labels("test")).containsEntry("istio.io/rev", FROM);
    assertThat(harness.labels("stage-a"))
        .containsEntry("istio-injection", "enabled")
        .doesNotContainKey("istio.io/rev");
    assertThat(phase(status, "prod-a")).isEqualTo(TargetPhase.Pending);
  }

  @Test
  void rolloutReportingProgressDeadlineExceededRollsBackAtOnce() {
    harness.sim.stuckRollout("test", "test-web");
    harness.apply(migration("istio-1-20", "", THREE_WAVES));

    MigrationStatus status =
        harness.tickUntil("istio-1-20", s -> phase(s, "test") == TargetPhase.RollingBack, 20);
    assertThat(status.namespace("test").orElseThrow().lastVerdict().reason())
        .isEqualTo("a rollout reported ProgressDeadlineExceeded");

    harness.sim.clearFaults("test", "test-web");
    harness.tickUntil("istio-1-20", s -> phase(s, "test") == TargetPhase.RolledBack, 20);
    assertThat(harness.labels("test")).containsEntry("istio.io/rev", FROM);
    assertThat(harness.sim.census("test").byRevision()).containsOnlyKeys(FROM);
  }

  @Test
  void rolloutThatNeverBecomesReadyRollsBackAfterRestartTimeout() {
    harness.sim.podNeverReady("test", "test-db");
    harness.apply(migration("istio-1-20", "", THREE_WAVES));

    MigrationStatus status =
        harness.tickUntil("istio-1-20", s -> phase(s, "test") == TargetPhase.RollingBack, 20);

    assertThat(status.namespace("test").orElseThrow().lastVerdict().reason())
        .startsWith("rollout not complete after 3m (restart.timeout): 2/3 workloads rolled out");
  }

  @Test
  void missingRollbackRevisionHoldsWithRevisionUnavailableAndTouchesNothing() {
    harness.sim.removeIstiod(FROM);
    harness.apply(migration("istio-1-20", "", THREE_WAVES));
    harness.sim.clearApiCalls();

    for (int i = 0; i < 5; i++) {
      harness.tick("istio-1-20");
    }

    MigrationStatus status = harness.status("istio-1-20");
    assertThat(phase(status, "test")).isEqualTo(TargetPhase.Pending);
    assertThat(status.namespace("test").orElseThrow().lastVerdict().reason())
        .startsWith("RevisionUnavailable: istiod of rollback revision 1-19-0 is not Available");
    assertThat(harness.labels("test")).containsEntry("istio.io/rev", FROM);
    assertThat(harness.sim.apiCalls().stream().filter(ApiCall::isWrite))
        .allSatisfy(w -> assertThat(w.resourcePath()).matches(".*/(status|events)$"));
  }

  @Test
  void idleTickSendsNoRequestAtAll() {
    harness.apply(
        migration("istio-1-20", "", "- {name: prod, namespaces: [prod-a], requireApproval: true}"));
    harness.tick("istio-1-20");
    assertThat(harness.status("istio-1-20").phase()).isEqualTo(MigrationPhase.AwaitingApproval);
    harness.sim.clearApiCalls();

    for (int i = 0; i < 5; i++) {
      harness.tick("istio-1-20");
    }

    assertThat(harness.sim.apiCalls().stream().filter(c -> !c.isWatch())).isEmpty();
  }

  @Test
  void ticksListOnlyWhenANamespaceEntersFlightAndOncePodsWhenTheMigrationSucceeds() {
    harness.apply(migration("istio-1-20", "", THREE_WAVES));
    harness.sim.clearApiCalls();

    MigrationStatus status = harness.tickUntil("istio-1-20", finished(), 80);

    List<String> lists =
        harness.sim.apiCalls().stream()
            .filter(c -> c.method().equals("GET") && !c.isWatch())
            .map(ApiCall::resourcePath)
            .filter(path -> !path.matches(".*/namespaces/[^/]+/[^/]+/[^/]+$"))
            .filter(path -> !path.matches("/api/v1/namespaces/[^/]+$"))
            .toList();
    List<String> namespaces = status.namespaces().stream().map(TargetStatus::name).toList();
    assertThat(namespaces).hasSizeGreaterThan(3);
    List<String> expected = new ArrayList<>(List.of("/api/v1/pods"));
    for (String ns : namespaces) {
      for (String resource :
          List.of(
              "/apis/apps/v1/namespaces/%s/deployments",
              "/apis/apps/v1/namespaces/%s/statefulsets",
              "/apis/apps/v1/namespaces/%s/daemonsets",
              "/api/v1/namespaces/%s/pods")) {
        expected.add(resource.formatted(ns));
      }
    }
    assertThat(lists)
        .as("each in-flight namespace's caches filled once, every pod listed once at the end")
        .containsExactlyInAnyOrderElementsOf(expected);
  }
}

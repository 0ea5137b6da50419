package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.SailOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 26, {@code sail.autoMigrate} on a real API server, with the Sail stand-in ({@link
 * SailOperator}: an Istio's IstioRevision {@code <istio>-<version dashed>} with an ownerReference,
 * {@code status.activeRevisionName}, InUse from namespace labels and pods; Sail's documentation and
 * source: reference/istio-facts.md section 12) and istiod of both revisions installed: bumping
 * {@code spec.version} of the Istio is the only manual step, meshgate creates the migration (as the
 * ServiceAccount of deploy/rbac.yaml with deploy/optional/sail-auto-migrate-rbac.yaml) and runs it.
 * The tests run in order, each from where the previous one left the cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SailAutoMigrateRealClusterIT {
  private static final Path AUTO_MIGRATE_RBAC =
      Path.of("deploy/optional/sail-auto-migrate-rbac.yaml");
  private static final Path SAIL_RBAC = Path.of("deploy/optional/sail-operator-rbac.yaml");
  private static final String OLD = "default-v1-26-0";
  private static final String NEW = "default-v1-27-0";
  private static final String NEXT = "default-v1-28-0";
  private static final String MIGRATION = OLD + "-to-" + NEW;
  private static final long GRACE_SECONDS = 3600;
  private static final Duration LONG = Duration.ofSeconds(120);
  private static final String TEMPLATE =
      """
      interval: 1s
      passStreak: 2
      maxRollbacks: 0
      gates: [{rule: error-rate}]
      waves:
        - {name: all, selector: {matchLabels: {mesh: sail}}, maxConcurrent: 2}
      """;

  private static RealClusterFixture fixture;
  private static SailOperator sail;
  private static final ScriptedGate GATE = new ScriptedGate();
  private Daemon daemon;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start(OLD, NEW);
    fixture.applyFile(SAIL_RBAC);
    fixture.applyFile(AUTO_MIGRATE_RBAC);
    sail = SailOperator.start(fixture.mesh);
    sail.istio("default", "v1.26.0", "RevisionBased", GRACE_SECONDS);
    await("Istio default active on " + OLD).atMost(LONG).until(() -> OLD.equals(active()));
    for (String ns : List.of("sail-a", "sail-b")) {
      fixture.mesh.appNamespace(ns, Map.of("istio.io/rev", OLD, "mesh", "sail"));
    }
    for (String ns : List.of("sail-a", "sail-b")) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.census(ns).byRevision()).containsOnlyKeys(OLD);
    }
    await(OLD + " in use").atMost(LONG).until(() -> inUse(OLD));
  }

  @AfterEach
  void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @AfterAll
  static void stop() {
    if (sail != null) {
      sail.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static DaemonConfig config(boolean autoMigrate) {
    return RealClusterFixture.CONFIG.withSail(
        new DaemonConfig.Sail(autoMigrate, Serialization.unmarshal(TEMPLATE, JsonNode.class)));
  }

  private static GenericKubernetesResource istio() {
    return fixture
        .admin
        .genericKubernetesResources("sailoperator.io/v1", "Istio")
        .withName("default")
        .get();
  }

  private static String active() {
    GenericKubernetesResource istio = istio();
    return istio == null
        ? null
        : Mappers.json()
            .valueToTree(istio.getAdditionalProperties())
            .path("status")
            .path("activeRevisionName")
            .asText(null);
  }

  private static boolean inUse(String revision) {
    GenericKubernetesResource r =
        fixture
            .admin
            .genericKubernetesResources("sailoperator.io/v1", "IstioRevision")
            .withName(revision)
            .get();
    if (r == null) {
      return false;
    }
    for (JsonNode c :
        Mappers.json().valueToTree(r.getAdditionalProperties()).path("status").path("conditions")) {
      if (c.path("type").asText().equals("InUse")) {
        return c.path("status").asText().equals("True");
      }
    }
    return false;
  }

  private static List<GenericKubernetesResource> migrations() {
    return fixture
        .admin
        .genericKubernetesResources(RevisionMigration.API_VERSION, RevisionMigration.KIND)
        .list()
        .getItems();
  }

  private static List<Event> istioEvents(String reason) {
    return fixture.admin.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> "Istio".equals(e.getInvolvedObject().getKind()))
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static List<AuditLog.Request> migrationCreates() {
    return fixture.meshgateRequests().stream()
        .filter(r -> r.verb().equals("create") && "revisionmigrations".equals(r.resource()))
        .toList();
  }

  private static JsonNode spec(GenericKubernetesResource migration) {
    return Mappers.json().valueToTree(migration.getAdditionalProperties()).path("spec");
  }

  private static void bump(String version, String revision) {
    sail.istio("default", version, "RevisionBased", GRACE_SECONDS);
    await("Istio default active on " + revision)
        .atMost(LONG)
        .until(() -> revision.equals(active()));
  }

  @Test
  @Order(1)
  void bumpingTheIstiosVersionCreatesExactlyOneMigrationWhichRunsToSucceeded() {
    daemon = fixture.startDaemon("meshgate-0", GATE, config(true));
    await("leader").atMost(LONG).until(daemon::isLeader);
    assertThat(migrations()).as("nothing before the bump").isEmpty();

    bump("v1.27.0", NEW);

    GenericKubernetesResource created =
        await("the migration created")
            .atMost(LONG)
            .until(SailAutoMigrateRealClusterIT::migrations, m -> !m.isEmpty())
            .get(0);
    assertThat(created.getMetadata().getName()).isEqualTo(MIGRATION);
    assertThat(spec(created).path("fromRevision").asText()).isEqualTo(OLD);
    assertThat(spec(created).path("toRevision").asText()).isEqualTo(NEW);
    assertThat(created.getMetadata().getLabels())
        .containsEntry("meshgate.io/created-by", "sail-auto-migrate");
    assertThat(created.getMetadata().getAnnotations())
        .containsEntry("meshgate.io/created-for", "Istio/default");
    assertThat(istioEvents("MigrationCreated"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("sailoperator.io/v1");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("default");
              assertThat(e.getInvolvedObject().getUid()).isEqualTo(istio().getMetadata().getUid());
              assertThat(e.getMessage())
                  .isEqualTo(
                      "created RevisionMigration "
                          + MIGRATION
                          + " from sail.template: "
                          + OLD
                          + " -> "
                          + NEW);
            });

    MigrationStatus end =
        await(MIGRATION + " ends")
            .atMost(LONG)
            .until(
                () -> fixture.status(MIGRATION), s -> s.phase() != null && s.phase().isTerminal());
    assertThat(end.phase()).isEqualTo(MigrationPhase.Succeeded);
    for (String ns : List.of("sail-a", "sail-b")) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.labels(ns)).containsEntry("istio.io/rev", NEW);
      assertThat(fixture.mesh.census(ns).byRevision()).as(ns).containsOnlyKeys(NEW);
    }
    assertThat(fixture.meshgateRequests())
        .filteredOn(r -> "sailoperator.io".equals(r.apiGroup()))
        .as("Sail's resources are only read")
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.verb()).isIn("get", "list", "watch"));
  }

  @Test
  @Order(2)
  void anotherChangeOfTheIstioCreatesNoSecondMigration() {
    daemon = fixture.startDaemon("meshgate-0", GATE, config(true));
    await("leader").atMost(LONG).until(daemon::isLeader);
    int creates = migrationCreates().size();

    sail.istio("default", "v1.27.0", "RevisionBased", GRACE_SECONDS + 1);

    await("the change seen, nothing created")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> migrations().size() == 1 && istioEvents("MigrationCreated").size() == 1);
    assertThat(migrationCreates())
        .as("no create sent: the migration is in the cache")
        .hasSize(creates);
  }

  @Test
  @Order(3)
  void withAutoMigrateOffABumpCreatesNothing() {
    daemon = fixture.startDaemon("meshgate-0", GATE, config(false));
    await("leader").atMost(LONG).until(daemon::isLeader);
    await(NEW + " in use").atMost(LONG).until(() -> inUse(NEW));

    bump("v1.28.0", NEXT);

    await("nothing created")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> migrations().size() == 1);
    assertThat(migrations()).extracting(m -> m.getMetadata().getName()).containsExactly(MIGRATION);
  }

  /** A replica that becomes leader looks once, without waiting for an Istio to change. */
  @Test
  @Order(4)
  void aLeaderStartingAfterTheBumpCreatesTheMigrationItCallsFor() {
    daemon = fixture.startDaemon("meshgate-0", GATE, config(true));

    await("the migration created")
        .atMost(LONG)
        .until(
            () ->
                migrations().stream()
                    .anyMatch(m -> m.getMetadata().getName().equals(NEW + "-to-" + NEXT)));
    assertThat(istioEvents("MigrationCreated")).hasSize(2);
    assertThat(migrationCreates())
        .as("as the ServiceAccount with the optional grant")
        .allSatisfy(r -> assertThat(r.code()).isIn(201, 409));
    assertThat(fixture.meshgateRequests())
        .filteredOn(r -> r.code() == 403)
        .as("every request granted")
        .isEmpty();
  }

  /** Without deploy/optional/sail-auto-migrate-rbac.yaml: told on the Istio, nothing created. */
  @Test
  @Order(5)
  void withoutTheOptionalGrantTheRefusalIsToldOnTheIstio() {
    fixture
        .admin
        .rbac()
        .clusterRoleBindings()
        .withName("meshgate-sail-auto-migrate")
        .withTimeout(30, TimeUnit.SECONDS)
        .delete();
    daemon = fixture.startDaemon("meshgate-0", GATE, config(true));
    await("leader").atMost(LONG).until(daemon::isLeader);
    await(NEW + " in use").atMost(LONG).until(() -> inUse(NEW));

    bump("v1.29.0", "default-v1-29-0");

    Event refused =
        await("the refusal told")
            .atMost(LONG)
            .until(() -> istioEvents("MigrationNotCreated"), e -> !e.isEmpty())
            .get(0);
    assertThat(refused.getType()).isEqualTo("Warning");
    assertThat(refused.getMessage())
        .startsWith(
            "could not create RevisionMigration default-v1-27-0-to-default-v1-29-0"
                + " (default-v1-27-0 -> default-v1-29-0): 403 ")
        .contains("forbidden")
        .endsWith("; apply deploy/optional/sail-auto-migrate-rbac.yaml");
    assertThat(migrations()).hasSize(2);
    fixture.applyFile(AUTO_MIGRATE_RBAC);
  }

  /**
   * Two replicas that both act (as during a lease handover) look at once when they start: one
   * migration, one Event, and neither fails (the loser's create is answered 409 AlreadyExists).
   */
  @Test
  @Order(6)
  void twoReplicasLookingAtOnceCreateOneMigrationAndNeitherFails() throws Exception {
    DaemonConfig c = config(true);
    DaemonConfig bothLead =
        new DaemonConfig(
            c.prometheus(),
            c.rulesDir(),
            c.controlPlaneNamespace(),
            c.http(),
            c.alerts(),
            c.slack(),
            new DaemonConfig.LeaderElection(false, "meshgate", "meshgate-leader"),
            c.gate(),
            c.sail());
    String name = NEW + "-to-default-v1-29-0";
    ExecutorService starts = Executors.newFixedThreadPool(2);
    List<Future<Daemon>> started =
        List.of(
            starts.submit(() -> fixture.startDaemon("meshgate-a", GATE, bothLead)),
            starts.submit(() -> fixture.startDaemon("meshgate-b", GATE, bothLead)));
    Daemon a = started.get(0).get(2, TimeUnit.MINUTES);
    Daemon b = started.get(1).get(2, TimeUnit.MINUTES);
    starts.shutdown();
    try {
      await(name + " created")
          .atMost(LONG)
          .until(() -> migrations().stream().anyMatch(m -> m.getMetadata().getName().equals(name)));
      await("one Event for it")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  istioEvents("MigrationCreated").stream()
                          .filter(e -> e.getMessage().contains(name))
                          .count()
                      == 1);
      List<AuditLog.Request> creates =
          migrationCreates().stream().filter(r -> name.equals(r.name())).toList();
      assertThat(creates).filteredOn(r -> r.code() == 201).hasSize(1);
      assertThat(creates).allSatisfy(r -> assertThat(r.code()).isIn(201, 409));
      assertThat(List.of(a, b)).allSatisfy(d -> assertThat(d.isReady()).isTrue());
    } finally {
      a.close();
      b.close();
    }
  }
}

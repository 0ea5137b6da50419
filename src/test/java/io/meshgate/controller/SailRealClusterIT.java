package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshgate.app.Daemon;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.SailObjects;
import io.meshgate.sim.SailOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 26: meshgate with the Sail Operator (the stand-in {@link SailOperator}) on a real API
 * server, as the ServiceAccount of deploy/rbac.yaml plus deploy/optional/sail-operator-rbac.yaml.
 * One Istio {@code default}, RevisionBased, bumped from v1.26.0 to v1.27.0 (revisions {@value #OLD}
 * and {@value #NEW}); Sail's CRDs are installed after the daemon started, so that it finds them by
 * its watch. In order: the tests share the Istio, and the last two move its namespaces.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SailRealClusterIT {
  private static final String OLD = "default-v1-26-0";
  private static final String NEW = "default-v1-27-0";
  private static final Path SAIL_RBAC = Path.of("deploy/optional/sail-operator-rbac.yaml");
  private static final String SPEC =
      "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 10s}\n";
  private static final Duration LONG = Duration.ofSeconds(120);
  private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete");

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static SailOperator sail;
  private static final ScriptedGate GATE = new ScriptedGate();

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start(OLD, NEW);
    daemon = fixture.startDaemon("meshgate-0", GATE);
    sail = SailOperator.start(fixture.mesh);
    sail.istio("default", "v1.26.0", "RevisionBased", 3600L);
    sail.tag("prod", "IstioRevision", OLD);
    await().atMost(LONG).until(() -> OLD.equals(webhookRevision("prod")));
    for (String ns : List.of("sail-a", "sail-b")) {
      fixture.mesh.namespace(ns, Map.of("istio.io/rev", "prod")).deployment(ns, "web", 1);
    }
    fixture.mesh.awaitSettled("sail-a");
    fixture.mesh.awaitSettled("sail-b");
    sail.istio("default", "v1.27.0", "RevisionBased", 3600L);
    await().atMost(LONG).until(() -> "True".equals(condition(NEW, "Ready")));
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (sail != null) {
      sail.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static String migration(String name, String extra, String waves) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata:
          name: %s
        spec:
          fromRevision: %s
          toRevision: %s
        %s
          gates:
            - {rule: error-rate}
          waves:
        %s
        """
        .formatted(
            name,
            OLD,
            NEW,
            (SPEC + extra).indent(2).stripTrailing(),
            waves.indent(4).stripTrailing());
  }

  private static String tagMigration(String name, String tag) {
    return migration(
        name,
        "tag: " + tag,
        """
        - {name: test, namespaces: [sail-a], soak: 1s}
        - {name: prod, namespaces: [sail-b], soak: 1s}""");
  }

  private static GenericKubernetesResource resource(
      io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind, String name) {
    return fixture.admin.genericKubernetesResources(kind).withName(name).get();
  }

  private static String condition(String revision, String type) {
    GenericKubernetesResource r = resource(SailOperator.REVISIONS, revision);
    return r == null
        ? null
        : SailObjects.conditionOf(r, type).map(c -> (String) c.get("status")).orElse(null);
  }

  private static String webhookRevision(String tag) {
    var webhook =
        fixture
            .admin
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("istio-revision-tag-" + tag)
            .get();
    return webhook == null ? null : webhook.getMetadata().getLabels().get("istio.io/rev");
  }

  private static Object targetRef(String tag) {
    return SailObjects.path(resource(SailOperator.TAGS, tag), "spec", "targetRef");
  }

  /** Waits until the migration's namespace holds with {@code reason}; returns the verdict. */
  private static String awaitHold(String migration, String namespace, String reason) {
    return await(migration + " holds " + namespace + " with " + reason)
        .atMost(LONG)
        .until(
            () ->
                fixture
                    .status(migration)
                    .namespace(namespace)
                    .map(TargetStatus::lastVerdict)
                    .map(v -> v.reason())
                    .orElse(""),
            r -> r.startsWith(reason + ": "));
  }

  private static MigrationStatus awaitEnd(String migration) {
    return await(migration + " ends")
        .atMost(LONG)
        .until(() -> fixture.status(migration), s -> s.phase() != null && s.phase().isTerminal());
  }

  /** meshgate's writes but to its own RevisionMigrations, Events and Lease. */
  private static List<AuditLog.Request> clusterWrites() {
    return fixture.meshgateRequests().stream()
        .filter(r -> WRITES.contains(r.verb()))
        .filter(r -> !Set.of("revisionmigrations", "events", "leases").contains(r.resource()))
        .toList();
  }

  private static void delete(String migration) {
    fixture.admin.resources(RevisionMigration.class).withName(migration).delete();
    await(migration + " deleted")
        .atMost(LONG)
        .until(
            () ->
                fixture.admin.resources(RevisionMigration.class).withName(migration).get() == null);
  }

  /** Nothing changed: no write, the tag where it was, the namespaces' labels as they were. */
  private static void assertNothingChanged() {
    assertThat(clusterWrites()).isEmpty();
    assertThat(targetRef("prod")).isEqualTo(Map.of("kind", "IstioRevision", "name", OLD));
    assertThat(fixture.mesh.labels("sail-a")).containsEntry("istio.io/rev", "prod");
    assertThat(fixture.mesh.labels("sail-b")).containsEntry("istio.io/rev", "prod");
  }

  @Test
  @Order(1)
  void withoutTheOptionalGrantAMigrationIsRefusedNamingIt() {
    fixture.apply(tagMigration("sail-no-grant", "prod"));

    String verdict = awaitHold("sail-no-grant", "sail-a", "AccessRefused");

    assertThat(verdict)
        .contains("Sail Operator is installed, but meshgate cannot read its istios")
        .contains("kubectl apply -f deploy/optional/sail-operator-rbac.yaml");
    assertThat(daemon.isReady()).as("still ready, not crash-looping").isTrue();
    assertNothingChanged();
    delete("sail-no-grant");
    fixture.applyFile(SAIL_RBAC);
  }

  @Test
  @Order(2)
  void anIstioWhoseSailUpdatesWorkloadsIsRefusedAndNothingChanges() {
    sail.istio("default", "v1.27.0", "RevisionBased", 3600L, true);
    fixture.apply(tagMigration("sail-updates", "prod"));

    String verdict = awaitHold("sail-updates", "sail-a", "SailUpdatesWorkloads");

    assertThat(verdict)
        .isEqualTo(
            "SailUpdatesWorkloads: Istio default has spec.updateStrategy.updateWorkloads: true,"
                + " so Sail moves the workloads to a new revision itself, and two controllers"
                + " must not move the same workloads; set it to false: kubectl patch istio"
                + " default --type merge -p"
                + " '{\"spec\":{\"updateStrategy\":{\"updateWorkloads\":false}}}'");
    assertNothingChanged();
    delete("sail-updates");
    sail.istio("default", "v1.27.0", "RevisionBased", 3600L);
  }

  @Test
  @Order(3)
  void aTagThatFollowsTheIstioIsRefusedNamingTheFixAndNothingChanges() {
    sail.tag("follows", "Istio", "default");
    await().atMost(LONG).until(() -> NEW.equals(webhookRevision("follows")));
    fixture.mesh.namespace("sail-f", Map.of("istio.io/rev", "follows"));
    fixture.apply(
        migration(
            "sail-follows", "tag: follows", "- {name: test, namespaces: [sail-f], soak: 1s}"));

    String verdict = awaitHold("sail-follows", "sail-f", "TagFollowsIstio");

    assertThat(verdict)
        .startsWith(
            "TagFollowsIstio: IstioRevisionTag follows has spec.targetRef {kind: Istio, name:"
                + " default}")
        .contains("set spec.targetRef to {kind: IstioRevision, name: " + OLD + "}");
    assertNothingChanged();
    assertThat(targetRef("follows")).isEqualTo(Map.of("kind", "Istio", "name", "default"));
    assertThat(fixture.mesh.labels("sail-f")).containsEntry("istio.io/rev", "follows");
    delete("sail-follows");
    fixture.admin.genericKubernetesResources(SailOperator.TAGS).withName("follows").delete();
  }

  @Test
  @Order(4)
  void aGracePeriodOfThirtySecondsHoldsBeforeAnyChangeNamingTheSafeValue() {
    sail.istio("default", "v1.27.0", "RevisionBased", 30L);
    fixture.apply(tagMigration("sail-short-grace", "prod"));

    String verdict = awaitHold("sail-short-grace", "sail-a", "RollbackTargetMayBePruned");

    // soaks 1s + 1s, restart.timeout 10s, passStreak 2 x interval 1s, 60s margin
    assertThat(verdict)
        .contains(
            "Istio default has spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds 30")
        .contains("set it to at least 74");
    assertNothingChanged();
    assertThat(resource(SailOperator.REVISIONS, OLD)).as("in use: kept").isNotNull();
    delete("sail-short-grace");
  }

  @Test
  @Order(5)
  void tagModeMovesTheIstioRevisionTagNeverItsWebhookAndPinsTheRegressedNamespace() {
    sail.istio("default", "v1.27.0", "RevisionBased", 75L);
    GATE.failing.add("sail-b");
    fixture.apply(tagMigration("sail-tag", "prod"));

    MigrationStatus end = awaitEnd("sail-tag");

    assertThat(end.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(targetRef("prod")).isEqualTo(Map.of("kind", "IstioRevision", "name", NEW));
    assertThat(webhookRevision("prod")).as("Sail rendered the tag again").isEqualTo(NEW);
    assertThat(resource(SailOperator.TAGS, "prod").getMetadata().getAnnotations())
        .containsEntry("meshgate.io/migration", "sail-tag")
        .containsEntry("meshgate.io/previous-revision", OLD);
    fixture.mesh.awaitSettled("sail-a");
    fixture.mesh.awaitSettled("sail-b");
    assertThat(RealClusterFixture.phase(end, "sail-a")).isEqualTo(TargetPhase.Promoted);
    assertThat(fixture.mesh.census("sail-a").byRevision()).containsOnlyKeys(NEW);
    assertThat(RealClusterFixture.phase(end, "sail-b")).isEqualTo(TargetPhase.RolledBack);
    assertThat(fixture.mesh.labels("sail-b"))
        .as("pinned with the IstioRevision's name")
        .containsEntry("istio.io/rev", OLD);
    assertThat(fixture.mesh.census("sail-b").byRevision()).containsOnlyKeys(OLD);
    assertThat(fixture.meshgateRequests())
        .filteredOn(r -> "mutatingwebhookconfigurations".equals(r.resource()))
        .filteredOn(r -> WRITES.contains(r.verb()))
        .as("the webhook Sail owns is never written")
        .isEmpty();
    assertThat(fixture.meshgateRequests())
        .filteredOn(r -> "istiorevisiontags".equals(r.resource()) && r.verb().equals("patch"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.code()).isEqualTo(200));
    GATE.failing.remove("sail-b");
  }

  @Test
  @Order(6)
  void aMigrationWithALongEnoughGracePeriodCompletesAndTheOldRevisionIsPrunedOnlyAfterwards() {
    fixture.apply(migration("sail-last", "", "- {name: all, namespaces: [sail-b], soak: 1s}"));

    MigrationStatus end = awaitEnd("sail-last");

    assertThat(end.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(resource(SailOperator.REVISIONS, OLD)).as("kept under the migration").isNotNull();
    assertThat(fixture.mesh.census("sail-b").byRevision()).containsOnlyKeys(NEW);
    await("Sail prunes the old revision once unused for 75s")
        .atMost(Duration.ofSeconds(150))
        .until(() -> resource(SailOperator.REVISIONS, OLD) == null);
    assertThat(fixture.meshgateRequests())
        .filteredOn(r -> "istios".equals(r.resource()) && WRITES.contains(r.verb()))
        .as("meshgate never edits the Istio")
        .isEmpty();
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.meshgate.app.Daemon;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.Census;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tag mode on a real API server: the tag's webhook is what the API server calls to inject a pod, so
 * moving it (as the daemon's ServiceAccount, with deploy/rbac.yaml and the optional grant of
 * deploy/optional/revision-tags-rbac.yaml) is what decides which revision new pods get.
 */
class RevisionTagsRealClusterIT {
  private static final Path TAG_RBAC = Path.of("deploy/optional/revision-tags-rbac.yaml");
  private static final String SPEC = "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\n";
  private static final Duration LONG = Duration.ofSeconds(120);

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static final ScriptedGate GATE = new ScriptedGate();

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    fixture.applyFile(TAG_RBAC);
    daemon = fixture.startDaemon("meshgate-0", GATE);
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

  private static void tag(String tag, String revision) {
    fixture.mesh.tag(tag, revision);
  }

  private static MutatingWebhookConfiguration tagWebhook(String tag) {
    return fixture
        .admin
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("istio-revision-tag-" + tag)
        .get();
  }

  private static List<String> callees(String tag) {
    return tagWebhook(tag).getWebhooks().stream()
        .map(MutatingWebhook::getClientConfig)
        .map(c -> fixture.mesh.istio.revisionServing(c.getUrl()))
        .toList();
  }

  private static MigrationStatus awaitEnd(String migration) {
    return await(migration + " ends")
        .atMost(LONG)
        .until(() -> fixture.status(migration), s -> s.phase() != null && s.phase().isTerminal());
  }

  private static void namespaces(String tag, String... names) {
    for (String ns : names) {
      fixture.mesh.appNamespace(ns, Map.of("istio.io/rev", tag));
    }
    for (String ns : names) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.census(ns).byRevision()).containsOnlyKeys(FROM);
    }
  }

  private static List<AuditLog.Request> tagPatches(String tag) {
    return fixture.meshgateRequests().stream()
        .filter(r -> r.verb().equals("patch"))
        .filter(r -> ("istio-revision-tag-" + tag).equals(r.name()))
        .toList();
  }

  @Test
  void tagModeMovesTheTagPromotesItsNamespacesAndPinsTheOneThatRegresses() {
    tag("prod-stable", FROM);
    namespaces("prod-stable", "stable-a", "stable-b", "stable-c");
    fixture.mesh.appNamespace("stable-own", Map.of("istio.io/rev", FROM));
    GATE.failing.add("stable-c");

    fixture.apply(
        migration(
            "stable",
            SPEC + "tag: prod-stable",
            """
            - {name: test, namespaces: [stable-a]}
            - {name: prod, namespaces: [stable-b, stable-c, stable-own], maxConcurrent: 3}"""));
    MigrationStatus end = awaitEnd("stable");

    assertThat(end.phase()).as("stable-c rolled back").isEqualTo(MigrationPhase.Failed);
    assertThat(tagWebhook("prod-stable").getMetadata().getLabels())
        .containsEntry("istio.io/rev", TO);
    assertThat(callees("prod-stable")).as("every webhook of the tag calls 1-20-0").containsOnly(TO);
    assertThat(end.revisions().tag())
        .isEqualTo(new MigrationStatus.TagMove("prod-stable", FROM, TO));
    for (String ns : List.of("stable-a", "stable-b")) {
      fixture.mesh.awaitSettled(ns);
      assertThat(RealClusterFixture.phase(end, ns)).isEqualTo(TargetPhase.Promoted);
      assertThat(fixture.admin.namespaces().withName(ns).get().getMetadata().getLabels())
          .containsEntry("istio.io/rev", "prod-stable");
      assertThat(fixture.mesh.census(ns).byRevision()).as(ns).containsOnlyKeys(TO);
    }
    fixture.mesh.awaitSettled("stable-c");
    assertThat(RealClusterFixture.phase(end, "stable-c")).isEqualTo(TargetPhase.RolledBack);
    assertThat(fixture.admin.namespaces().withName("stable-c").get().getMetadata().getLabels())
        .as("pinned")
        .containsEntry("istio.io/rev", FROM);
    assertThat(fixture.mesh.census("stable-c").byRevision()).containsOnlyKeys(FROM);
    assertThat(RealClusterFixture.phase(end, "stable-own")).isEqualTo(TargetPhase.Skipped);
    assertThat(fixture.mesh.census("stable-own").byRevision()).containsOnlyKeys(FROM);
    assertThat(tagPatches("prod-stable"))
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo(200));
    assertThat(fixture.meshgateRequests())
        .filteredOn(r -> r.code() == 403)
        .as("forbidden only where the optional grant lists no tag")
        .allSatisfy(r -> assertThat(r.name()).isEqualTo("istio-revision-tag-unlisted"));
  }

  @Test
  void rollbackScopeMigrationMovesTheTagBackAndEveryMovedNamespaceReturns() {
    tag("prod-canary", FROM);
    namespaces("prod-canary", "canary-a", "canary-b");
    GATE.failing.add("canary-b");

    fixture.apply(
        migration(
            "canary",
            SPEC + "tag: prod-canary\nrollbackScope: Migration",
            """
            - {name: test, namespaces: [canary-a]}
            - {name: prod, namespaces: [canary-b]}"""));
    MigrationStatus end = awaitEnd("canary");

    assertThat(end.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(tagWebhook("prod-canary").getMetadata().getLabels())
        .containsEntry("istio.io/rev", FROM);
    assertThat(callees("prod-canary")).containsOnly(FROM);
    for (String ns : List.of("canary-a", "canary-b")) {
      fixture.mesh.awaitSettled(ns);
      assertThat(RealClusterFixture.phase(end, ns)).isEqualTo(TargetPhase.RolledBack);
      assertThat(fixture.mesh.census(ns).byRevision()).as(ns).containsOnlyKeys(FROM);
    }
    assertThat(tagPatches("prod-canary"))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.code()).isEqualTo(200));
  }

  /**
   * Issue 25: an injected gateway whose pod template names the tag moves with the tag and is only
   * restarted; one that regresses is pinned, its template labelled for the old revision.
   */
  @Test
  void tagModeRestartsTheGatewaysThatFollowTheTagAndPinsTheOneThatRegresses() {
    tag("stable", FROM);
    for (String ns : List.of("gw-follows", "gw-regresses")) {
      fixture.mesh.namespace(ns, Map.of()).injectedGateway(ns, "ingress", "stable");
      fixture.mesh.awaitSettled(ns);
    }
    GATE.failing.add("Deployment/gw-regresses/ingress");
    fixture.apply(
        migration(
            "stable-gateways",
            SPEC + "tag: stable",
            """
            - name: gateways
              maxConcurrent: 2
              gateways:
                - {kind: Deployment, namespace: gw-follows, name: ingress}
                - {kind: Deployment, namespace: gw-regresses, name: ingress}"""));
    MigrationStatus end = awaitEnd("stable-gateways");
    fixture.mesh.awaitSettled("gw-follows");
    fixture.mesh.awaitSettled("gw-regresses");

    assertThat(end.gateway("Deployment/gw-follows/ingress").orElseThrow().phase())
        .isEqualTo(TargetPhase.Promoted);
    assertThat(end.gateway("Deployment/gw-regresses/ingress").orElseThrow().phase())
        .isEqualTo(TargetPhase.RolledBack);
    assertThat(tagWebhook("stable").getMetadata().getLabels()).containsEntry("istio.io/rev", TO);
    assertThat(templateLabel("gw-follows")).as("restarted, still on the tag").isEqualTo("stable");
    assertThat(templateLabel("gw-regresses")).as("pinned").isEqualTo(FROM);
    assertThat(fixture.mesh.census("gw-follows")).isEqualTo(new Census(Map.of(TO, 1), 0));
    assertThat(fixture.mesh.census("gw-regresses")).isEqualTo(new Census(Map.of(FROM, 1), 0));
    assertThat(fixture.restarts("gw-follows")).isEqualTo(Map.of("deployments/ingress", 1));
    assertThat(fixture.restarts("gw-regresses"))
        .as("the restart, then the pin")
        .isEqualTo(Map.of("deployments/ingress", 2));
  }

  private static String templateLabel(String namespace) {
    return fixture
        .admin
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName("ingress")
        .get()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels()
        .get("istio.io/rev");
  }

  @Test
  void aTagTheOptionalGrantDoesNotListIsRefusedAndReportedWithoutMovingIt() {
    tag("unlisted", FROM);
    namespaces("unlisted", "unlisted-a");

    fixture.apply(
        migration("unlisted", SPEC + "tag: unlisted", "- {name: all, namespaces: [unlisted-a]}"));

    MigrationStatus refused =
        await("the refusal reported")
            .atMost(LONG)
            .until(
                () -> fixture.status("unlisted"),
                s ->
                    s.conditions().stream()
                        .anyMatch(
                            c -> c.type().equals("Ready") && "WriteRefused".equals(c.reason())));
    assertThat(refused.conditions())
        .filteredOn(c -> c.type().equals("Ready"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.message())
                    .contains("istio-revision-tag-unlisted")
                    .contains("forbidden")
                    .contains("deploy/optional/revision-tags-rbac.yaml"));
    assertThat(tagWebhook("unlisted").getMetadata().getLabels())
        .containsEntry("istio.io/rev", FROM);
    assertThat(fixture.mesh.census("unlisted-a").byRevision()).containsOnlyKeys(FROM);
    fixture.admin.resources(io.meshgate.kube.RevisionMigration.class).withName("unlisted").delete();
  }
}

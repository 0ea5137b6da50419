package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshgate.app.Daemon;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.Census;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Gateway API gateways and waypoints moved by the daemon, as meshgate's ServiceAccount with {@code
 * deploy/optional/gateway-api-rbac.yaml}, on a real API server where Istio's own istiod of each
 * revision renders them (issue 25): a Gateway promoted, a waypoint whose gate fails rolled back
 * with its label exactly restored, a Gateway of a foreign class left out; meshgate never writes
 * what istiod renders. Last, with the Gateway API's CRDs removed, a Gateway target is refused
 * naming the CRD while an injected gateway of the same migration is moved.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayApiRealClusterIT {
  private static final Path GATEWAY_RBAC = Path.of("deploy/optional/gateway-api-rbac.yaml");
  private static final Duration RENDERED = Duration.ofSeconds(60);
  private static final GatewayRef PUBLIC =
      new GatewayRef(GatewayRef.Kind.Gateway, "shop", "public");
  private static final GatewayRef WAYPOINT =
      new GatewayRef(GatewayRef.Kind.Gateway, "mesh", "waypoint");
  private static final GatewayRef FOREIGN =
      new GatewayRef(GatewayRef.Kind.Gateway, "shop", "envoy");

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static MigrationStatus end;

  @BeforeAll
  static void migrate() {
    fixture = RealClusterFixture.start();
    fixture.applyFile(GATEWAY_RBAC);
    fixture.mesh.namespace("shop", Map.of()).gateway("shop", "public", FROM);
    foreignGateway();
    fixture.mesh.namespace("mesh", Map.of("istio.io/dataplane-mode", "ambient"));
    fixture.mesh.istio.istioctl("waypoint", "apply", "--namespace", "mesh", "--revision", FROM);
    awaitRendered(PUBLIC, "public-istio", FROM);
    awaitRendered(WAYPOINT, "waypoint", FROM);
    ScriptedGate gate = new ScriptedGate();
    gate.failing.add(WAYPOINT.key());
    daemon = fixture.startDaemon("meshgate-0", gate);
    fixture.apply(
        migration(
            "gateway-api",
            "interval: 1s\nfailureLimit: 2\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 2m}",
            """
            - name: gateways
              soak: 1s
              maxConcurrent: 3
              gateways:
                - {kind: Gateway, namespace: shop, name: public}
                - {kind: Gateway, namespace: mesh, name: waypoint}
                - {kind: Gateway, namespace: shop, name: envoy}
            """));
    end =
        await("the migration ends")
            .atMost(Duration.ofMinutes(4))
            .until(() -> fixture.status("gateway-api"), s -> s.phase().isTerminal());
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

  /** A Gateway of a class istiod does not deploy (another implementation's). */
  private static void foreignGateway() {
    fixture
        .admin
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("gateway.networking.k8s.io/v1")
                .withKind("Gateway")
                .withNewMetadata()
                .withNamespace(FOREIGN.namespace())
                .withName(FOREIGN.name())
                .withLabels(Map.of("istio.io/rev", FROM))
                .endMetadata()
                .addToAdditionalProperties(
                    "spec",
                    Map.of(
                        "gatewayClassName",
                        "envoy",
                        "listeners",
                        List.of(Map.of("name", "http", "port", 80, "protocol", "HTTP"))))
                .build())
        .serverSideApply();
  }

  private static Deployment awaitRendered(GatewayRef gateway, String deployment, String revision) {
    Deployment rendered =
        await("istiod " + revision + " renders " + gateway)
            .atMost(RENDERED)
            .until(
                () -> rendered(gateway, deployment),
                d ->
                    d != null
                        && revision.equals(
                            d.getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get("istio.io/rev")));
    fixture.mesh.awaitSettled(gateway.namespace());
    return rendered;
  }

  private static Deployment rendered(GatewayRef gateway, String deployment) {
    return fixture
        .admin
        .apps()
        .deployments()
        .inNamespace(gateway.namespace())
        .withName(deployment)
        .get();
  }

  private static GenericKubernetesResource gatewayObject(GatewayRef g) {
    return fixture
        .admin
        .genericKubernetesResources("gateway.networking.k8s.io/v1", "Gateway")
        .inNamespace(g.namespace())
        .withName(g.name())
        .get();
  }

  private static TargetStatus status(GatewayRef g) {
    return end.gateway(g.key()).orElseThrow();
  }

  @Test
  @Order(1)
  void theGatewayIsPromotedOnceIstiodRenderedItForTheNewRevision() {
    assertThat(status(PUBLIC).phase()).isEqualTo(TargetPhase.Promoted);
    assertThat(gatewayObject(PUBLIC).getMetadata().getLabels()).containsEntry("istio.io/rev", TO);
    assertThat(
            rendered(PUBLIC, "public-istio").getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("istio.io/rev", TO);
    assertThat(fixture.mesh.census("shop")).isEqualTo(new Census(Map.of(TO, 1), 0));
  }

  @Test
  @Order(1)
  void theFailingWaypointIsRolledBackWithItsLabelRestoredAndIstiodRendersItBack() {
    assertThat(status(WAYPOINT).phase()).isEqualTo(TargetPhase.RolledBack);
    GenericKubernetesResource waypoint = gatewayObject(WAYPOINT);
    assertThat(waypoint.getMetadata().getLabels()).containsEntry("istio.io/rev", FROM);
    assertThat(waypoint.getMetadata().getAnnotations())
        .doesNotContainKeys("meshgate.io/previous-labels", "meshgate.io/migration");
    awaitRendered(WAYPOINT, "waypoint", FROM);
    assertThat(fixture.mesh.census("mesh")).isEqualTo(new Census(Map.of(FROM, 1), 0));
  }

  @Test
  @Order(1)
  void aGatewayOfAForeignClassIsSkippedSayingWhy() {
    assertThat(status(FOREIGN).phase()).isEqualTo(TargetPhase.Skipped);
    assertThat(status(FOREIGN).lastVerdict().reason())
        .isEqualTo(
            "NotAGateway: Gateway shop/envoy: its class is envoy; istiod deploys Gateways"
                + " of class istio or istio-waypoint only; left as it is");
    assertThat(gatewayObject(FOREIGN).getMetadata().getLabels())
        .containsEntry("istio.io/rev", FROM);
    assertThat(end.phase()).isEqualTo(MigrationPhase.Failed);
  }

  @Test
  @Order(1)
  void meshgateWritesGatewaysAndNeverWhatIstiodRendersForThem() {
    List<AuditLog.Request> writes =
        fixture.meshgateRequests().stream()
            .filter(r -> List.of("patch", "update", "create", "delete").contains(r.verb()))
            .filter(r -> !"revisionmigrations".equals(r.resource()))
            .filter(r -> !List.of("events", "leases").contains(r.resource()))
            .toList();
    assertThat(writes).extracting(AuditLog.Request::resource).containsOnly("gateways");
    assertThat(writes).allMatch(r -> r.code() == 200);
  }

  @Test
  @Order(2)
  void withoutTheGatewayApiCrdsAGatewayTargetIsRefusedNamingTheCrdAndTheRestMoves() {
    fixture.mesh.removeGatewayCrd();
    fixture
        .mesh
        .namespace("istio-ingress", Map.of())
        .injectedGateway("istio-ingress", "ingress", FROM);
    fixture.mesh.awaitSettled("istio-ingress");
    fixture.apply(
        migration(
            "without-gateway-api",
            "interval: 1s\npassStreak: 2",
            """
            - name: gateways
              soak: 1s
              maxConcurrent: 2
              gateways:
                - {kind: Gateway, namespace: shop, name: public}
                - {kind: Deployment, namespace: istio-ingress, name: ingress}
            """));

    MigrationStatus done =
        await("the migration ends")
            .atMost(Duration.ofMinutes(3))
            .until(() -> fixture.status("without-gateway-api"), s -> s.phase().isTerminal());

    assertThat(done.phase()).isEqualTo(MigrationPhase.Succeeded);
    TargetStatus refused = done.gateway(PUBLIC.key()).orElseThrow();
    assertThat(refused.phase()).isEqualTo(TargetPhase.Skipped);
    assertThat(refused.lastVerdict().reason())
        .isEqualTo(
            "GatewayApiMissing: Gateway shop/public: the Gateway API is not installed (no"
                + " CustomResourceDefinition gateways.gateway.networking.k8s.io); left as it is");
    assertThat(
            done.gateway("Deployment/istio-ingress/ingress").map(TargetStatus::phase).orElseThrow())
        .isEqualTo(TargetPhase.Promoted);
  }
}

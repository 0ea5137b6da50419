package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshgate.app.Daemon;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.Census;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Injected gateways moved by the daemon, as meshgate's ServiceAccount, on a real API server with
 * Istio's own istiod of both revisions injecting them (issue 25): an ingress gateway, taken by a
 * gatewaySelector, promoted in one rollout, an egress gateway whose gate fails rolled back with its
 * template label exactly restored and its pods back, and a gateway whose namespace label decides
 * its revision left out, said so.
 */
class GatewaysRealClusterIT {
  private static final String MIGRATION = "gateways";
  private static final GatewayRef INGRESS =
      new GatewayRef(GatewayRef.Kind.Deployment, "istio-ingress", "ingress");
  private static final GatewayRef EGRESS =
      new GatewayRef(GatewayRef.Kind.Deployment, "istio-egress", "egress");
  private static final GatewayRef OVERRIDDEN =
      new GatewayRef(GatewayRef.Kind.Deployment, "shop", "shop-gateway");

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static MigrationStatus end;

  @BeforeAll
  static void migrate() {
    fixture = RealClusterFixture.start();
    fixture.mesh.namespace(INGRESS.namespace(), Map.of());
    fixture.mesh.injectedGateway(INGRESS.namespace(), INGRESS.name(), FROM, 2);
    fixture.mesh.namespace(EGRESS.namespace(), Map.of());
    fixture.mesh.injectedGateway(EGRESS.namespace(), EGRESS.name(), FROM, 2);
    fixture.mesh.namespace(OVERRIDDEN.namespace(), Map.of("istio.io/rev", FROM));
    fixture.mesh.injectedGateway(OVERRIDDEN.namespace(), OVERRIDDEN.name(), FROM, 2);
    for (GatewayRef g : new GatewayRef[] {INGRESS, EGRESS, OVERRIDDEN}) {
      fixture.mesh.awaitSettled(g.namespace());
      assertThat(fixture.mesh.census(g.namespace())).isEqualTo(new Census(Map.of(FROM, 2), 0));
    }
    ScriptedGate gate = new ScriptedGate();
    gate.failing.add(EGRESS.key());
    daemon = fixture.startDaemon("meshgate-0", gate);
    fixture.apply(
        migration(
            MIGRATION,
            "interval: 1s\nfailureLimit: 2\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 2m}",
            """
            - name: gateways
              soak: 1s
              maxConcurrent: 3
              gatewaySelector: {matchLabels: {app: ingress}}
              gateways:
                - {kind: Deployment, namespace: istio-egress, name: egress}
                - {kind: Deployment, namespace: shop, name: shop-gateway}
            """));
    end =
        await("the migration ends")
            .atMost(Duration.ofMinutes(4))
            .until(() -> fixture.status(MIGRATION), s -> s.phase().isTerminal());
    fixture.mesh.awaitSettled(INGRESS.namespace());
    fixture.mesh.awaitSettled(EGRESS.namespace());
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

  private static TargetStatus gateway(GatewayRef g) {
    return end.gateway(g.key()).orElseThrow();
  }

  private static Deployment deployment(GatewayRef g) {
    return fixture.admin.apps().deployments().inNamespace(g.namespace()).withName(g.name()).get();
  }

  @Test
  void theIngressGatewayIsPromotedOntoTheNewRevisionInOneRollout() {
    assertThat(gateway(INGRESS).phase()).isEqualTo(TargetPhase.Promoted);
    assertThat(fixture.mesh.census(INGRESS.namespace())).isEqualTo(new Census(Map.of(TO, 2), 0));
    assertThat(deployment(INGRESS).getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("istio.io/rev", TO);
    assertThat(fixture.restarts(INGRESS.namespace()))
        .as("the flip, carrying the restart id, is the gateway's one template change")
        .isEqualTo(Map.of("deployments/" + INGRESS.name(), 1));
  }

  @Test
  void theFailingEgressGatewayIsRolledBackWithItsTemplateLabelExactlyRestored() {
    assertThat(gateway(EGRESS).phase()).isEqualTo(TargetPhase.RolledBack);
    Deployment egress = deployment(EGRESS);
    assertThat(egress.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("istio.io/rev", FROM);
    assertThat(egress.getMetadata().getAnnotations())
        .doesNotContainKeys("meshgate.io/previous-labels", "meshgate.io/migration");
    assertThat(fixture.mesh.census(EGRESS.namespace())).isEqualTo(new Census(Map.of(FROM, 2), 0));
    assertThat(fixture.restarts(EGRESS.namespace()))
        .as("the flip, and the restore carrying the rollback's restart id")
        .isEqualTo(Map.of("deployments/" + EGRESS.name(), 2));
  }

  @Test
  void aGatewayWhoseNamespaceLabelDecidesItsRevisionIsSkippedSayingSoAndLeftAlone() {
    TargetStatus skipped = gateway(OVERRIDDEN);
    assertThat(skipped.phase()).isEqualTo(TargetPhase.Skipped);
    assertThat(skipped.lastVerdict().reason())
        .isEqualTo(
            "NamespaceLabelOverrides: gateway Deployment shop/shop-gateway: its namespace is"
                + " labelled istio.io/rev="
                + FROM
                + ", which Istio's injection webhooks select by before the pod's own label, so"
                + " flipping the pod template would not move it (migrate namespace shop instead,"
                + " or remove that label); left as it is");
    assertThat(fixture.restarts(OVERRIDDEN.namespace())).isEmpty();
  }

  @Test
  void theMigrationFailsOnTheRolledBackGatewayAndCountsGatewaysInItsTotal() {
    assertThat(end.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(end.namespaces()).isEmpty();
    assertThat(end.promoted()).isEqualTo("1/3");
  }
}

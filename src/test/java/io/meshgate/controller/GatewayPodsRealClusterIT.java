package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.meshgate.app.Daemon;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.Census;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Gateway API gateway in a namespace being migrated, as istiod deploys it: its pods are not
 * injected (istiod renders them whole, {@code sidecar.istio.io/inject: "false"}) and run the
 * revision of the Gateway's own {@code istio.io/rev} label, not the namespace's. They are the
 * Gateway's to move (DESIGN.md section 12), so the namespace's census leaves them out: the
 * namespace is promoted once its own workloads run the new revision, and meshgate never touches the
 * Deployment istiod renders.
 */
class GatewayPodsRealClusterIT {
  private static final String SPEC =
      "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 45s}\n";
  private static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

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

  @Test
  void aGatewayOnItsOwnRevisionDoesNotKeepItsNamespaceFromBeingPromoted() {
    fixture
        .mesh
        .namespace("shop", Map.of("istio.io/rev", FROM))
        .deployment("shop", "web", 2)
        .gateway("shop", "public", FROM);
    await("istiod renders the gateway's Deployment")
        .atMost(Duration.ofSeconds(60))
        .until(() -> gatewayPods().size() == 1);
    fixture.mesh.awaitSettled("shop");

    fixture.apply(migration("gateway-pods", SPEC, "- {name: all, namespaces: [shop]}"));

    await("shop promoted")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status("gateway-pods"), "shop") == TargetPhase.Promoted);
    assertThat(Census.of(appPods())).isEqualTo(new Census(Map.of(TO, 2), 0));
    assertThat(Census.of(gatewayPods()))
        .as("the gateway stays where its own label puts it")
        .isEqualTo(new Census(Map.of(FROM, 1), 0));
    assertThat(fixture.restarts("shop")).containsOnlyKeys("deployments/web");
  }

  private static List<Pod> gatewayPods() {
    return fixture.mesh.pods("shop").stream()
        .filter(p -> p.getMetadata().getLabels().containsKey(GATEWAY_NAME_LABEL))
        .toList();
  }

  private static List<Pod> appPods() {
    return fixture.mesh.pods("shop").stream()
        .filter(p -> !p.getMetadata().getLabels().containsKey(GATEWAY_NAME_LABEL))
        .toList();
  }
}

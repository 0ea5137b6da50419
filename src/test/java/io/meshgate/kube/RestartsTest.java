package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.controller.RestartPort;
import io.meshgate.controller.WriteHook;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.sim.ApiCall;
import io.meshgate.sim.ClusterSimulator;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Restarts}: each workload restarted once per restart id. */
class RestartsTest {
  @Test
  void aRestartAskedForAgainBeforeTheCacheCaughtUpPatchesNoWorkloadTwice() {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      sim.namespace("shop", Map.of("istio.io/rev", "1-19-0"))
          .deployment("shop", "web", 2)
          .statefulSet("shop", "db", 1)
          .daemonSet("shop", "agent", 2);
      try (KubeCluster cluster =
          KubeCluster.start(sim.client(), "istio-system", Clock.systemUTC(), WriteHook.NONE)) {
        RestartPort restarts = cluster.ports().restarts();
        cluster.targets().watch("m", Set.of("shop"));
        sim.clearApiCalls();

        // back to back, as two ticks would be with a cache a moment behind the API server
        restarts.restart(
            "m", "shop", "m/shop/1", SidecarGoal.onto("1-20-0"), MigrationSpec.Restart.DEFAULT);
        restarts.restart(
            "m", "shop", "m/shop/1", SidecarGoal.onto("1-20-0"), MigrationSpec.Restart.DEFAULT);
      }

      assertThat(
              sim.apiCalls().stream()
                  .filter(ApiCall::isWrite)
                  .map(c -> c.method() + " " + c.resourcePath()))
          .containsExactlyInAnyOrder(
              "PATCH /apis/apps/v1/namespaces/shop/deployments/web",
              "PATCH /apis/apps/v1/namespaces/shop/statefulsets/db",
              "PATCH /apis/apps/v1/namespaces/shop/daemonsets/agent");
    }
  }
}

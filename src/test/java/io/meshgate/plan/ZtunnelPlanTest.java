package io.meshgate.plan;

import static io.meshgate.plan.Clusters.FROM;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, {@code meshgate plan} where ambient is present: the ztunnel DaemonSet's update
 * strategy, its template now, and how many nodes' ztunnel pods run it; a strategy a ztunnel wave
 * cannot work with is said, with the way to change it.
 */
class ZtunnelPlanTest {
  private static final String HASH = "controller-revision-hash";

  private static Clusters ambient(String strategy, String currentHash) {
    return new Clusters()
        .ztunnel("istio-system", "ztunnel", FROM, strategy, currentHash)
        .podOn("istio-system", "ztunnel-a", "DaemonSet/ztunnel", null, "node-1", HASH, "new222")
        .podOn("istio-system", "ztunnel-b", "DaemonSet/ztunnel", null, "node-2", HASH, "old111")
        .podOn("istio-system", "ztunnel-c", "DaemonSet/ztunnel", null, "node-3", HASH, "old111")
        // not ztunnel's: another DaemonSet's pod in its namespace
        .podOn("istio-system", "cni-a", "DaemonSet/istio-cni-node", null, "node-1", HASH, "new222")
        .namespace("mesh", "istio.io/dataplane-mode", "ambient");
  }

  @Test
  void thePlanSaysHowManyNodesRunTheDaemonSetsTemplateNow() {
    UpgradePlan plan = ambient("OnDelete", "new222").plan();

    assertThat(plan.ztunnels())
        .containsExactly(
            new UpgradePlan.ZtunnelDaemonSet(
                "istio-system", "ztunnel", FROM, "OnDelete", "new222", 3, 1));
    assertThat(plan.ztunnels().get(0).describe())
        .isEqualTo(
            "ztunnel DaemonSet istio-system/ztunnel (revision 1-19-0): updateStrategy OnDelete,"
                + " template new222 on 1 of 3 nodes");
    assertThat(plan.notes()).isEmpty();
  }

  @Test
  void aRollingUpdateDaemonSetIsNotedWithHowToSetOnDelete() {
    UpgradePlan plan = ambient("RollingUpdate", "new222").plan();

    assertThat(plan.notes())
        .containsExactly(
            "ztunnel DaemonSet istio-system/ztunnel has updateStrategy RollingUpdate: a ztunnel"
                + " wave needs OnDelete (Istio's ztunnel Helm chart: --set"
                + " updateStrategy.type=OnDelete; or kubectl -n istio-system patch daemonset"
                + " ztunnel --type merge -p"
                + " '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}')");
  }

  @Test
  void aTemplateThatCouldNotBeReadIsUnknownAndTheGrantIsNamed() {
    UpgradePlan plan = ambient("OnDelete", null).plan();

    assertThat(plan.ztunnels().get(0).describe())
        .isEqualTo(
            "ztunnel DaemonSet istio-system/ztunnel (revision 1-19-0): updateStrategy OnDelete,"
                + " template unknown, on 3 nodes");
    assertThat(plan.notes())
        .containsExactly(
            "the template of ztunnel DaemonSet istio-system/ztunnel is unknown: listing its"
                + " ControllerRevisions needs deploy/optional/ztunnel-rbac.yaml");
  }

  @Test
  void theJsonOfThePlanCarriesTheDaemonSetsState() {
    Map<String, Object> json = ambient("OnDelete", "new222").plan().toMap();

    assertThat(json.get("ztunnels"))
        .isEqualTo(
            List.of(
                Map.of(
                    "namespace", "istio-system",
                    "name", "ztunnel",
                    "revision", FROM,
                    "updateStrategy", "OnDelete",
                    "currentHash", "new222",
                    "nodes", 3,
                    "updated", 1)));
  }

  @Test
  void withoutZtunnelThePlanListsNoDaemonSet() {
    UpgradePlan plan = new Clusters().namespace("shop", "istio.io/rev", FROM).plan();

    assertThat(plan.ztunnels()).isEmpty();
    assertThat(plan.toMap().get("ztunnels")).isEqualTo(List.of());
  }
}

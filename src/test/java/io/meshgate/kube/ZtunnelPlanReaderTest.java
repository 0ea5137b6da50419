package io.meshgate.kube;

import static io.meshgate.kube.ZtunnelFixtures.revision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.meshgate.plan.UpgradePlan;
import io.meshgate.sim.ClusterSimulator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, {@link UpgradePlanReader}: a ztunnel DaemonSet's strategy and its newest
 * ControllerRevision's hash reach the plan; ControllerRevisions meshgate may not list leave the
 * template unknown rather than failing the plan.
 */
class ZtunnelPlanReaderTest {
  @Test
  void theTemplateHashIsThatOfTheNewestControllerRevision() {
    try (ClusterSimulator sim = ambientCluster()) {
      String uid = ztunnel(sim);
      sim.client().resource(revision("old111", 1, uid, "istio/ztunnel:1.19.0")).create();
      sim.client().resource(revision("new222", 2, uid, "istio/ztunnel:1.20.0")).create();

      UpgradePlan plan = plan(sim);

      assertThat(plan.ztunnels())
          .extracting(
              UpgradePlan.ZtunnelDaemonSet::updateStrategy,
              UpgradePlan.ZtunnelDaemonSet::currentHash)
          .containsExactly(tuple("OnDelete", "new222"));
    }
  }

  @Test
  void controllerRevisionsRefusedLeaveTheTemplateUnknownAndTheGrantNamed() {
    try (ClusterSimulator sim = ambientCluster()) {
      ztunnel(sim);
      sim.server()
          .expect()
          .get()
          .withPath(
              "/apis/apps/v1/namespaces/istio-system/controllerrevisions?labelSelector=app%3Dztunnel")
          .andReturn(
              403,
              new StatusBuilder()
                  .withStatus("Failure")
                  .withCode(403)
                  .withReason("Forbidden")
                  .withMessage("controllerrevisions.apps is forbidden")
                  .build())
          .always();

      UpgradePlan plan = plan(sim);

      assertThat(plan.ztunnels().get(0).currentHash()).isNull();
      assertThat(plan.notes())
          .contains(
              "the template of ztunnel DaemonSet istio-system/ztunnel is unknown: listing its"
                  + " ControllerRevisions needs deploy/optional/ztunnel-rbac.yaml");
    }
  }

  private static ClusterSimulator ambientCluster() {
    ClusterSimulator sim = ClusterSimulator.start();
    sim.istiod("1-19-0", true).istiod("1-20-0", true);
    sim.namespace("mesh", Map.of("istio.io/dataplane-mode", "ambient"));
    return sim;
  }

  /** The ztunnel DaemonSet as Istio's chart labels it; its uid. */
  private static String ztunnel(ClusterSimulator sim) {
    DaemonSet ds =
        new DaemonSetBuilder(ZtunnelFixtures.daemonSet("OnDelete"))
            .editMetadata()
            .addToLabels("app.kubernetes.io/name", "ztunnel")
            .endMetadata()
            .build();
    return sim.client().resource(ds).create().getMetadata().getUid();
  }

  private static UpgradePlan plan(ClusterSimulator sim) {
    try (UpgradePlanReader reader = new UpgradePlanReader(sim.client())) {
      return reader.plan("1-19-0", "1-20-0");
    }
  }
}

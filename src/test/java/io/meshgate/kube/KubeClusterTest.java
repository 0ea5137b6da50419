package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.controller.WriteHook;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.sim.ApiCall;
import io.meshgate.sim.ClusterSimulator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KubeClusterTest {
  @Test
  void aRestartAskedForAgainBeforeTheCacheCaughtUpPatchesNoWorkloadTwice() {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      sim.namespace("shop", Map.of("istio.io/rev", "1-19-0"))
          .deployment("shop", "web", 2)
          .statefulSet("shop", "db", 1)
          .daemonSet("shop", "agent", 2);
      try (KubeCluster cluster =
          KubeCluster.start(sim.client(), "istio-system", Clock.systemUTC(), WriteHook.NONE)) {
        cluster.watch("m", Set.of("shop"));
        sim.clearApiCalls();

        // back to back, as two ticks would be with a cache a moment behind the API server
        cluster.restart(
            "m", "shop", "m/shop/1", SidecarGoal.onto("1-20-0"), MigrationSpec.Restart.DEFAULT);
        cluster.restart(
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

  private static MigrationSpec spec(String from, String to, String tag, String... namespaces) {
    return RevisionMigrations.toSpec(
        new RevisionMigrationSpec(
            from,
            to,
            List.of(
                new RevisionMigrationSpec.Wave("all", List.of(namespaces), null, null, null, null)),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            tag,
            null));
  }

  @Test
  void tagsResolveThroughTheirWebhooksAndATagsWebhookIsNoRevisionsInjector() {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      sim.istiod("1-19-0", true).istiod("1-20-0", true);
      sim.tag("prod-stable", "1-19-0").tag("prod-canary", "1-20-0");
      sim.namespace("on-tag", Map.of("istio.io/rev", "prod-stable"))
          .namespace("on-revision", Map.of("istio.io/rev", "1-19-0"))
          .namespace(
              "overridden", Map.of("istio.io/rev", "prod-stable", "istio-injection", "enabled"))
          .namespace("on-canary", Map.of("istio.io/rev", "prod-canary"));
      sim.client()
          .admissionRegistration()
          .v1()
          .mutatingWebhookConfigurations()
          .withName("istio-sidecar-injector-1-20-0")
          .delete();
      MigrationSpec labelFlow = spec("prod-stable", "prod-canary", null, "on-tag");
      MigrationSpec tagMode =
          spec("1-19-0", "1-20-0", "prod-stable", "on-tag", "on-revision", "overridden");
      try (KubeCluster cluster =
          KubeCluster.start(sim.client(), "istio-system", Clock.systemUTC(), WriteHook.NONE)) {
        Observed withoutInjector = cluster.observe("m", labelFlow, MigrationStatus.initial());

        assertThat(withoutInjector.tags())
            .containsEntry("prod-stable", new Observed.TagWebhook("1-19-0", null, null))
            .containsEntry("prod-canary", new Observed.TagWebhook("1-20-0", null, null));
        assertThat(withoutInjector.fromRevisionAvailable()).isTrue();
        assertThat(withoutInjector.toRevisionAvailable())
            .as("prod-canary's own webhook does not stand in for the injector of 1-20-0")
            .isFalse();

        sim.istiod("1-20-0", true);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    cluster
                        .observe("m", labelFlow, MigrationStatus.initial())
                        .toRevisionAvailable());

        assertThat(cluster.observe("m", tagMode, MigrationStatus.initial()).followingTag())
            .containsExactly("on-tag");
        assertThat(cluster.cohort(tagMode, MigrationStatus.initial(), 50))
            .as("the old revision's namespaces, by revision or by a tag on it")
            .contains("on-revision", "on-tag")
            .doesNotContain("on-canary");
        assertThat(cluster.oldRevisionInUse("1-19-0"))
            .contains("on-tag", "on-revision")
            .doesNotContain("on-canary");
      }
    }
  }
}

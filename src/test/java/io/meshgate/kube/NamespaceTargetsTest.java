package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.controller.ObservePort;
import io.meshgate.controller.WriteHook;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.sim.ClusterSimulator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link NamespaceTargets} with revision tags: tags resolve through their webhooks ({@link
 * RevisionTags}), and a tag's webhook is no revision's injector ({@link Revisions}).
 */
class NamespaceTargetsTest {
  private static MigrationSpec spec(String from, String to, String tag, String... namespaces) {
    return specIn(null, from, to, tag, namespaces);
  }

  private static MigrationSpec specIn(
      String mode, String from, String to, String tag, String... namespaces) {
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
            null,
            mode));
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
        ObservePort observer = cluster.ports().observer();
        Observed withoutInjector = observer.observe("m", labelFlow, MigrationStatus.initial());

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
                    observer
                        .observe("m", labelFlow, MigrationStatus.initial())
                        .toRevisionAvailable());

        assertThat(observer.observe("m", tagMode, MigrationStatus.initial()).followingTag())
            .containsExactly("on-tag");
        assertThat(observer.cohort(tagMode, MigrationStatus.initial(), 50))
            .as("the old revision's namespaces, by revision or by a tag on it")
            .contains("on-revision", "on-tag")
            .doesNotContain("on-canary");
        assertThat(observer.oldRevisionInUse("1-19-0"))
            .contains("on-tag", "on-revision")
            .doesNotContain("on-canary");
      }
    }
  }

  /**
   * Issue 26: an in-place upgrade's target image comes from the injector ConfigMap, else istiod's
   * image; its control cohort is the revision's namespaces not restarted yet.
   */
  @Test
  void anInPlaceUpgradeReadsTheInjectedImageAndItsCohortIsTheNamespacesNotRestartedYet() {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      sim.istiod("1-20-0", true);
      for (String ns : List.of("restarted", "next", "outside")) {
        sim.namespace(ns, Map.of("istio.io/rev", "1-20-0"));
      }
      sim.namespace("elsewhere", Map.of("istio.io/rev", "1-19-0"));
      MigrationSpec inPlace = specIn("Restart", null, "1-20-0", null, "restarted", "next");
      MigrationStatus status =
          MigrationStatus.initial()
              .withNamespaces(
                  List.of(
                      new io.meshgate.migration.TargetStatus(
                          "restarted",
                          "all",
                          io.meshgate.migration.TargetPhase.Promoted,
                          null,
                          Map.of(),
                          Map.of(),
                          null,
                          Map.of(),
                          0,
                          0,
                          null,
                          "m/restarted/1",
                          null),
                      io.meshgate.migration.TargetStatus.pending("next", "all")));
      try (KubeCluster cluster =
          KubeCluster.start(sim.client(), "istio-system", Clock.systemUTC(), WriteHook.NONE)) {
        ObservePort observer = cluster.ports().observer();

        assertThat(inPlace.fromRevision()).as("defaults to toRevision").isEqualTo("1-20-0");
        assertThat(observer.observe("m", inPlace, status).targetImage())
            .as("the simulator's istiod image has no tag")
            .isEqualTo(
                new Observed.ProxyImage(
                    null,
                    "no injector ConfigMap, and the image of istiod Deployment"
                        + " istio-system/istiod-1-20-0 is docker.io/istio/pilot, not"
                        + " <hub>/pilot:<tag>"));
        sim.client()
            .configMaps()
            .inNamespace("istio-system")
            .resource(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("istio-sidecar-injector-1-20-0")
                    .withLabels(Map.of("istio.io/rev", "1-20-0"))
                    .endMetadata()
                    .withData(
                        Map.of(
                            "values",
                            "{\"global\":{\"hub\":\"docker.io/istio\",\"tag\":\"1.20.1\"}}"))
                    .build())
            .create();
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(observer.observe("m", inPlace, status).targetImage())
                        .isEqualTo(
                            new Observed.ProxyImage(
                                "docker.io/istio/proxyv2:1.20.1",
                                "ConfigMap istio-system/istio-sidecar-injector-1-20-0"
                                    + " (values.global)")));
        assertThat(observer.cohort(inPlace, status, 50))
            .as("the revision's namespaces not restarted yet")
            .containsExactly("next", "outside");
        assertThat(
                observer.observe("m", spec("1-19-0", "1-20-0", null, "next"), status).targetImage())
            .as("read only for an in-place upgrade")
            .isNull();
      }
    }
  }
}

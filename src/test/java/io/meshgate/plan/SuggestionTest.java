package io.meshgate.plan;

import static io.meshgate.plan.Clusters.FROM;
import static io.meshgate.plan.Clusters.TO;
import static io.meshgate.plan.Clusters.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.meshgate.plan.Suggestion.GatewayRef;
import io.meshgate.plan.Suggestion.LeftOut;
import io.meshgate.plan.Suggestion.Wave;
import io.meshgate.plan.UpgradePlan.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RevisionMigration a plan suggests: which waves, in which order, and what it leaves out. */
class SuggestionTest {
  private static final Map<String, String> GATEWAY = map("inject.istio.io/templates", "gateway");

  /** Namespaces labelled with the old revision, each with {@code pods} pods on it. */
  private static Clusters labelled(Clusters cluster, String namespace, int pods) {
    cluster.namespace(namespace, "istio.io/rev", FROM);
    for (int i = 0; i < pods; i++) {
      cluster.pod(namespace, namespace + "-" + i, "Deployment/app", FROM);
    }
    return cluster;
  }

  @Test
  void aFirstWaveOfOneLowRiskNamespaceThenTheGatewaysThenTheRest() {
    Clusters cluster = new Clusters();
    labelled(cluster, "payments", 3);
    labelled(cluster, "orders", 1);
    labelled(cluster, "staging-web", 5);
    labelled(cluster, "empty-dev", 0);
    labelled(cluster, "kube-system", 0);
    cluster
        .namespace("istio-ingress")
        .deployment("istio-ingress", "ingressgateway", map("istio.io/rev", FROM), GATEWAY)
        .gateway("payments", "public", "istio", "istio.io/rev", FROM)
        .namespace("mesh", "istio.io/rev", TO)
        .gateway("mesh", "waypoint", "istio-waypoint", "istio.io/rev", FROM);

    Suggestion s = cluster.plan().suggestion();

    assertThat(s.name()).isEqualTo("1-19-0-to-1-20-0");
    assertThat(s.tag()).isNull();
    assertThat(s.waves())
        .containsExactly(
            new Wave("first", List.of("staging-web"), List.of(), "10m"),
            new Wave(
                "gateways",
                List.of(),
                List.of(
                    new GatewayRef("Deployment", "istio-ingress", "ingressgateway"),
                    new GatewayRef("Gateway", "payments", "public"),
                    new GatewayRef("Gateway", "mesh", "waypoint")),
                "15m"),
            new Wave(
                "rest",
                List.of("empty-dev", "kube-system", "orders", "payments"),
                List.of(),
                "30m"));
    assertThat(s.leftOut()).isEmpty();
  }

  @Test
  void withoutALowRiskNameTheFirstWaveIsTheNamespaceWithTheFewestPodsButNotAnEmptyOne() {
    Clusters cluster = new Clusters();
    labelled(cluster, "a", 3);
    labelled(cluster, "b", 2);
    labelled(cluster, "c", 0);
    labelled(cluster, "istio-system", 1);

    assertThat(cluster.plan().suggestion().waves())
        .extracting(Wave::name, Wave::namespaces)
        .containsExactly(
            tuple("first", List.of("b")), tuple("rest", List.of("a", "c", "istio-system")));
  }

  @Test
  void aControlPlaneNamespaceIsNeverTheFirstWave() {
    PlanInput onlyControlPlane =
        new PlanInput(
            Map.of(),
            java.util.Set.of(FROM, TO),
            java.util.Set.of("mesh-control"),
            List.of(new PlanInput.Namespace("mesh-control", map("istio.io/rev", FROM))),
            List.of(),
            List.of(),
            List.of(),
            List.of());

    assertThat(Planner.plan(onlyControlPlane, FROM, TO).suggestion().waves())
        .containsExactly(new Wave("rest", List.of("mesh-control"), List.of(), "30m"));
  }

  @Test
  void namespacesFollowingATagOnTheRevisionMakeItTagModeForTheTagMostOfThemFollow() {
    Clusters cluster =
        new Clusters()
            .tag("prod", FROM)
            .tag("default", FROM)
            .namespace("shop", "istio.io/rev", "prod")
            .namespace("web", "istio.io/rev", "prod")
            .namespace("legacy", "istio-injection", "enabled")
            .namespace("test", "istio.io/rev", FROM)
            .namespace("edge")
            .deployment("edge", "follower", map("istio.io/rev", "prod"), GATEWAY)
            .deployment("edge", "direct", map("istio.io/rev", FROM), GATEWAY)
            .gateway("shop", "public", "istio");

    Suggestion s = cluster.plan().suggestion();

    assertThat(s.tag()).isEqualTo("prod");
    assertThat(s.waves())
        .extracting(Wave::name, Wave::namespaces, Wave::gateways)
        .containsExactly(
            tuple("first", List.of("shop"), List.of()),
            tuple(
                "gateways",
                List.of(),
                List.of(
                    new GatewayRef("Deployment", "edge", "follower"),
                    new GatewayRef("Gateway", "shop", "public"))),
            tuple("rest", List.of("web"), List.of()));
    assertThat(s.leftOut())
        .containsExactly(
            new LeftOut(
                Kind.Namespace,
                null,
                "legacy",
                "follows tag default, not prod: migrate it with a RevisionMigration of its own"
                    + " (spec.tag: default)"),
            new LeftOut(
                Kind.Namespace,
                null,
                "test",
                "selects 1-19-0 by its own label, not through tag prod: a tag-mode migration skips"
                    + " it (NotFollowingTag); migrate it with a RevisionMigration without spec.tag"),
            new LeftOut(
                Kind.Deployment,
                "edge",
                "direct",
                "selects 1-19-0 by its own label, not through tag prod: a tag-mode migration skips"
                    + " it (NotFollowingTag); migrate it with a RevisionMigration without spec.tag"));
    assertThat(s.manifest().get("spec"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("tag", "prod");
  }

  @Test
  void theLabelFlowLeavesOutWhatItCannotMoveAndSaysWhy() {
    Clusters cluster =
        new Clusters()
            .tag("canary", FROM)
            .ztunnel("istio-system", "ztunnel", FROM)
            .podOn("istio-system", "ztunnel-a", "DaemonSet/ztunnel", null, "node-1")
            .namespace("test", "istio.io/rev", FROM)
            .namespace("orders", "istio.io/rev", TO)
            .pod("orders", "o-1", "Deployment/o", FROM)
            .namespace("pinned")
            .pod("pinned", "p-1", "StatefulSet/p", FROM, "istio.io/rev", FROM)
            .namespace("edge", "istio.io/rev", FROM)
            .deployment("edge", "ingress", map("istio.io/rev", TO), GATEWAY)
            .namespace("canaries")
            .deployment("canaries", "canary-gw", map("istio.io/rev", "canary"), GATEWAY)
            .namespace("mesh", "istio.io/dataplane-mode", "ambient");

    Suggestion s = cluster.plan().suggestion();

    assertThat(s.tag()).isNull();
    assertThat(s.waves())
        .extracting(Wave::name, Wave::namespaces)
        .containsExactly(tuple("first", List.of("test")), tuple("rest", List.of("edge")));
    assertThat(s.leftOut())
        .extracting(LeftOut::ref, LeftOut::reason)
        .containsExactly(
            tuple(
                "Namespace orders",
                "no label selects 1-19-0 any more: restarting its workloads moves the pods still on"
                    + " it"),
            tuple(
                "Namespace pinned",
                "its pods select 1-19-0 by their own istio.io/rev label: change that label in their"
                    + " workloads' templates (a namespace flip would inject every pod of the"
                    + " namespace)"),
            tuple(
                "Deployment canaries/canary-gw",
                "follows tag canary: a label flip would take it off the tag; move the tag instead"
                    + " (tag mode, spec.tag: canary)"),
            tuple(
                "Deployment edge/ingress",
                "its namespace's label decides its revision (it overrides the pod template's): it"
                    + " moves with namespace edge"),
            tuple(
                "AmbientNamespace mesh",
                "moved by a ztunnel node upgrade, which this RevisionMigration does not run"),
            tuple(
                "Node node-1",
                "moved by a ztunnel node upgrade, which this RevisionMigration does not run"));
  }

  @Test
  void whenNothingCanBeMigratedThereIsNoManifestButTheReasons() {
    Suggestion s =
        new Clusters()
            .namespace("orders", "istio.io/rev", TO)
            .pod("orders", "o-1", "Deployment/o", FROM)
            .plan()
            .suggestion();

    assertThat(s.waves()).isEmpty();
    assertThat(s.manifest()).isNull();
    assertThat(s.leftOut()).extracting(LeftOut::ref).containsExactly("Namespace orders");
  }

  @Test
  void theManifestIsARevisionMigrationWithGatewaysAsKindNamespaceAndName() {
    Map<String, Object> manifest =
        new Clusters()
            .namespace("test", "istio.io/rev", FROM)
            .namespace("istio-ingress")
            .deployment("istio-ingress", "ingressgateway", map("istio.io/rev", FROM), GATEWAY)
            .plan()
            .suggestion()
            .manifest();

    assertThat(manifest)
        .containsExactly(
            Map.entry("apiVersion", "meshgate.io/v1alpha1"),
            Map.entry("kind", "RevisionMigration"),
            Map.entry("metadata", Map.of("name", "1-19-0-to-1-20-0")),
            Map.entry(
                "spec",
                Map.of(
                    "fromRevision",
                    FROM,
                    "toRevision",
                    TO,
                    "waves",
                    List.of(
                        Map.of("name", "first", "namespaces", List.of("test"), "soak", "10m"),
                        Map.of(
                            "name",
                            "gateways",
                            "gateways",
                            List.of(
                                Map.of(
                                    "kind",
                                    "Deployment",
                                    "namespace",
                                    "istio-ingress",
                                    "name",
                                    "ingressgateway")),
                            "soak",
                            "15m")))));
  }

  @Test
  void moreNamespacesByTheirOwnLabelThanByAnyTagMakeItTheLabelFlow() {
    Suggestion s =
        new Clusters()
            .tag("default", FROM)
            .namespace("legacy", "istio-injection", "enabled")
            .namespace("a", "istio.io/rev", FROM)
            .namespace("b", "istio.io/rev", FROM)
            .plan()
            .suggestion();

    assertThat(s.tag()).isNull();
    assertThat(s.leftOut()).extracting(LeftOut::ref).containsExactly("Namespace legacy");
  }

  @Test
  void asManyByLabelAsByATagIsTheLabelFlowAndTagsTiedAreTakenByName() {
    assertThat(Clusters.everyKind().plan().suggestion().tag()).isNull();
    assertThat(
            new Clusters()
                .tag("prod", FROM)
                .tag("default", FROM)
                .namespace("shop", "istio.io/rev", "prod")
                .namespace("legacy", "istio-injection", "enabled")
                .plan()
                .suggestion()
                .tag())
        .isEqualTo("default");
  }

  @Test
  void theNameIsADns1123Label() {
    assertThat(Suggestion.name("1-19-0", "1-20-0")).isEqualTo("1-19-0-to-1-20-0");
    assertThat(Suggestion.name("a".repeat(40), "b".repeat(40)))
        .isEqualTo("a".repeat(40) + "-to-" + "b".repeat(19))
        .hasSizeLessThanOrEqualTo(63);
    assertThat(Suggestion.name("a".repeat(59), "b")).isEqualTo("a".repeat(59) + "-to");
  }
}

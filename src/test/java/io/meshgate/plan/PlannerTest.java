package io.meshgate.plan;

import static io.meshgate.plan.Clusters.FROM;
import static io.meshgate.plan.Clusters.TO;
import static io.meshgate.plan.Clusters.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.meshgate.plan.UpgradePlan.How;
import io.meshgate.plan.UpgradePlan.Item;
import io.meshgate.plan.UpgradePlan.Kind;
import io.meshgate.plan.UpgradePlan.MovedBy;
import io.meshgate.plan.UpgradePlan.Selection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@link Planner} lists, for each kind and each way of selecting a revision (issue 25). */
class PlannerTest {
  private static final Map<String, String> NONE = Map.of();

  private static Item only(UpgradePlan plan) {
    assertThat(plan.items()).hasSize(1);
    return plan.items().get(0);
  }

  private static Item item(UpgradePlan plan, Kind kind, String name) {
    return plan.items().stream()
        .filter(i -> i.kind() == kind && i.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + " " + name + " not in " + plan.items()));
  }

  // ---- sidecar namespaces, by their labels ----

  static Stream<Arguments> namespaceLabels() {
    return Stream.of(
        Arguments.of(
            "the revision itself",
            new String[] {"istio.io/rev", FROM},
            new Selection(How.LABEL, "istio.io/rev=" + FROM, null),
            MovedBy.LABEL_FLIP),
        Arguments.of(
            "a tag on it",
            new String[] {"istio.io/rev", "prod"},
            new Selection(How.TAG, "istio.io/rev=prod", "prod"),
            MovedBy.TAG_MOVE),
        Arguments.of(
            "istio-injection=enabled with tag default on it",
            new String[] {"istio-injection", "enabled"},
            new Selection(How.DEFAULT, "istio-injection=enabled", "default"),
            MovedBy.TAG_MOVE),
        Arguments.of(
            "istio-injection=enabled overriding istio.io/rev of another revision",
            new String[] {"istio-injection", "enabled", "istio.io/rev", TO},
            new Selection(How.DEFAULT, "istio-injection=enabled", "default"),
            MovedBy.TAG_MOVE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namespaceLabels")
  void aNamespaceSelectingTheRevisionIsListedWithHowAndWhatMovesIt(
      String label, String[] labels, Selection selects, MovedBy movedBy) {
    UpgradePlan plan =
        new Clusters().tag("prod", FROM).tag("default", FROM).namespace("shop", labels).plan();

    Item item = only(plan);
    assertThat(item.kind()).isEqualTo(Kind.Namespace);
    assertThat(item.name()).isEqualTo("shop");
    assertThat(item.namespace()).isNull();
    assertThat(item.selects()).isEqualTo(selects);
    assertThat(item.movedBy()).isEqualTo(movedBy);
  }

  static Stream<Arguments> namespacesSelectingSomethingElse() {
    return Stream.of(
        Arguments.of("the other revision", new String[] {"istio.io/rev", TO}),
        Arguments.of("a tag on the other revision", new String[] {"istio.io/rev", "canary"}),
        Arguments.of(
            "istio-injection=disabled, which overrides istio.io/rev",
            new String[] {"istio-injection", "disabled", "istio.io/rev", FROM}),
        Arguments.of(
            "istio-injection=enabled with tag default elsewhere",
            new String[] {"istio-injection", "enabled", "istio.io/rev", FROM}),
        Arguments.of("no label", new String[] {}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namespacesSelectingSomethingElse")
  void aNamespaceSelectingAnotherRevisionWithoutPodsOnThisOneIsNotListed(
      String label, String[] labels) {
    UpgradePlan plan =
        new Clusters().tag("canary", TO).tag("default", TO).namespace("shop", labels).plan();

    assertThat(plan.items()).isEmpty();
    assertThat(plan.summary()).isEqualTo("Nothing in the cluster selects " + FROM + ".");
  }

  @Test
  void istioInjectionEnabledSelectsARevisionInstalledWithoutAName() {
    UpgradePlan plan =
        Planner.plan(
            new Clusters()
                .revision("default")
                .namespace("legacy", "istio-injection", "enabled")
                .namespace("named", "istio.io/rev", "default")
                .input(),
            "default",
            TO);

    assertThat(item(plan, Kind.Namespace, "legacy").selects())
        .isEqualTo(new Selection(How.DEFAULT, "istio-injection=enabled", null));
    assertThat(item(plan, Kind.Namespace, "legacy").movedBy()).isEqualTo(MovedBy.LABEL_FLIP);
    assertThat(item(plan, Kind.Namespace, "named").selects())
        .isEqualTo(new Selection(How.LABEL, "istio.io/rev=default", null));
  }

  @Test
  void theNamespacesLabelWinsOverThePodsOwn() {
    UpgradePlan plan =
        new Clusters()
            .namespace("shop", "istio.io/rev", FROM)
            .pod("shop", "web-1", "Deployment/web", FROM, "istio.io/rev", TO)
            .pod("shop", "web-2", "Deployment/web", FROM)
            .plan();

    Item shop = only(plan);
    assertThat(shop.selects().how()).isEqualTo(How.LABEL);
    assertThat(shop.movedBy()).isEqualTo(MovedBy.LABEL_FLIP);
    assertThat(shop.proxies()).isEqualTo(2);
  }

  // ---- namespaces listed for the pods still running the revision ----

  @Test
  void aNamespaceLabelledElsewhereWithPodsStillOnTheRevisionNeedsOnlyARestart() {
    UpgradePlan plan =
        new Clusters()
            .namespace("orders", "istio.io/rev", TO)
            .pod("orders", "web-1", "Deployment/web", FROM)
            .pod("orders", "web-2", "Deployment/web", TO)
            .pod("orders", "batch", "Job/batch", null)
            .plan();

    Item orders = only(plan);
    assertThat(orders.selects()).isEqualTo(new Selection(How.PROXIES, "1 pod on " + FROM, null));
    assertThat(orders.movedBy()).isEqualTo(MovedBy.RESTART_ONLY);
    assertThat(orders.proxies()).isEqualTo(1);
    assertThat(orders.note())
        .isEqualTo(
            "1 pod still runs 1-19-0; label istio.io/rev=1-20-0 selects 1-20-0: a restart moves them");
  }

  @Test
  void aNamespaceWithInjectionDisabledAndPodsStillOnTheRevisionSaysARestartRemovesTheirSidecars() {
    UpgradePlan plan =
        new Clusters()
            .namespace("old", "istio-injection", "disabled")
            .pod("old", "a", "Deployment/a", FROM)
            .pod("old", "b", "Deployment/b", FROM)
            .plan();

    Item old = only(plan);
    assertThat(old.movedBy()).isEqualTo(MovedBy.RESTART_ONLY);
    assertThat(old.note())
        .isEqualTo(
            "2 pods still run 1-19-0; istio-injection=disabled injects nothing: a restart removes"
                + " their sidecars");
  }

  @Test
  void podsSelectingTheRevisionByTheirOwnLabelInAnUnlabelledNamespaceArePinned() {
    UpgradePlan plan =
        new Clusters()
            .namespace("pinned")
            .pod("pinned", "db-0", "StatefulSet/db", FROM, "istio.io/rev", FROM)
            .pod("pinned", "web-1", "Deployment/web", null)
            .plan();

    Item pinned = only(plan);
    assertThat(pinned.selects())
        .isEqualTo(new Selection(How.POD_LABEL, "istio.io/rev=" + FROM, null));
    assertThat(pinned.movedBy()).isEqualTo(MovedBy.PODS_PINNED);
    assertThat(pinned.note())
        .isEqualTo("1 pod selects 1-19-0 by a pod label; the namespace has no injection label");
  }

  @Test
  void podsFollowingATagByTheirOwnLabelMoveWithTheTag() {
    UpgradePlan plan =
        new Clusters()
            .tag("default", FROM)
            .namespace("opted")
            .pod("opted", "a", "Deployment/a", FROM, "sidecar.istio.io/inject", "true")
            .plan();

    Item opted = only(plan);
    assertThat(opted.selects())
        .isEqualTo(new Selection(How.POD_LABEL, "sidecar.istio.io/inject=true", "default"));
    assertThat(opted.movedBy()).isEqualTo(MovedBy.TAG_MOVE);
  }

  @Test
  void podsOnTheRevisionThatNothingSelectsAnyMoreNeedARestart() {
    UpgradePlan plan =
        new Clusters().namespace("left").pod("left", "a", "Deployment/a", FROM).plan();

    Item left = only(plan);
    assertThat(left.movedBy()).isEqualTo(MovedBy.RESTART_ONLY);
    assertThat(left.note())
        .isEqualTo("no label selects a revision any more: a restart removes their sidecars");
  }

  // ---- injected gateways ----

  private static Map<String, String> gatewayAnnotations() {
    return map("inject.istio.io/templates", "gateway");
  }

  static Stream<Arguments> injectedGateways() {
    return Stream.of(
        Arguments.of(
            "its template's label names the revision",
            new String[] {},
            map("istio.io/rev", FROM),
            new Selection(How.LABEL, "istio.io/rev=" + FROM, null),
            MovedBy.LABEL_FLIP),
        Arguments.of(
            "its template's label names a tag",
            new String[] {},
            map("istio.io/rev", "prod"),
            new Selection(How.TAG, "istio.io/rev=prod", "prod"),
            MovedBy.TAG_MOVE_RESTART),
        Arguments.of(
            "sidecar.istio.io/inject=true: the default revision, through tag default",
            new String[] {},
            map("sidecar.istio.io/inject", "true"),
            new Selection(How.DEFAULT, "sidecar.istio.io/inject=true", "default"),
            MovedBy.TAG_MOVE_RESTART),
        Arguments.of(
            "its namespace's label names the revision, overriding the template's",
            new String[] {"istio.io/rev", FROM},
            map("istio.io/rev", TO),
            new Selection(How.NAMESPACE_LABEL, "edge istio.io/rev=" + FROM, null),
            MovedBy.NAMESPACE_LABEL_FLIP),
        Arguments.of(
            "its namespace's label names a tag",
            new String[] {"istio.io/rev", "prod"},
            map("istio.io/rev", TO),
            new Selection(How.NAMESPACE_LABEL, "edge istio.io/rev=prod", "prod"),
            MovedBy.TAG_MOVE_RESTART),
        Arguments.of(
            "its namespace says istio-injection=enabled",
            new String[] {"istio-injection", "enabled"},
            map("sidecar.istio.io/inject", "true"),
            new Selection(How.NAMESPACE_LABEL, "edge istio-injection=enabled", "default"),
            MovedBy.TAG_MOVE_RESTART));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("injectedGateways")
  void anInjectedGatewayIsListedOnceWithHowItSelectsTheRevision(
      String label,
      String[] namespaceLabels,
      Map<String, String> template,
      Selection selects,
      MovedBy movedBy) {
    UpgradePlan plan =
        new Clusters()
            .tag("prod", FROM)
            .tag("default", FROM)
            .namespace("edge", namespaceLabels)
            .deployment("edge", "ingress", template, gatewayAnnotations())
            .pod("edge", "ingress-1", "Deployment/ingress", FROM)
            .plan();

    Item gateway = item(plan, Kind.Deployment, "ingress");
    assertThat(gateway.namespace()).isEqualTo("edge");
    assertThat(gateway.selects()).isEqualTo(selects);
    assertThat(gateway.movedBy()).isEqualTo(movedBy);
    assertThat(gateway.proxies()).isEqualTo(1);
    // the namespace is listed only when its own label selects the revision, never for the
    // gateway's pod
    assertThat(plan.items().stream().filter(i -> i.kind() == Kind.Namespace))
        .allSatisfy(ns -> assertThat(ns.proxies()).isZero());
  }

  @Test
  void aGatewayTemplateLabelOverriddenByItsNamespaceSaysSo() {
    UpgradePlan plan =
        new Clusters()
            .namespace("edge", "istio.io/rev", FROM)
            .deployment("edge", "ingress", map("istio.io/rev", TO), NONE)
            .plan();

    assertThat(item(plan, Kind.Deployment, "ingress").note())
        .isEqualTo("its template's istio.io/rev=1-20-0 is overridden by its namespace's label");
    assertThat(item(plan, Kind.Namespace, "edge").movedBy()).isEqualTo(MovedBy.LABEL_FLIP);
  }

  @Test
  void aGatewayWhoseNamespaceMovedOnButWhosePodsStillRunTheRevisionNeedsOnlyARestart() {
    UpgradePlan plan =
        new Clusters()
            .namespace("edge", "istio.io/rev", TO)
            .deployment("edge", "ingress", map("istio.io/rev", FROM), NONE)
            .pod("edge", "ingress-1", "Deployment/ingress", FROM)
            .plan();

    Item gateway = only(plan);
    assertThat(gateway.kind()).isEqualTo(Kind.Deployment);
    assertThat(gateway.movedBy()).isEqualTo(MovedBy.RESTART_ONLY);
    assertThat(gateway.note())
        .isEqualTo("namespace edge istio.io/rev=1-20-0 selects 1-20-0: a restart moves it");
  }

  @Test
  void istiodItselfTheDeploymentsIstiodRendersAndOrdinaryWorkloadsAreNoInjectedGateways() {
    UpgradePlan plan =
        new Clusters()
            .namespace("istio-system")
            .deployment(
                "istio-system",
                "istiod-" + FROM,
                map("istio.io/rev", FROM, "sidecar.istio.io/inject", "false"),
                NONE)
            .namespace("shop")
            .rendered("shop", "public-istio", "public")
            .deployment("shop", "web", map("app", "web"), NONE)
            .deployment(
                "shop",
                "opted-out",
                map("istio.io/rev", FROM),
                map("sidecar.istio.io/inject", "false"))
            .plan();

    assertThat(plan.items()).isEmpty();
  }

  // ---- Gateway API ----

  @Test
  void aGatewayOfClassIstioIsListedWithTheDeploymentIstiodRendersAndItsPods() {
    UpgradePlan plan =
        new Clusters()
            .namespace("shop", "istio.io/rev", TO)
            .gateway("shop", "public", "istio", "istio.io/rev", FROM)
            .pod(
                "shop",
                "public-istio-1",
                "Deployment/public-istio",
                FROM,
                "gateway.networking.k8s.io/gateway-name",
                "public")
            .pod("shop", "web-1", "Deployment/web", TO)
            .plan();

    Item gateway = only(plan);
    assertThat(gateway.kind()).isEqualTo(Kind.Gateway);
    assertThat(gateway.selects()).isEqualTo(new Selection(How.LABEL, "istio.io/rev=" + FROM, null));
    assertThat(gateway.movedBy()).isEqualTo(MovedBy.LABEL_FLIP);
    assertThat(gateway.workload()).isEqualTo("public-istio");
    assertThat(gateway.proxies()).isEqualTo(1);
  }

  static Stream<Arguments> gatewayApiSelection() {
    return Stream.of(
        Arguments.of(
            "its own label names a tag",
            new String[] {"istio.io/rev", "prod"},
            new String[] {},
            new Selection(How.TAG, "istio.io/rev=prod", "prod"),
            MovedBy.TAG_MOVE),
        Arguments.of(
            "no label: its namespace's istio.io/rev",
            new String[] {},
            new String[] {"istio.io/rev", FROM},
            new Selection(How.NAMESPACE_LABEL, "shop istio.io/rev=" + FROM, null),
            MovedBy.LABEL_FLIP),
        Arguments.of(
            "no label: its namespace's istio.io/rev, never istio-injection",
            new String[] {},
            new String[] {"istio-injection", "enabled", "istio.io/rev", "prod"},
            new Selection(How.NAMESPACE_LABEL, "shop istio.io/rev=prod", "prod"),
            MovedBy.TAG_MOVE),
        Arguments.of(
            "no label anywhere: the default revision",
            new String[] {},
            new String[] {"istio-injection", "enabled"},
            new Selection(How.DEFAULT, "(no istio.io/rev label)", "default"),
            MovedBy.TAG_MOVE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gatewayApiSelection")
  void istiodPicksAGatewaysRevisionByItsLabelElseItsNamespacesElseTheDefault(
      String label,
      String[] gatewayLabels,
      String[] namespaceLabels,
      Selection selects,
      MovedBy movedBy) {
    UpgradePlan plan =
        new Clusters()
            .tag("prod", FROM)
            .tag("default", FROM)
            .namespace("shop", namespaceLabels)
            .gateway("shop", "public", "istio", gatewayLabels)
            .plan();

    Item gateway = item(plan, Kind.Gateway, "public");
    assertThat(gateway.selects()).isEqualTo(selects);
    assertThat(gateway.movedBy()).isEqualTo(movedBy);
  }

  @Test
  void aWaypointAnEastWestGatewayAndANameOverrideNameTheirDeployments() {
    UpgradePlan plan =
        new Clusters()
            .namespace("mesh", "istio.io/rev", TO)
            .gateway("mesh", "waypoint", "istio-waypoint", "istio.io/rev", FROM)
            .gateway("mesh", "east-west", "istio-east-west", "istio.io/rev", FROM)
            .gateway(
                new PlanInput.Gateway(
                    "mesh",
                    "renamed",
                    "istio",
                    map("istio.io/rev", FROM),
                    map("gateway.istio.io/name-override", "edge-proxy"),
                    true))
            .plan();

    assertThat(item(plan, Kind.Waypoint, "waypoint").workload()).isEqualTo("waypoint");
    assertThat(item(plan, Kind.Gateway, "east-west").workload()).isEqualTo("east-west");
    assertThat(item(plan, Kind.Gateway, "renamed").workload()).isEqualTo("edge-proxy");
  }

  @Test
  void gatewaysIstiodDoesNotDeployAreNotListed() {
    UpgradePlan plan =
        new Clusters()
            .namespace("shop")
            .gateway(
                new PlanInput.Gateway(
                    "shop", "manual", "istio", map("istio.io/rev", FROM), NONE, false))
            .gateway("shop", "other", "nginx", "istio.io/rev", FROM)
            .gateway("shop", "remote", "istio-remote", "istio.io/rev", FROM)
            .plan();

    assertThat(plan.items()).isEmpty();
  }

  @Test
  void withoutTheGatewayApiCrdsThePlanSaysSoInOneLineAndListsTheRest() {
    UpgradePlan plan = new Clusters().noGatewayApi().namespace("shop", "istio.io/rev", FROM).plan();

    assertThat(only(plan).name()).isEqualTo("shop");
    assertThat(plan.notes())
        .containsExactly(
            "the Gateway API CRDs are not installed (no gateway.networking.k8s.io/v1 Gateway): no"
                + " Gateway or waypoint to list");
  }

  // ---- ambient ----

  @Test
  void withoutZtunnelAnAmbientNamespaceOnTheRevisionIsListedWithTheNodesOfItsPods() {
    UpgradePlan plan =
        new Clusters()
            .tag("default", FROM)
            .namespace("mesh", "istio.io/dataplane-mode", "ambient")
            .podOn("mesh", "web-1", "Deployment/web", null, "node-1")
            .podOn("mesh", "web-2", "Deployment/web", null, "node-2")
            .podOn("mesh", "web-3", "Deployment/web", null, "node-2")
            .podOn(
                "mesh",
                "waypoint-1",
                "Deployment/waypoint",
                FROM,
                "node-3",
                "istio.io/dataplane-mode",
                "none",
                "gateway.networking.k8s.io/gateway-name",
                "waypoint")
            .namespace("other", "istio.io/dataplane-mode", "ambient", "istio.io/rev", TO)
            .podOn("other", "x", "Deployment/x", null, "node-4")
            .plan();

    Item mesh = item(plan, Kind.AmbientNamespace, "mesh");
    assertThat(mesh.selects())
        .isEqualTo(new Selection(How.DEFAULT, "(no istio.io/rev label)", "default"));
    assertThat(mesh.movedBy()).isEqualTo(MovedBy.ZTUNNEL_NODE_UPGRADE);
    assertThat(plan.items())
        .filteredOn(i -> i.kind() == Kind.Node)
        .extracting(Item::name, Item::proxies, i -> i.selects().describe())
        .containsExactly(
            tuple("node-1", 1, "ambient pods of mesh"), tuple("node-2", 2, "ambient pods of mesh"));
    assertThat(plan.notes())
        .containsExactly(
            "no ztunnel DaemonSet (label app.kubernetes.io/name=ztunnel) found: an ambient"
                + " namespace's istio.io/rev label (else the default revision) stands for its"
                + " ztunnel's revision, and its nodes are those of its pods");
  }

  @Test
  void aZtunnelOfTheRevisionServesEveryAmbientNamespaceAndUpgradesEveryNodeItRunsOn() {
    UpgradePlan plan =
        new Clusters()
            .ztunnel("istio-system", "ztunnel", FROM)
            .podOn("istio-system", "ztunnel-a", "DaemonSet/ztunnel", null, "node-1")
            .podOn("istio-system", "ztunnel-b", "DaemonSet/ztunnel", null, "node-2")
            .namespace("mesh", "istio.io/dataplane-mode", "ambient", "istio.io/rev", TO)
            .podOn("mesh", "web-1", "Deployment/web", null, "node-2")
            .plan();

    assertThat(item(plan, Kind.AmbientNamespace, "mesh").selects())
        .isEqualTo(new Selection(How.ZTUNNEL, "istio-system/ztunnel", null));
    assertThat(plan.items())
        .filteredOn(i -> i.kind() == Kind.Node)
        .extracting(Item::name, i -> i.selects().describe(), Item::proxies)
        .containsExactly(
            tuple("node-1", "ztunnel istio-system/ztunnel-a", 0),
            tuple("node-2", "ztunnel istio-system/ztunnel-b", 1));
    assertThat(plan.notes()).isEmpty();
  }

  @Test
  void withZtunnelOnAnotherRevisionOnlyTheLabelOfAnAmbientNamespaceSelectsTheRevision() {
    UpgradePlan plan =
        new Clusters()
            .ztunnel("istio-system", "ztunnel", TO)
            .namespace("labelled", "istio.io/dataplane-mode", "ambient", "istio.io/rev", FROM)
            .namespace("plain", "istio.io/dataplane-mode", "ambient")
            .plan();

    Item labelled = only(plan);
    assertThat(labelled.kind()).isEqualTo(Kind.AmbientNamespace);
    assertThat(labelled.movedBy()).isEqualTo(MovedBy.LABEL_FLIP);
    assertThat(labelled.note())
        .isEqualTo(
            "its ztunnel runs another revision; its waypoints without a label of their own follow"
                + " this one");
  }

  // ---- each once ----

  @Test
  void aClusterWithEveryKindListsEachObjectExactlyOnce() {
    UpgradePlan plan = Clusters.everyKind().plan();

    assertThat(plan.items())
        .extracting(Item::ref)
        .containsExactly(
            "Namespace legacy",
            "Namespace orders",
            "Namespace shop",
            "Namespace test",
            "Deployment istio-ingress/ingressgateway",
            "Deployment shop/shop-gateway",
            "Gateway shop/public",
            "Waypoint mesh/waypoint",
            "AmbientNamespace mesh",
            "Node node-1")
        .doesNotHaveDuplicates();
    assertThat(item(plan, Kind.Namespace, "shop").proxies())
        .as("the shop namespace's own pods, not its gateways'")
        .isEqualTo(2);
    assertThat(plan.summary())
        .isEqualTo(
            "10 objects select 1-19-0: 4 namespaces, 2 injected gateways, 1 Gateway, 1 waypoint, 1"
                + " ambient namespace, 1 node");
  }

  // ---- the revisions asked for ----

  @Test
  void aTagForFromOrToIsResolvedAndSaidSo() {
    UpgradePlan plan =
        Planner.plan(
            new Clusters().tag("stable", FROM).namespace("shop", "istio.io/rev", FROM).input(),
            "stable",
            TO);

    assertThat(plan.from()).isEqualTo(FROM);
    assertThat(plan.notes()).containsExactly("from stable is a tag; it points at revision 1-19-0");
    assertThat(only(plan).name()).isEqualTo("shop");
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of(
            "1-18-0",
            TO,
            "from is 1-18-0, which is no revision or revision tag of this cluster; revisions:"
                + " 1-19-0, 1-20-0; tags: prod -> 1-19-0"),
        Arguments.of(
            FROM,
            "1-21-0",
            "to is 1-21-0, which is no revision or revision tag of this cluster; revisions:"
                + " 1-19-0, 1-20-0; tags: prod -> 1-19-0"),
        Arguments.of(
            FROM, FROM, "from and to are both 1-19-0; a plan moves from one revision to another"),
        Arguments.of(
            "prod",
            FROM,
            "from prod and to 1-19-0 are both revision 1-19-0; a plan moves from one revision to"
                + " another"),
        Arguments.of(
            "Prod",
            TO,
            "from is \"Prod\"; expected a DNS-1123 label (lower-case letters, digits and '-',"
                + " starting and ending with a letter or digit)"),
        Arguments.of(FROM, "", "to must not be empty"));
  }

  @ParameterizedTest(name = "from {0} to {1}")
  @MethodSource("badRequests")
  void aPlanForBadUnknownOrEqualRevisionsIsRefusedWithTheRevisionsFound(
      String from, String to, String message) {
    PlanInput input = new Clusters().tag("prod", FROM).input();

    assertThatThrownBy(() -> Planner.plan(input, from, to))
        .isInstanceOf(PlanRequestException.class)
        .hasMessage(message);
  }

  @Test
  void aClusterWithoutAnyRevisionSaysSo() {
    assertThatThrownBy(() -> PlanRevisions.resolve(java.util.Set.of(), Map.of(), FROM, TO))
        .hasMessage(
            "from is 1-19-0, which is no revision or revision tag of this cluster; no revision"
                + " found (no injector webhook labelled istio.io/rev, no istiod Deployment)");
  }

  @Test
  void theJsonModelHasEveryFieldOfAnItem() {
    Map<String, Object> json = Clusters.everyKind().plan().toMap();

    assertThat(json).containsKeys("from", "to", "items", "counts", "notes", "suggestion");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> items = (List<Map<String, Object>>) json.get("items");
    Map<String, Object> legacy = new LinkedHashMap<>();
    legacy.put("kind", "Namespace");
    legacy.put("namespace", null);
    legacy.put("name", "legacy");
    legacy.put(
        "selects",
        Map.of("how", "default", "selector", "istio-injection=enabled", "tag", "default"));
    legacy.put("movedBy", "tagMove");
    legacy.put("proxies", 1);
    legacy.put("workload", null);
    legacy.put("note", null);
    assertThat(items.get(0)).containsExactlyEntriesOf(legacy);
    assertThat(json.get("counts"))
        .isEqualTo(
            Map.of(
                "Namespace", 4,
                "Deployment", 2,
                "Gateway", 1,
                "Waypoint", 1,
                "AmbientNamespace", 1,
                "Node", 1));
  }
}

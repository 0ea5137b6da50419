package io.meshgate.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster as {@link PlanInput}, written the way one reads it: revisions {@value #FROM} and
 * {@value #TO} installed in istio-system, nothing else until added.
 *
 * <pre>{@code
 * UpgradePlan plan = new Clusters().namespace("shop", "istio.io/rev", FROM).plan();
 * }</pre>
 */
public final class Clusters {
  public static final String FROM = "1-19-0";
  public static final String TO = "1-20-0";

  private final Map<String, String> tags = new HashMap<>();
  private final Set<String> revisions = new HashSet<>(Set.of(FROM, TO));
  private final List<PlanInput.Namespace> namespaces = new ArrayList<>();
  private final List<PlanInput.Deployment> deployments = new ArrayList<>();
  private final List<PlanInput.Pod> pods = new ArrayList<>();
  private List<PlanInput.Gateway> gateways = new ArrayList<>();
  private final List<PlanInput.Ztunnel> ztunnels = new ArrayList<>();

  public Clusters revision(String revision) {
    revisions.add(revision);
    return this;
  }

  public Clusters tag(String tag, String revision) {
    tags.put(tag, revision);
    return this;
  }

  public Clusters namespace(String name, String... labels) {
    namespaces.add(new PlanInput.Namespace(name, map(labels)));
    return this;
  }

  /** A Deployment whose pod template has these labels and annotations. */
  public Clusters deployment(
      String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
    deployments.add(new PlanInput.Deployment(namespace, name, labels, annotations, null));
    return this;
  }

  /** A Deployment istiod renders for a Gateway: owned by it, its pods labelled with its name. */
  public Clusters rendered(String namespace, String name, String gateway) {
    deployments.add(
        new PlanInput.Deployment(
            namespace,
            name,
            map(Planner.GATEWAY_NAME, gateway, Planner.INJECT, "false"),
            map(Planner.REV, FROM),
            "Gateway"));
    return this;
  }

  /** A live pod owned by {@code owner} ("Deployment/web"), its proxy on {@code revision}. */
  public Clusters pod(
      String namespace, String name, String owner, String revision, String... labels) {
    return podOn(namespace, name, owner, revision, null, labels);
  }

  public Clusters podOn(
      String namespace, String name, String owner, String revision, String node, String... labels) {
    pods.add(new PlanInput.Pod(namespace, name, map(labels), owner, revision, node));
    return this;
  }

  public Clusters gateway(String namespace, String name, String className, String... labels) {
    gateways.add(new PlanInput.Gateway(namespace, name, className, map(labels), Map.of(), true));
    return this;
  }

  public Clusters gateway(PlanInput.Gateway gateway) {
    gateways.add(gateway);
    return this;
  }

  /** The Gateway API CRDs are not installed. */
  public Clusters noGatewayApi() {
    gateways = null;
    return this;
  }

  public Clusters ztunnel(String namespace, String name, String revision) {
    ztunnels.add(new PlanInput.Ztunnel(namespace, name, revision));
    return this;
  }

  /** A ztunnel DaemonSet with its update strategy and template hash (null: not readable). */
  public Clusters ztunnel(
      String namespace, String name, String revision, String strategy, String currentHash) {
    ztunnels.add(new PlanInput.Ztunnel(namespace, name, revision, strategy, currentHash));
    return this;
  }

  public PlanInput input() {
    return new PlanInput(
        tags, revisions, Set.of("istio-system"), namespaces, deployments, pods, gateways, ztunnels);
  }

  public UpgradePlan plan() {
    return Planner.plan(input(), FROM, TO);
  }

  /** Every kind, each selecting {@value #FROM} one way or another. */
  public static Clusters everyKind() {
    return new Clusters()
        .tag("default", FROM)
        .tag("prod", FROM)
        .namespace("istio-system")
        .namespace("test", "istio.io/rev", FROM)
        .pod("test", "t-1", "Deployment/t", FROM)
        .namespace("shop", "istio.io/rev", "prod")
        .pod("shop", "web-1", "Deployment/web", FROM)
        .pod("shop", "web-2", "Deployment/web", FROM)
        .deployment(
            "shop",
            "shop-gateway",
            map("sidecar.istio.io/inject", "true"),
            map("inject.istio.io/templates", "gateway"))
        .pod("shop", "shop-gateway-1", "Deployment/shop-gateway", FROM)
        .gateway("shop", "public", "istio", "istio.io/rev", FROM)
        .rendered("shop", "public-istio", "public")
        .pod(
            "shop",
            "public-istio-1",
            "Deployment/public-istio",
            FROM,
            "gateway.networking.k8s.io/gateway-name",
            "public")
        .namespace("legacy", "istio-injection", "enabled")
        .pod("legacy", "old-1", "Deployment/old", FROM)
        .namespace("orders", "istio.io/rev", TO)
        .pod("orders", "o-1", "Deployment/o", FROM)
        .namespace("istio-ingress")
        .deployment(
            "istio-ingress",
            "ingressgateway",
            map("istio.io/rev", FROM),
            map("inject.istio.io/templates", "gateway"))
        .pod("istio-ingress", "ingressgateway-1", "Deployment/ingressgateway", FROM)
        .namespace("mesh", "istio.io/dataplane-mode", "ambient")
        .gateway("mesh", "waypoint", "istio-waypoint", "istio.io/rev", FROM)
        .podOn("mesh", "app-1", "Deployment/app", null, "node-1");
  }

  public static Map<String, String> map(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}

package io.meshgate.plan;

import io.meshgate.plan.Selectors.Selected;
import io.meshgate.plan.UpgradePlan.How;
import io.meshgate.plan.UpgradePlan.Item;
import io.meshgate.plan.UpgradePlan.Kind;
import io.meshgate.plan.UpgradePlan.MovedBy;
import io.meshgate.plan.UpgradePlan.Selection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Classifies what still selects a revision, from {@link PlanInput} (no I/O), as Istio selects:
 *
 * <ul>
 *   <li><b>Sidecars</b>, by the selectors of Istio's injection webhooks ({@code
 *       manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml} and {@code
 *       revision-tags-mwc.yaml}): a namespace labelled {@code istio-injection=enabled} gets the
 *       default revision (tag {@code default}, else the revision installed without a name), any
 *       other {@code istio-injection} value nothing; else its {@code istio.io/rev} (a revision or a
 *       tag) decides. A pod's own {@code istio.io/rev} label, or {@code
 *       sidecar.istio.io/inject=true} for the default revision, counts only in a namespace with
 *       neither label: <b>the namespace's label wins over the pod's</b>. {@code
 *       sidecar.istio.io/inject=false} opts a pod out.
 *   <li><b>Injected gateways</b> (a Deployment whose pod template carries {@code istio.io/rev} or
 *       {@code inject.istio.io/templates: gateway}): the same webhooks, so the namespace's label,
 *       when there is one, overrides the template's.
 *   <li><b>Gateway API gateways and waypoints</b> istiod deploys: the Gateway's {@code
 *       istio.io/rev} label, else its namespace's {@code istio.io/rev} (tags count; {@code
 *       istio-injection} never), else the default revision ({@code pkg/revisions/tag_watcher.go},
 *       {@code IsMine}). Classes {@code istio} (Deployment {@code <name>-istio}), {@code
 *       istio-east-west} and {@code istio-waypoint} (Deployment {@code <name>}), unless {@code
 *       gateway.istio.io/name-override} names it ({@code gatewaycommon/deploymentcontroller.go}). A
 *       Gateway whose address names an existing Service is not deployed by istiod: not listed.
 *   <li><b>Ambient namespaces</b> ({@code istio.io/dataplane-mode=ambient}), served by the ztunnel
 *       of their node: listed when a ztunnel DaemonSet of the revision exists; without any ztunnel
 *       DaemonSet, when their {@code istio.io/rev} (or the default revision) names it. Their nodes
 *       are those of their pods and of the revision's ztunnel pods.
 * </ul>
 *
 * <p>Each object is listed once: the pods of an injected gateway or of a Gateway istiod renders are
 * the gateway's, not its namespace's.
 *
 * <pre>{@code
 * UpgradePlan plan = Planner.plan(input, "1-19-0", "1-20-0");
 * }</pre>
 */
public final class Planner {
  static final String REV = "istio.io/rev";
  static final String INJECTION = "istio-injection";
  static final String INJECT = "sidecar.istio.io/inject";
  static final String TEMPLATES = "inject.istio.io/templates";
  static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
  static final String HASH_LABEL = "controller-revision-hash";
  static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";
  static final String NAME_OVERRIDE = "gateway.istio.io/name-override";
  static final String DEFAULT = "default";

  /**
   * Gateway classes whose Gateways istiod deploys, and whether it names them {@code
   * <name>-<class>}.
   */
  private static final Map<String, Boolean> GATEWAY_CLASSES =
      Map.of("istio", true, "istio-east-west", false);

  private static final String WAYPOINT_CLASS = "istio-waypoint";

  private final PlanInput input;
  private final String from;
  private final Selectors selectors;
  private final AmbientItems ambientItems;
  private final Map<String, List<PlanInput.Pod>> podsIn = new HashMap<>();
  private final Set<String> gatewayOwners = new HashSet<>();
  private final List<Item> items = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private Planner(PlanInput input, String from) {
    this.input = input;
    this.from = from;
    this.selectors = new Selectors(input);
    this.ambientItems = new AmbientItems(input, from, selectors);
    input.pods().forEach(p -> podsIn.computeIfAbsent(p.namespace(), n -> new ArrayList<>()).add(p));
  }

  private List<PlanInput.Pod> podsIn(String namespace) {
    return podsIn.getOrDefault(namespace, List.of());
  }

  /** What moving from {@code from} to {@code to} has to touch, and a RevisionMigration for it. */
  public static UpgradePlan plan(PlanInput input, String from, String to) {
    List<String> revisions = PlanRevisions.resolve(input.revisions(), input.tags(), from, to);
    Planner planner = new Planner(input, revisions.get(0));
    if (!from.equals(revisions.get(0))) {
      planner.notes.add("from " + from + " is a tag; it points at revision " + revisions.get(0));
    }
    if (!to.equals(revisions.get(1))) {
      planner.notes.add("to " + to + " is a tag; it points at revision " + revisions.get(1));
    }
    planner.classify();
    List<Item> items =
        planner.items.stream()
            .sorted(
                Comparator.comparing(Item::kind)
                    .thenComparing(i -> i.namespace() == null ? "" : i.namespace())
                    .thenComparing(Item::name))
            .toList();
    List<UpgradePlan.ZtunnelDaemonSet> ztunnels =
        planner.ambientItems.daemonSets(planner::podsIn, planner.notes);
    return new UpgradePlan(
        revisions.get(0),
        revisions.get(1),
        items,
        planner.notes,
        Suggestion.of(items, revisions.get(0), revisions.get(1), input.controlPlaneNamespaces()),
        ztunnels);
  }

  private void classify() {
    injectedGateways();
    gatewayApi();
    Set<String> ambient = new TreeSet<>();
    for (PlanInput.Namespace ns : input.namespaces()) {
      Item item =
          "ambient".equals(ns.labels().get(DATAPLANE_MODE))
              ? ambientItems.namespace(
                  ns, (int) proxiesOf(ns.name()).stream().filter(this::onFrom).count())
              : null;
      if (item == null) {
        item = sidecarNamespace(ns);
      } else if (item.movedBy() == MovedBy.ZTUNNEL_NODE_UPGRADE) {
        ambient.add(ns.name());
      }
      if (item != null) {
        items.add(item);
      }
    }
    ambientItems.nodes(ambient, this::podsIn, items, notes);
  }

  // ---- sidecar namespaces ----

  private Item sidecarNamespace(PlanInput.Namespace ns) {
    Selected selected = selectors.namespaceSelects(ns.labels(), How.LABEL, "");
    List<PlanInput.Pod> stale = proxiesOf(ns.name()).stream().filter(this::onFrom).toList();
    if (selected != null && selected.selects(from)) {
      MovedBy movedBy = selected.resolved().tag() == null ? MovedBy.LABEL_FLIP : MovedBy.TAG_MOVE;
      return new Item(
          Kind.Namespace, null, ns.name(), selected.selection(), movedBy, stale.size(), null, null);
    }
    if (stale.isEmpty()) {
      return null;
    }
    if (Selectors.labelled(ns.labels())) {
      String now =
          selected == null
              ? INJECTION
                  + "="
                  + ns.labels().get(INJECTION)
                  + " injects nothing: a restart removes their sidecars"
              : Selectors.now(selected) + ": a restart moves them";
      return new Item(
          Kind.Namespace,
          null,
          ns.name(),
          new Selection(How.PROXIES, pods(stale.size()) + " on " + from, null),
          MovedBy.RESTART_ONLY,
          stale.size(),
          null,
          pods(stale.size())
              + verb(stale.size(), " still runs ", " still run ")
              + from
              + "; "
              + now);
    }
    // no namespace label: the pods' own labels chose their revision
    List<Selected> pinned = new ArrayList<>();
    List<Selected> tagged = new ArrayList<>();
    for (PlanInput.Pod pod : stale) {
      Selected own = selectors.objectSelects(pod.labels(), How.POD_LABEL);
      if (own != null && own.selects(from)) {
        (own.resolved().tag() == null ? pinned : tagged).add(own);
      }
    }
    if (!pinned.isEmpty()) {
      return new Item(
          Kind.Namespace,
          null,
          ns.name(),
          Selectors.first(pinned).selection(),
          MovedBy.PODS_PINNED,
          stale.size(),
          null,
          pods(pinned.size())
              + verb(pinned.size(), " selects ", " select ")
              + from
              + " by a pod label; the namespace has no injection label");
    }
    if (!tagged.isEmpty()) {
      return new Item(
          Kind.Namespace,
          null,
          ns.name(),
          Selectors.first(tagged).selection(),
          MovedBy.TAG_MOVE,
          stale.size(),
          null,
          pods(tagged.size())
              + verb(tagged.size(), " follows tag ", " follow tag ")
              + Selectors.first(tagged).resolved().tag()
              + " by a pod label; the namespace has no injection label");
    }
    return new Item(
        Kind.Namespace,
        null,
        ns.name(),
        new Selection(How.PROXIES, pods(stale.size()) + " on " + from, null),
        MovedBy.RESTART_ONLY,
        stale.size(),
        null,
        "no label selects a revision any more: a restart removes their sidecars");
  }

  private static String verb(int n, String one, String many) {
    return n == 1 ? one : many;
  }

  static String pods(int n) {
    return n + (n == 1 ? " pod" : " pods");
  }

  private boolean onFrom(PlanInput.Pod pod) {
    return from.equals(pod.proxyRevision());
  }

  /** The namespace's pods with a proxy, but those of its gateways. */
  private List<PlanInput.Pod> proxiesOf(String namespace) {
    return podsIn(namespace).stream()
        .filter(p -> p.proxyRevision() != null)
        .filter(p -> !p.labels().containsKey(GATEWAY_NAME))
        .filter(p -> !gatewayOwners.contains(namespace + "/" + p.owner()))
        .toList();
  }

  // ---- injected gateways ----

  private void injectedGateways() {
    for (PlanInput.Deployment d : input.deployments()) {
      if (!injectedGateway(d)) {
        continue;
      }
      String owner = "Deployment/" + d.name();
      gatewayOwners.add(d.namespace() + "/" + owner);
      Map<String, String> nsLabels = selectors.namespaceLabels(d.namespace());
      Selected selected =
          Selectors.labelled(nsLabels)
              ? selectors.namespaceSelects(nsLabels, How.NAMESPACE_LABEL, d.namespace() + " ")
              : selectors.objectSelects(d.templateLabels(), How.LABEL);
      int stale =
          (int)
              podsIn(d.namespace()).stream()
                  .filter(p -> owner.equals(p.owner()))
                  .filter(this::onFrom)
                  .count();
      if (selected != null && selected.selects(from)) {
        items.add(
            new Item(
                Kind.Deployment,
                d.namespace(),
                d.name(),
                selected.selection(),
                injectedMove(selected),
                stale,
                null,
                selected.how() == How.NAMESPACE_LABEL && d.templateLabels().containsKey(REV)
                    ? "its template's "
                        + REV
                        + "="
                        + d.templateLabels().get(REV)
                        + " is overridden by its namespace's label"
                    : null));
      } else if (stale > 0) {
        items.add(
            new Item(
                Kind.Deployment,
                d.namespace(),
                d.name(),
                new Selection(How.PROXIES, pods(stale) + " on " + from, null),
                MovedBy.RESTART_ONLY,
                stale,
                null,
                selected == null
                    ? "nothing injects it any more"
                    : Selectors.now(selected) + ": a restart moves it"));
      }
    }
  }

  /**
   * A Deployment with a gateway proxy injected: its template carries {@code istio.io/rev} or asks
   * for the {@code gateway} injection template, does not opt out, and is not one istiod renders.
   */
  private static boolean injectedGateway(PlanInput.Deployment d) {
    if ("false".equals(d.templateLabels().get(INJECT))
        || "false".equals(d.templateAnnotations().get(INJECT))
        || d.templateLabels().containsKey(GATEWAY_NAME)
        || "Gateway".equals(d.ownerKind())) {
      return false;
    }
    String templates = d.templateAnnotations().getOrDefault(TEMPLATES, "");
    return d.templateLabels().containsKey(REV)
        || Arrays.stream(templates.split(",")).map(String::strip).anyMatch("gateway"::equals);
  }

  private static MovedBy injectedMove(Selected selected) {
    if (selected.resolved().tag() != null) {
      return MovedBy.TAG_MOVE_RESTART;
    }
    return selected.how() == How.NAMESPACE_LABEL
        ? MovedBy.NAMESPACE_LABEL_FLIP
        : MovedBy.LABEL_FLIP;
  }

  // ---- Gateway API ----

  private void gatewayApi() {
    if (input.gateways() == null) {
      notes.add(
          "the Gateway API CRDs are not installed (no gateway.networking.k8s.io/v1 Gateway): no"
              + " Gateway or waypoint to list");
      return;
    }
    for (PlanInput.Gateway g : input.gateways()) {
      boolean waypoint = WAYPOINT_CLASS.equals(g.className());
      if (!g.managed() || !(waypoint || GATEWAY_CLASSES.containsKey(g.className()))) {
        continue;
      }
      Selected selected = selectors.gatewaySelects(g);
      if (!selected.selects(from)) {
        continue;
      }
      String workload =
          g.annotations()
              .getOrDefault(
                  NAME_OVERRIDE,
                  GATEWAY_CLASSES.getOrDefault(g.className(), false)
                      ? g.name() + "-" + g.className()
                      : g.name());
      int proxies =
          (int)
              podsIn(g.namespace()).stream()
                  .filter(p -> g.name().equals(p.labels().get(GATEWAY_NAME)))
                  .filter(this::onFrom)
                  .count();
      items.add(
          new Item(
              waypoint ? Kind.Waypoint : Kind.Gateway,
              g.namespace(),
              g.name(),
              selected.selection(),
              selected.resolved().tag() == null ? MovedBy.LABEL_FLIP : MovedBy.TAG_MOVE,
              proxies,
              workload,
              null));
    }
  }
}

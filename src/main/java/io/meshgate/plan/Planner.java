package io.meshgate.plan;

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
import java.util.TreeMap;
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
  private final Map<String, PlanInput.Namespace> namespaces = new HashMap<>();
  private final Map<String, List<PlanInput.Pod>> podsIn = new HashMap<>();
  private final Set<String> gatewayOwners = new HashSet<>();
  private final List<Item> items = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private Planner(PlanInput input, String from) {
    this.input = input;
    this.from = from;
    input.namespaces().forEach(ns -> namespaces.put(ns.name(), ns));
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
    return new UpgradePlan(
        revisions.get(0),
        revisions.get(1),
        items,
        planner.notes,
        Suggestion.of(items, revisions.get(0), revisions.get(1), input.controlPlaneNamespaces()));
  }

  private void classify() {
    injectedGateways();
    gatewayApi();
    Set<String> ambient = new TreeSet<>();
    for (PlanInput.Namespace ns : input.namespaces()) {
      Item item = "ambient".equals(ns.labels().get(DATAPLANE_MODE)) ? ambientNamespace(ns) : null;
      if (item == null) {
        item = sidecarNamespace(ns);
      } else if (item.movedBy() == MovedBy.ZTUNNEL_NODE_UPGRADE) {
        ambient.add(ns.name());
      }
      if (item != null) {
        items.add(item);
      }
    }
    nodes(ambient);
  }

  // ---- resolution ----

  /** A revision, and the tag it was reached through (null when named directly). */
  private record Resolved(String revision, String tag) {}

  /** What an object's selection resolved to, how, and what says so. */
  private record Selected(Resolved resolved, How how, String selector) {
    boolean selects(String revision) {
      return resolved != null && revision.equals(resolved.revision());
    }

    Selection selection() {
      return new Selection(how, selector, resolved == null ? null : resolved.tag());
    }
  }

  /** An {@code istio.io/rev} value: a tag when a tag of that name exists, else a revision. */
  private Resolved label(String value) {
    String tagged = input.tags().get(value);
    return tagged == null ? new Resolved(value, null) : new Resolved(tagged, value);
  }

  /** The default revision: where tag {@code default} points, else revision {@code default}. */
  private Resolved defaultRevision() {
    String tagged = input.tags().get(DEFAULT);
    if (tagged != null) {
      return new Resolved(tagged, DEFAULT);
    }
    return input.revisions().contains(DEFAULT) ? new Resolved(DEFAULT, null) : null;
  }

  private Map<String, String> namespaceLabels(String namespace) {
    PlanInput.Namespace ns = namespaces.get(namespace);
    return ns == null ? Map.of() : ns.labels();
  }

  /**
   * The revision a namespace's labels inject, by the webhooks' namespace selectors; null when they
   * inject none (no label, or {@code istio-injection} other than {@code enabled}).
   */
  private Selected namespaceSelects(Map<String, String> labels, How labelHow, String prefix) {
    String injection = labels.get(INJECTION);
    if (injection != null) {
      return "enabled".equals(injection)
          ? new Selected(
              defaultRevision(),
              labelHow == How.NAMESPACE_LABEL ? How.NAMESPACE_LABEL : How.DEFAULT,
              prefix + INJECTION + "=enabled")
          : null;
    }
    String rev = labels.get(REV);
    if (rev == null) {
      return null;
    }
    Resolved resolved = label(rev);
    How how =
        labelHow == How.NAMESPACE_LABEL
            ? How.NAMESPACE_LABEL
            : resolved.tag() == null ? How.LABEL : How.TAG;
    return new Selected(resolved, how, prefix + REV + "=" + rev);
  }

  /** Whether a namespace carries a label the injection webhooks select namespaces by. */
  private static boolean labelled(Map<String, String> labels) {
    return labels.containsKey(INJECTION) || labels.containsKey(REV);
  }

  /** The revision a pod's (or pod template's) own labels select, in a namespace without labels. */
  private Selected objectSelects(Map<String, String> labels, How how) {
    if ("false".equals(labels.get(INJECT))) {
      return null;
    }
    String rev = labels.get(REV);
    if (rev != null) {
      Resolved resolved = label(rev);
      How own = how == How.POD_LABEL ? How.POD_LABEL : resolved.tag() == null ? How.LABEL : How.TAG;
      return new Selected(resolved, own, REV + "=" + rev);
    }
    if ("true".equals(labels.get(INJECT))) {
      return new Selected(
          defaultRevision(), how == How.POD_LABEL ? How.POD_LABEL : How.DEFAULT, INJECT + "=true");
    }
    return null;
  }

  // ---- sidecar namespaces ----

  private Item sidecarNamespace(PlanInput.Namespace ns) {
    Selected selected = namespaceSelects(ns.labels(), How.LABEL, "");
    List<PlanInput.Pod> stale = proxiesOf(ns.name()).stream().filter(this::onFrom).toList();
    if (selected != null && selected.selects(from)) {
      MovedBy movedBy = selected.resolved().tag() == null ? MovedBy.LABEL_FLIP : MovedBy.TAG_MOVE;
      return new Item(
          Kind.Namespace, null, ns.name(), selected.selection(), movedBy, stale.size(), null, null);
    }
    if (stale.isEmpty()) {
      return null;
    }
    if (labelled(ns.labels())) {
      String now =
          selected == null
              ? INJECTION
                  + "="
                  + ns.labels().get(INJECTION)
                  + " injects nothing: a restart removes their sidecars"
              : now(selected) + ": a restart moves them";
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
      Selected own = objectSelects(pod.labels(), How.POD_LABEL);
      if (own != null && own.selects(from)) {
        (own.resolved().tag() == null ? pinned : tagged).add(own);
      }
    }
    if (!pinned.isEmpty()) {
      return new Item(
          Kind.Namespace,
          null,
          ns.name(),
          first(pinned).selection(),
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
          first(tagged).selection(),
          MovedBy.TAG_MOVE,
          stale.size(),
          null,
          pods(tagged.size())
              + verb(tagged.size(), " follows tag ", " follow tag ")
              + first(tagged).resolved().tag()
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

  /** {@code label istio.io/rev=1-20-0 selects 1-20-0}, or that it selects none. */
  private static String now(Selected selected) {
    return selected.selection().describe()
        + (selected.resolved() == null
            ? " selects no revision (no tag default, no revision default)"
            : " selects " + selected.resolved().revision());
  }

  private static Selected first(List<Selected> selected) {
    return selected.stream().min(Comparator.comparing(Selected::selector)).orElseThrow();
  }

  private static String verb(int n, String one, String many) {
    return n == 1 ? one : many;
  }

  private static String pods(int n) {
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
      Map<String, String> nsLabels = namespaceLabels(d.namespace());
      Selected selected =
          labelled(nsLabels)
              ? namespaceSelects(nsLabels, How.NAMESPACE_LABEL, d.namespace() + " ")
              : objectSelects(d.templateLabels(), How.LABEL);
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
                    : now(selected) + ": a restart moves it"));
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
      Selected selected = gatewaySelects(g);
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

  /** istiod's choice: the Gateway's label, else its namespace's, else the default revision. */
  private Selected gatewaySelects(PlanInput.Gateway g) {
    String own = g.labels().get(REV);
    if (own != null) {
      Resolved resolved = label(own);
      return new Selected(resolved, resolved.tag() == null ? How.LABEL : How.TAG, REV + "=" + own);
    }
    String ofNamespace = namespaceLabels(g.namespace()).get(REV);
    if (ofNamespace != null) {
      return new Selected(
          label(ofNamespace), How.NAMESPACE_LABEL, g.namespace() + " " + REV + "=" + ofNamespace);
    }
    return new Selected(defaultRevision(), How.DEFAULT, "(no " + REV + " label)");
  }

  // ---- ambient ----

  private List<PlanInput.Ztunnel> ztunnelsOfFrom() {
    return input.ztunnels().stream()
        .filter(
            z -> {
              Resolved r = z.revision() == null ? defaultRevision() : label(z.revision());
              return r != null && from.equals(r.revision());
            })
        .toList();
  }

  private Item ambientNamespace(PlanInput.Namespace ns) {
    List<PlanInput.Ztunnel> ours = ztunnelsOfFrom();
    String rev = ns.labels().get(REV);
    Selected own;
    if (rev == null) {
      own = new Selected(defaultRevision(), How.DEFAULT, "(no " + REV + " label)");
    } else {
      Resolved resolved = label(rev);
      own = new Selected(resolved, resolved.tag() == null ? How.LABEL : How.TAG, REV + "=" + rev);
    }
    int sidecars = (int) proxiesOf(ns.name()).stream().filter(this::onFrom).count();
    String alsoSidecars =
        sidecars == 0 ? null : "also runs " + pods(sidecars) + " with a sidecar of " + from;
    if (!ours.isEmpty()) {
      PlanInput.Ztunnel z = ours.get(0);
      return new Item(
          Kind.AmbientNamespace,
          null,
          ns.name(),
          new Selection(How.ZTUNNEL, z.namespace() + "/" + z.name(), null),
          MovedBy.ZTUNNEL_NODE_UPGRADE,
          sidecars,
          null,
          alsoSidecars);
    }
    if (!own.selects(from)) {
      return null;
    }
    if (input.ztunnels().isEmpty()) {
      return new Item(
          Kind.AmbientNamespace,
          null,
          ns.name(),
          own.selection(),
          MovedBy.ZTUNNEL_NODE_UPGRADE,
          sidecars,
          null,
          alsoSidecars);
    }
    // ztunnel is another revision's: the label still decides its waypoints without a label of their
    // own
    return new Item(
        Kind.AmbientNamespace,
        null,
        ns.name(),
        own.selection(),
        own.resolved().tag() == null ? MovedBy.LABEL_FLIP : MovedBy.TAG_MOVE,
        sidecars,
        null,
        join(
            "its ztunnel runs another revision; its waypoints without a label of their own follow this one",
            alsoSidecars));
  }

  private static String join(String note, String more) {
    return more == null ? note : note + "; " + more;
  }

  private void nodes(Set<String> ambient) {
    Map<String, Set<String>> namespacesOn = new TreeMap<>();
    Map<String, Integer> podsOn = new HashMap<>();
    for (PlanInput.Pod pod : input.pods()) {
      if (pod.node() != null
          && ambient.contains(pod.namespace())
          && !"none".equals(pod.labels().get(DATAPLANE_MODE))) {
        namespacesOn.computeIfAbsent(pod.node(), n -> new TreeSet<>()).add(pod.namespace());
        podsOn.merge(pod.node(), 1, Integer::sum);
      }
    }
    Map<String, String> ztunnelOn = new TreeMap<>();
    for (PlanInput.Ztunnel z : ztunnelsOfFrom()) {
      for (PlanInput.Pod pod : podsIn(z.namespace())) {
        if (pod.node() != null && ("DaemonSet/" + z.name()).equals(pod.owner())) {
          ztunnelOn.putIfAbsent(pod.node(), z.namespace() + "/" + pod.name());
          namespacesOn.computeIfAbsent(pod.node(), n -> new TreeSet<>());
        }
      }
    }
    namespacesOn.forEach(
        (node, of) ->
            items.add(
                new Item(
                    Kind.Node,
                    null,
                    node,
                    ztunnelOn.containsKey(node)
                        ? new Selection(How.ZTUNNEL, ztunnelOn.get(node), null)
                        : new Selection(How.AMBIENT_PODS, "of " + String.join(", ", of), null),
                    MovedBy.ZTUNNEL_NODE_UPGRADE,
                    podsOn.getOrDefault(node, 0),
                    null,
                    null)));
    if (!ambient.isEmpty() && input.ztunnels().isEmpty()) {
      notes.add(
          "no ztunnel DaemonSet (label app.kubernetes.io/name=ztunnel) found: an ambient"
              + " namespace's istio.io/rev label (else the default revision) stands for its"
              + " ztunnel's revision, and its nodes are those of its pods");
    }
  }
}

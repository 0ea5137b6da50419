package io.meshgate.plan;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an upgrade from revision {@code from} to {@code to} has to touch: every object of the
 * cluster that still selects {@code from}, each once, with how it selects it and what moves it; and
 * a suggested RevisionMigration. Built by {@link Planner}.
 *
 * @param from the revision moved from ({@code --from} resolved, when it names a tag)
 * @param to the revision moved to
 * @param notes what the plan could not see or had to assume, one sentence each
 */
public record UpgradePlan(
    String from,
    String to,
    List<Item> items,
    List<String> notes,
    Suggestion suggestion,
    List<ZtunnelDaemonSet> ztunnels) {

  public UpgradePlan {
    items = List.copyOf(items);
    notes = List.copyOf(notes);
    ztunnels = ztunnels == null ? List.of() : List.copyOf(ztunnels);
  }

  /** A plan of a cluster without ztunnel. */
  public UpgradePlan(
      String from, String to, List<Item> items, List<String> notes, Suggestion suggestion) {
    this(from, to, items, notes, suggestion, List.of());
  }

  /**
   * A ztunnel DaemonSet as a ztunnel wave needs it: its update strategy ({@code OnDelete} for a
   * wave), the {@code controller-revision-hash} of its template now, and of the nodes running one
   * of its pods, how many run that template ({@code updated}).
   *
   * @param currentHash null when its ControllerRevisions could not be read; {@code updated} is 0
   *     then
   */
  public record ZtunnelDaemonSet(
      String namespace,
      String name,
      String revision,
      String updateStrategy,
      String currentHash,
      int nodes,
      int updated) {
    /**
     * {@code ztunnel DaemonSet istio-system/ztunnel (revision 1-19-0): updateStrategy OnDelete,
     * template 5d4f8 on 2 of 3 nodes}.
     */
    public String describe() {
      return "ztunnel DaemonSet "
          + namespace
          + "/"
          + name
          + (revision == null ? "" : " (revision " + revision + ")")
          + ": updateStrategy "
          + updateStrategy
          + ", "
          + (currentHash == null
              ? "template unknown, on " + nodes + (nodes == 1 ? " node" : " nodes")
              : "template "
                  + currentHash
                  + " on "
                  + updated
                  + " of "
                  + nodes
                  + (nodes == 1 ? " node" : " nodes"));
    }

    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("namespace", namespace);
      map.put("name", name);
      map.put("revision", revision);
      map.put("updateStrategy", updateStrategy);
      map.put("currentHash", currentHash);
      map.put("nodes", nodes);
      map.put("updated", updated);
      return map;
    }
  }

  /** The kinds of object an upgrade moves, in the order a plan lists them. */
  public enum Kind {
    /** A namespace whose pods get sidecars. */
    Namespace("namespace", "namespaces"),
    /** An injected gateway: a Deployment whose pod template asks for a gateway proxy. */
    Deployment("injected gateway", "injected gateways"),
    /** A Gateway API Gateway istiod deploys (class {@code istio} or {@code istio-east-west}). */
    Gateway("Gateway", "Gateways"),
    /** A Gateway API Gateway of class {@code istio-waypoint}. */
    Waypoint("waypoint", "waypoints"),
    /** A namespace labelled {@code istio.io/dataplane-mode=ambient}. */
    AmbientNamespace("ambient namespace", "ambient namespaces"),
    /** A node whose ztunnel serves ambient pods. */
    Node("node", "nodes");

    private final String one;
    private final String many;

    Kind(String one, String many) {
      this.one = one;
      this.many = many;
    }

    String counted(int n) {
      return n + " " + (n == 1 ? one : many);
    }
  }

  /** How an object selects the revision. */
  public enum How {
    /** Its own {@code istio.io/rev} label names the revision. */
    LABEL("label", "label"),
    /** Its own {@code istio.io/rev} label names a tag that points at the revision. */
    TAG("tag", "tag"),
    /** Its namespace's label decides (for gateways). */
    NAMESPACE_LABEL("namespaceLabel", "namespace"),
    /** Nothing names a revision: the default one (tag {@code default}, else revision default). */
    DEFAULT("default", "default"),
    /** Pods of a namespace without an injection label, through their own labels. */
    POD_LABEL("podLabel", "pod label"),
    /** Nothing selects it any more, but its pods still run the revision. */
    PROXIES("proxies", "still running"),
    /** The ztunnel DaemonSet of the revision serves it. */
    ZTUNNEL("ztunnel", "ztunnel"),
    /** A node, for the ambient pods it runs. */
    AMBIENT_PODS("ambientPods", "ambient pods");

    private final String json;
    private final String text;

    How(String json, String text) {
      this.json = json;
      this.text = text;
    }

    public String json() {
      return json;
    }
  }

  /** What moves an object from the old revision to the new one. */
  public enum MovedBy {
    /** meshgate flips its {@code istio.io/rev} label (a namespace's, a Gateway's, a template's). */
    LABEL_FLIP("labelFlip", "label flip"),
    /** Its namespace's label overrides its own: it moves with its namespace's flip. */
    NAMESPACE_LABEL_FLIP("namespaceLabelFlip", "namespace label flip"),
    /** It follows a tag: the tag moves, then the namespace is restarted. */
    TAG_MOVE("tagMove", "tag move"),
    /** An injected gateway following a tag: the tag moves, then it is restarted. */
    TAG_MOVE_RESTART("tagMoveRestart", "tag move + restart"),
    /** Its label no longer selects the revision; a restart moves its pods. */
    RESTART_ONLY("restartOnly", "restart only"),
    /** Its pods select the revision by their own label: their templates must change. */
    PODS_PINNED("podsPinned", "pods pinned"),
    /** ztunnel is one per node: its node is upgraded (cordon, drain, new ztunnel). */
    ZTUNNEL_NODE_UPGRADE("ztunnelNodeUpgrade", "ztunnel node upgrade");

    private final String json;
    private final String text;

    MovedBy(String json, String text) {
      this.json = json;
      this.text = text;
    }

    public String json() {
      return json;
    }

    public String text() {
      return text;
    }
  }

  /**
   * How an object selects the revision: {@code selector} is what says so ({@code
   * istio.io/rev=prod}, {@code istio-injection=enabled}, for a namespace's label {@code shop
   * istio.io/rev=prod}, {@code istio-system/ztunnel}), {@code tag} the tag it goes through, or
   * null.
   */
  public record Selection(How how, String selector, String tag) {
    /**
     * {@code label istio.io/rev=1-19-0}, {@code default istio-injection=enabled via tag default}.
     */
    public String describe() {
      return how.text + " " + selector + (tag == null || how == How.TAG ? "" : " via tag " + tag);
    }
  }

  /**
   * One object to move.
   *
   * @param namespace its namespace; null for namespaces and nodes
   * @param proxies its proxies on the old revision (for a node: the ambient pods on it)
   * @param workload the Deployment istiod renders for a Gateway or waypoint; null for other kinds
   * @param note what else to know about it, or null
   */
  public record Item(
      Kind kind,
      String namespace,
      String name,
      Selection selects,
      MovedBy movedBy,
      int proxies,
      String workload,
      String note) {

    /** {@code Namespace shop}, {@code Deployment istio-ingress/ingressgateway}. */
    public String ref() {
      return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
  }

  /** How many objects of each kind, in the order of {@link Kind}; kinds without any left out. */
  public Map<Kind, Integer> counts() {
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    items.forEach(i -> counts.merge(i.kind(), 1, Integer::sum));
    return counts;
  }

  /** {@code 4 objects select 1-19-0: 2 namespaces, 1 injected gateway, 1 waypoint}. */
  public String summary() {
    if (items.isEmpty()) {
      return "Nothing in the cluster selects " + from + ".";
    }
    List<String> parts = new ArrayList<>();
    counts().forEach((kind, n) -> parts.add(kind.counted(n)));
    return items.size()
        + (items.size() == 1 ? " object selects " : " objects select ")
        + from
        + ": "
        + String.join(", ", parts);
  }

  /** The plan as JSON-ready maps and lists: the model of {@code --output json} and the API. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("from", from);
    map.put("to", to);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Item item : items) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("kind", item.kind().name());
      i.put("namespace", item.namespace());
      i.put("name", item.name());
      Map<String, Object> selects = new LinkedHashMap<>();
      selects.put("how", item.selects().how().json());
      selects.put("selector", item.selects().selector());
      selects.put("tag", item.selects().tag());
      i.put("selects", selects);
      i.put("movedBy", item.movedBy().json());
      i.put("proxies", item.proxies());
      i.put("workload", item.workload());
      i.put("note", item.note());
      list.add(i);
    }
    map.put("items", list);
    Map<String, Object> counts = new LinkedHashMap<>();
    counts().forEach((kind, n) -> counts.put(kind.name(), n));
    map.put("counts", counts);
    map.put("notes", notes);
    map.put("ztunnels", ztunnels.stream().map(ZtunnelDaemonSet::toMap).toList());
    map.put("suggestion", suggestion.toMap());
    return map;
  }
}

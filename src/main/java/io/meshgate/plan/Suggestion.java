package io.meshgate.plan;

import io.meshgate.plan.UpgradePlan.How;
import io.meshgate.plan.UpgradePlan.Item;
import io.meshgate.plan.UpgradePlan.Kind;
import io.meshgate.plan.UpgradePlan.MovedBy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A RevisionMigration for a plan's items: a first wave of one low-risk namespace, then the
 * gateways, then the other namespaces. It moves only what one migration can move: in the label flow
 * what selects the old revision by its own label; in tag mode ({@code spec.tag}, chosen when more
 * namespaces follow a tag on the old revision than select it by their own label) what follows that
 * tag. Everything else is {@link #leftOut}, with the reason.
 *
 * @param tag the tag of tag mode, or null for the label flow
 * @param waves empty when nothing can be migrated
 */
public record Suggestion(
    String name,
    String fromRevision,
    String toRevision,
    String tag,
    List<Wave> waves,
    List<LeftOut> leftOut) {

  static final String FIRST = "first";
  static final String GATEWAYS = "gateways";
  static final String REST = "rest";

  /** Never a first wave: Kubernetes' own namespaces and Istio's. */
  private static final Set<String> SYSTEM =
      Set.of("kube-system", "kube-public", "kube-node-lease", "istio-system");

  /** Names that say a namespace is not production: the first wave prefers them. */
  private static final Pattern LOW_RISK =
      Pattern.compile(
          "(^|.*-)(test|testing|dev|develop|development|staging|stage|qa|sandbox)(-.*|$)");

  public Suggestion {
    waves = List.copyOf(waves);
    leftOut = List.copyOf(leftOut);
  }

  /**
   * A wave: namespaces or gateways, and its soak.
   *
   * @param gateways {@code {kind: Deployment|Gateway, namespace, name}} (DESIGN.md section 12)
   */
  public record Wave(String name, List<String> namespaces, List<GatewayRef> gateways, String soak) {
    public Wave {
      namespaces = List.copyOf(namespaces);
      gateways = List.copyOf(gateways);
    }
  }

  /** A gateway in a wave: {@code Deployment} (injected) or {@code Gateway} (waypoints too). */
  public record GatewayRef(String kind, String namespace, String name) {}

  /** An item of the plan this migration does not move, and why. */
  public record LeftOut(Kind kind, String namespace, String name, String reason) {
    public String ref() {
      return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
  }

  static Suggestion of(
      List<Item> items, String from, String to, Set<String> controlPlaneNamespaces) {
    String tag = tagToMove(items);
    List<Item> namespaces = new ArrayList<>();
    List<Item> gateways = new ArrayList<>();
    List<LeftOut> leftOut = new ArrayList<>();
    for (Item item : items) {
      String why = tag == null ? outOfLabelFlow(item, from) : outOfTagMode(item, tag, from);
      if (why != null) {
        leftOut.add(new LeftOut(item.kind(), item.namespace(), item.name(), why));
      } else if (isNamespace(item)) {
        namespaces.add(item);
      } else {
        gateways.add(item);
      }
    }
    List<Wave> waves = new ArrayList<>();
    Item first =
        namespaces.stream()
            .filter(ns -> !SYSTEM.contains(ns.name()))
            .filter(ns -> !controlPlaneNamespaces.contains(ns.name()))
            .min(LOW_RISK_FIRST)
            .orElse(null);
    if (first != null) {
      waves.add(new Wave(FIRST, List.of(first.name()), List.of(), "10m"));
    }
    if (!gateways.isEmpty()) {
      waves.add(
          new Wave(
              GATEWAYS,
              List.of(),
              gateways.stream()
                  .map(
                      g ->
                          new GatewayRef(
                              g.kind() == Kind.Deployment ? "Deployment" : "Gateway",
                              g.namespace(),
                              g.name()))
                  .toList(),
              "15m"));
    }
    List<String> rest =
        namespaces.stream().filter(ns -> ns != first).map(Item::name).sorted().toList();
    if (!rest.isEmpty()) {
      waves.add(new Wave(REST, rest, List.of(), "30m"));
    }
    return new Suggestion(name(from, to), from, to, tag, waves, leftOut);
  }

  /**
   * Preferred names first, then namespaces with proxies (an empty one proves nothing), the fewest
   * first, then by name.
   */
  private static final Comparator<Item> LOW_RISK_FIRST =
      Comparator.<Item, Boolean>comparing(ns -> !LOW_RISK.matcher(ns.name()).matches())
          .thenComparing(ns -> ns.proxies() == 0)
          .thenComparingInt(Item::proxies)
          .thenComparing(Item::name);

  /**
   * The tag of tag mode: of the tags on the old revision that whole namespaces follow, the one most
   * of them follow (by name on a tie), when more follow it than the label flow would move; else
   * null, the label flow. One migration moves one group; the other is left out, with the reason.
   */
  private static String tagToMove(List<Item> items) {
    Map<String, Integer> followers = new TreeMap<>();
    int labelled = 0;
    for (Item item : items) {
      if (followsTag(item)) {
        followers.merge(item.selects().tag(), 1, Integer::sum);
      } else if (isNamespace(item) && item.movedBy() == MovedBy.LABEL_FLIP) {
        labelled++;
      }
    }
    String best = null;
    int most = labelled;
    for (Map.Entry<String, Integer> e : followers.entrySet()) {
      if (e.getValue() > most) {
        best = e.getKey();
        most = e.getValue();
      }
    }
    return best;
  }

  private static boolean isNamespace(Item item) {
    return item.kind() == Kind.Namespace || item.kind() == Kind.AmbientNamespace;
  }

  /** A namespace whose label follows a tag (pods that do on their own are not a wave's). */
  private static boolean followsTag(Item item) {
    return isNamespace(item)
        && item.movedBy() == MovedBy.TAG_MOVE
        && item.selects().how() != How.POD_LABEL;
  }

  /** Why the label flow leaves the item out, or null when a wave moves it. */
  private static String outOfLabelFlow(Item item, String from) {
    return switch (item.movedBy()) {
      case LABEL_FLIP -> null;
      case TAG_MOVE, TAG_MOVE_RESTART ->
          "follows tag "
              + item.selects().tag()
              + ": a label flip would take it off the tag; move the tag instead (tag mode, spec.tag: "
              + item.selects().tag()
              + ")";
      default -> common(item, from);
    };
  }

  /** Why tag mode on {@code tag} leaves the item out, or null when a wave moves it. */
  private static String outOfTagMode(Item item, String tag, String from) {
    return switch (item.movedBy()) {
      case TAG_MOVE, TAG_MOVE_RESTART -> {
        if (!tag.equals(item.selects().tag())) {
          yield "follows tag "
              + item.selects().tag()
              + ", not "
              + tag
              + ": migrate it with a RevisionMigration of its own (spec.tag: "
              + item.selects().tag()
              + ")";
        }
        yield item.selects().how() == How.POD_LABEL
            ? "its pods follow tag "
                + tag
                + " by their own label: the tag move moves them once they are restarted"
            : null;
      }
      case LABEL_FLIP ->
          "selects "
              + from
              + " by its own label, not through tag "
              + tag
              + ": a tag-mode migration skips it (NotFollowingTag); migrate it with a"
              + " RevisionMigration without spec.tag";
      default -> common(item, from);
    };
  }

  private static String common(Item item, String from) {
    return switch (item.movedBy()) {
      case NAMESPACE_LABEL_FLIP ->
          "its namespace's label decides its revision (it overrides the pod template's): it moves"
              + " with namespace "
              + item.namespace();
      case RESTART_ONLY ->
          "no label selects "
              + from
              + " any more: restarting its workloads moves the pods still on it";
      case PODS_PINNED ->
          "its pods select "
              + from
              + " by their own istio.io/rev label: change that label in their workloads' templates"
              + " (a namespace flip would inject every pod of the namespace)";
      case ZTUNNEL_NODE_UPGRADE ->
          "moved by a ztunnel node upgrade, which this RevisionMigration does not run";
      default -> throw new IllegalStateException("no reason for " + item.movedBy());
    };
  }

  /** {@code <from>-to-<to>} as a DNS-1123 label (the migration's name). */
  static String name(String from, String to) {
    String name =
        (from + "-to-" + to).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    if (name.length() > 63) {
      name = name.substring(0, 63);
    }
    return name.replaceAll("^-+|-+$", "");
  }

  /** The RevisionMigration as maps and lists, for YAML; null when there is no wave. */
  public Map<String, Object> manifest() {
    if (waves.isEmpty()) {
      return null;
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("apiVersion", "meshgate.io/v1alpha1");
    manifest.put("kind", "RevisionMigration");
    manifest.put("metadata", Map.of("name", name));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("fromRevision", fromRevision);
    spec.put("toRevision", toRevision);
    if (tag != null) {
      spec.put("tag", tag);
    }
    List<Map<String, Object>> list = new ArrayList<>();
    for (Wave wave : waves) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("name", wave.name());
      if (!wave.namespaces().isEmpty()) {
        w.put("namespaces", wave.namespaces());
      }
      if (!wave.gateways().isEmpty()) {
        List<Map<String, Object>> refs = new ArrayList<>();
        for (GatewayRef ref : wave.gateways()) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("kind", ref.kind());
          r.put("namespace", ref.namespace());
          r.put("name", ref.name());
          refs.add(r);
        }
        w.put("gateways", refs);
      }
      w.put("soak", wave.soak());
      list.add(w);
    }
    spec.put("waves", list);
    manifest.put("spec", spec);
    return manifest;
  }

  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("mode", tag == null ? "label" : "tag");
    map.put("manifest", manifest());
    List<Map<String, Object>> out = new ArrayList<>();
    for (LeftOut l : leftOut) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", l.kind().name());
      m.put("namespace", l.namespace());
      m.put("name", l.name());
      m.put("reason", l.reason());
      out.add(m);
    }
    map.put("leftOut", out);
    return map;
  }
}

package io.meshgate.plan;

import static io.meshgate.plan.Planner.DATAPLANE_MODE;
import static io.meshgate.plan.Planner.HASH_LABEL;
import static io.meshgate.plan.Planner.REV;
import static io.meshgate.plan.Planner.pods;

import io.meshgate.plan.Selectors.Resolved;
import io.meshgate.plan.Selectors.Selected;
import io.meshgate.plan.UpgradePlan.How;
import io.meshgate.plan.UpgradePlan.Item;
import io.meshgate.plan.UpgradePlan.Kind;
import io.meshgate.plan.UpgradePlan.MovedBy;
import io.meshgate.plan.UpgradePlan.Selection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The ambient part of a {@link Planner} plan: ambient namespaces, which the ztunnel of their node
 * serves, and those nodes.
 */
final class AmbientItems {
  private final PlanInput input;
  private final String from;
  private final Selectors selectors;

  AmbientItems(PlanInput input, String from, Selectors selectors) {
    this.input = input;
    this.from = from;
    this.selectors = selectors;
  }

  private List<PlanInput.Ztunnel> ztunnelsOfFrom() {
    return input.ztunnels().stream()
        .filter(
            z -> {
              Resolved r =
                  z.revision() == null
                      ? selectors.defaultRevision()
                      : selectors.label(z.revision());
              return r != null && from.equals(r.revision());
            })
        .toList();
  }

  /**
   * The item of an ambient namespace, with {@code sidecars} of its pods still on {@code from}; null
   * when nothing of {@code from} serves it.
   */
  Item namespace(PlanInput.Namespace ns, int sidecars) {
    List<PlanInput.Ztunnel> ours = ztunnelsOfFrom();
    String rev = ns.labels().get(REV);
    Selected own;
    if (rev == null) {
      own = new Selected(selectors.defaultRevision(), How.DEFAULT, "(no " + REV + " label)");
    } else {
      Resolved resolved = selectors.label(rev);
      own = new Selected(resolved, resolved.tag() == null ? How.LABEL : How.TAG, REV + "=" + rev);
    }
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

  /**
   * Every ztunnel DaemonSet's state for a ztunnel wave; a note for each whose strategy is not
   * {@code OnDelete} (a wave replaces ztunnel node by node only then: with {@code RollingUpdate}
   * the DaemonSet controller would replace every node's ztunnel on its own) and for each whose
   * template could not be read.
   */
  List<UpgradePlan.ZtunnelDaemonSet> daemonSets(
      Function<String, List<PlanInput.Pod>> podsIn, List<String> notes) {
    List<UpgradePlan.ZtunnelDaemonSet> states = new ArrayList<>();
    for (PlanInput.Ztunnel z : input.ztunnels()) {
      Map<String, String> hashOn = new TreeMap<>();
      for (PlanInput.Pod pod : podsIn.apply(z.namespace())) {
        if (pod.node() != null && ("DaemonSet/" + z.name()).equals(pod.owner())) {
          hashOn.merge(
              pod.node(), pod.labels().getOrDefault(HASH_LABEL, ""), (a, b) -> a.isEmpty() ? b : a);
        }
      }
      int updated =
          z.currentHash() == null
              ? 0
              : (int) hashOn.values().stream().filter(z.currentHash()::equals).count();
      states.add(
          new UpgradePlan.ZtunnelDaemonSet(
              z.namespace(),
              z.name(),
              z.revision(),
              z.updateStrategy(),
              z.currentHash(),
              hashOn.size(),
              updated));
      String ref = z.namespace() + "/" + z.name();
      if (z.updateStrategy() != null && !"OnDelete".equals(z.updateStrategy())) {
        notes.add(
            "ztunnel DaemonSet "
                + ref
                + " has updateStrategy "
                + z.updateStrategy()
                + ": a ztunnel wave needs OnDelete (Istio's ztunnel Helm chart: --set"
                + " updateStrategy.type=OnDelete; or kubectl -n "
                + z.namespace()
                + " patch daemonset "
                + z.name()
                + " --type merge -p"
                + " '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}')");
      }
      if (z.currentHash() == null && z.updateStrategy() != null) {
        notes.add(
            "the template of ztunnel DaemonSet "
                + ref
                + " is unknown: listing its ControllerRevisions needs"
                + " deploy/optional/ztunnel-rbac.yaml");
      }
    }
    return states;
  }

  /** Adds the nodes of the {@code ambient} namespaces and of {@code from}'s ztunnel pods. */
  void nodes(
      Set<String> ambient,
      Function<String, List<PlanInput.Pod>> podsIn,
      List<Item> items,
      List<String> notes) {
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
      for (PlanInput.Pod pod : podsIn.apply(z.namespace())) {
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

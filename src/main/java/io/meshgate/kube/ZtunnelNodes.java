package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.migration.Ambient;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The ambient data plane of a migration's ztunnel waves, read for {@link Ambient} (DESIGN.md
 * section 12). Targeted reads, and only while the migration has a ztunnel wave: the DaemonSet and
 * its ControllerRevisions, the nodes each wave's selector matches, the DaemonSet's own pods (one
 * list, indexed by node), and the pods of a node only while meshgate drains or replaces it ({@code
 * Migrating}, {@code Restarting} or {@code RollingBack}) or marks it as cordoned by this migration:
 * no informer over every pod of the cluster.
 *
 * <p>A pod is ambient as Istio decides it
 * (https://istio.io/latest/docs/ambient/usage/add-workloads/ and the {@code
 * istio.io/dataplane-mode} entry of https://istio.io/latest/docs/reference/config/labels/):
 * labelled {@code istio.io/dataplane-mode=ambient} itself, or in a namespace labelled so unless the
 * pod's own label says {@code none}. Of those, what {@code kubectl drain} would not evict is never
 * listed (k8s.io/kubectl/pkg/drain/filters.go): pods a DaemonSet owns (ztunnel's own among them),
 * mirror pods ({@code kubernetes.io/config.mirror}), and pods already terminating.
 *
 * <p>A read refused with 403 (the optional grant deploy/optional/ztunnel-rbac.yaml missing) is
 * {@link Ambient#unreadable()}, never an exception: the migration holds and says which grant.
 *
 * <pre>{@code
 * Ambient ambient = ztunnelNodes.observe("istio-1-24", spec, status);
 * }</pre>
 */
final class ZtunnelNodes {
  static final String CORDONED_BY = "meshgate.io/cordoned-by";

  /** When meshgate cordoned the node (RFC 3339), what {@code drain.timeout} counts from. */
  static final String CORDONED_AT = "meshgate.io/cordoned-at";

  static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
  static final String MIRROR = "kubernetes.io/config.mirror";
  static final String SIDECAR_STATUS = "sidecar.istio.io/status";
  private static final Set<TargetPhase> DRAINING =
      Set.of(TargetPhase.Migrating, TargetPhase.Restarting, TargetPhase.RollingBack);

  private final KubernetesClient client;
  private final Function<String, Map<String, String>> namespaceLabels;

  /**
   * @param namespaceLabels a namespace's labels by its name, empty when it is unknown (from the
   *     namespace informer's cache)
   */
  ZtunnelNodes(KubernetesClient client, Function<String, Map<String, String>> namespaceLabels) {
    this.client = client;
    this.namespaceLabels = namespaceLabels;
  }

  /** A read refused with 403: what was refused, for {@link Ambient#unreadable()}. */
  private static final class Refused extends RuntimeException {
    Refused(String what) {
      super(
          "meshgate may not "
              + what
              + " (403 Forbidden); apply "
              + ZtunnelDaemonSets.GRANT
              + " (ztunnel waves cordon and drain nodes, a grant apart from deploy/rbac.yaml)");
    }
  }

  /**
   * The ambient facts of the migration's ztunnel waves; {@link Ambient#NONE}, with no request, when
   * it has none. Every ztunnel wave names the same DaemonSet (the spec's validation); the first
   * one's is read.
   */
  Ambient observe(String migration, MigrationSpec spec, MigrationStatus status) {
    List<MigrationSpec.Wave> waves =
        spec.waves().stream().filter(w -> w.ztunnel() != null).toList();
    if (waves.isEmpty()) {
      return Ambient.NONE;
    }
    try {
      return read(migration, waves, status);
    } catch (Refused e) {
      return new Ambient(Map.of(), Map.of(), Ambient.ZtunnelDaemonSet.ABSENT, e.getMessage());
    }
  }

  private Ambient read(String migration, List<MigrationSpec.Wave> waves, MigrationStatus status) {
    MigrationSpec.Ztunnel ztunnel = waves.get(0).ztunnel();
    String dsName = ztunnel.namespace() + "/" + ztunnel.daemonSet();
    DaemonSet ds =
        read(
            "get daemonsets \"" + dsName + "\"",
            () ->
                client
                    .apps()
                    .daemonSets()
                    .inNamespace(ztunnel.namespace())
                    .withName(ztunnel.daemonSet())
                    .get());
    Ambient.ZtunnelDaemonSet daemonSet = daemonSet(ds, ztunnel.namespace());
    Map<String, Ambient.ZtunnelPod> ztunnelPods = ztunnelPods(ds, dsName);

    Map<String, List<String>> selectedNodes = new HashMap<>();
    Map<String, Node> nodes = new TreeMap<>();
    Map<Map<String, String>, List<Node>> bySelector = new HashMap<>();
    for (MigrationSpec.Wave wave : waves) {
      List<Node> matching =
          bySelector.computeIfAbsent(wave.ztunnel().nodeSelector(), this::nodesMatching);
      matching.forEach(n -> nodes.put(n.getMetadata().getName(), n));
      selectedNodes.put(
          wave.name(), matching.stream().map(n -> n.getMetadata().getName()).sorted().toList());
    }
    Set<String> draining = new TreeSet<>();
    for (TargetStatus recorded : status.nodes()) {
      String name = nodeName(recorded.name());
      if (!nodes.containsKey(name)) {
        // no longer selected (the selector or the node's labels changed) but still its target
        Node node = read("get nodes \"" + name + "\"", () -> client.nodes().withName(name).get());
        if (node != null) {
          nodes.put(name, node);
        }
      }
      if (DRAINING.contains(recorded.phase())) {
        draining.add(name);
      }
    }
    nodes.forEach(
        (name, node) -> {
          if (migration.equals(Meta.annotations(node.getMetadata()).get(CORDONED_BY))) {
            draining.add(name);
          }
        });

    Map<String, List<PodDisruptionBudget>> budgets = new HashMap<>();
    Map<String, Ambient.Node> facts = new HashMap<>();
    nodes.forEach(
        (name, node) -> {
          List<Pod> onNode = draining.contains(name) ? ambientPodsOn(name) : List.of();
          List<Pod> ambient = onNode.stream().filter(p -> !terminating(p)).toList();
          Map<String, String> annotations = Meta.annotations(node.getMetadata());
          facts.put(
              name,
              new Ambient.Node(
                  true,
                  Boolean.TRUE.equals(
                      node.getSpec() == null ? null : node.getSpec().getUnschedulable()),
                  annotations.get(CORDONED_BY),
                  ambient.stream().map(ZtunnelNodes::key).toList(),
                  blockingBudgets(ambient, budgets),
                  ztunnelPods.get(name),
                  onNode.size() - ambient.size(),
                  instant(annotations.get(CORDONED_AT))));
        });
    return new Ambient(selectedNodes, facts, daemonSet, null);
  }

  private Ambient.ZtunnelDaemonSet daemonSet(DaemonSet ds, String namespace) {
    if (ds == null) {
      return Ambient.ZtunnelDaemonSet.ABSENT;
    }
    List<ControllerRevision> history =
        read(
            "list controllerrevisions in namespace " + namespace,
            () -> ZtunnelDaemonSets.historyNewestFirst(client, ds));
    String strategy =
        ds.getSpec().getUpdateStrategy() == null
            ? null
            : ds.getSpec().getUpdateStrategy().getType();
    Long generation = ds.getMetadata().getGeneration();
    Long observed = ds.getStatus() == null ? null : ds.getStatus().getObservedGeneration();
    return new Ambient.ZtunnelDaemonSet(
        true,
        // the API server defaults an unset strategy to RollingUpdate
        strategy == null ? "RollingUpdate" : strategy,
        history.isEmpty() ? null : ZtunnelDaemonSets.hash(history.get(0)),
        history.size() < 2 ? null : ZtunnelDaemonSets.hash(history.get(1)),
        generation == null || (observed != null && observed >= generation));
  }

  /**
   * The DaemonSet's pod on each node; while a deleted pod terminates next to its replacement, the
   * replacement (what the node is moving to).
   */
  private Map<String, Ambient.ZtunnelPod> ztunnelPods(DaemonSet ds, String dsName) {
    if (ds == null) {
      return Map.of();
    }
    List<Pod> pods =
        read("list pods of DaemonSet \"" + dsName + "\"", () -> ZtunnelDaemonSets.pods(client, ds));
    Map<String, Ambient.ZtunnelPod> byNode = new HashMap<>();
    for (Pod pod : pods) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (node == null) {
        continue;
      }
      Ambient.ZtunnelPod seen =
          new Ambient.ZtunnelPod(
              pod.getMetadata().getName(),
              ZtunnelDaemonSets.hash(pod),
              ready(pod),
              pod.getMetadata().getDeletionTimestamp() != null);
      byNode.merge(node, seen, (a, b) -> a.terminating() ? b : a);
    }
    return byNode;
  }

  private List<Node> nodesMatching(Map<String, String> selector) {
    return read(
        selector.isEmpty() ? "list nodes" : "list nodes labelled " + selector,
        () -> client.nodes().withLabels(selector).list().getItems());
  }

  /**
   * The node's ambient pods, those terminating too (sorted by {@code namespace/name}), that kubectl
   * drain would evict: neither a DaemonSet's (ztunnel among them) nor a mirror pod
   * (k8s.io/kubectl/pkg/drain/filters.go).
   */
  private List<Pod> ambientPodsOn(String node) {
    List<Pod> onNode =
        read(
            "list pods (all namespaces) on node \"" + node + "\"",
            () ->
                client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems());
    return onNode.stream()
        .filter(this::isAmbient)
        .filter(pod -> !daemonSetPod(pod))
        .filter(pod -> !Meta.annotations(pod.getMetadata()).containsKey(MIRROR))
        .sorted((a, b) -> key(a).compareTo(key(b)))
        .toList();
  }

  /**
   * Istio's rule: the pod's own {@code istio.io/dataplane-mode}, else its namespace's; and, as
   * istio-cni decides whether to capture a pod (cni/pkg/util/enablement_selector.go, Matches),
   * never a pod with a sidecar (annotation {@code sidecar.istio.io/status}) nor one on the host's
   * network: ztunnel does not carry their traffic.
   */
  private boolean isAmbient(Pod pod) {
    boolean hostNetwork =
        pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    if (hostNetwork || Meta.annotations(pod.getMetadata()).containsKey(SIDECAR_STATUS)) {
      return false;
    }
    String own = Meta.labels(pod.getMetadata()).get(DATAPLANE_MODE);
    if (own != null) {
      return "ambient".equals(own);
    }
    return "ambient"
        .equals(namespaceLabels.apply(pod.getMetadata().getNamespace()).get(DATAPLANE_MODE));
  }

  private static boolean daemonSetPod(Pod pod) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "DaemonSet".equals(o.getKind()));
  }

  private static boolean terminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** An annotation's time, null when absent or not RFC 3339 (someone else wrote it). */
  private static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Rfc3339.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The budgets that refuse an eviction now ({@code status.disruptionsAllowed} 0, or no status yet,
   * which the Eviction API refuses too) and select one of {@code ambient}; each namespace's budgets
   * are listed once per observation.
   */
  private List<String> blockingBudgets(
      List<Pod> ambient, Map<String, List<PodDisruptionBudget>> budgets) {
    Set<String> blocking = new TreeSet<>();
    for (Pod pod : ambient) {
      String ns = pod.getMetadata().getNamespace();
      List<PodDisruptionBudget> inNamespace =
          budgets.computeIfAbsent(
              ns,
              n ->
                  read(
                      "list poddisruptionbudgets in namespace " + n,
                      () ->
                          client
                              .policy()
                              .v1()
                              .podDisruptionBudget()
                              .inNamespace(n)
                              .list()
                              .getItems()));
      for (PodDisruptionBudget budget : inNamespace) {
        Integer allowed =
            budget.getStatus() == null ? null : budget.getStatus().getDisruptionsAllowed();
        if (Objects.requireNonNullElse(allowed, 0) == 0
            && ZtunnelDaemonSets.selects(
                budget.getSpec().getSelector(), Meta.labels(pod.getMetadata()))) {
          blocking.add(ns + "/" + budget.getMetadata().getName());
        }
      }
    }
    return new ArrayList<>(blocking);
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** status.nodes entries are named by {@link NodeRef#key}; a plain name is taken as it is. */
  private static String nodeName(String recorded) {
    return NodeRef.isKey(recorded) ? NodeRef.name(recorded) : recorded;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Runs a read; a 403 is {@link Refused}, any other failure a {@link ClusterReadException}. */
  private static <T> T read(String what, Supplier<T> read) {
    try {
      return read.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new Refused(what);
      }
      throw new ClusterReadException(
          "cannot " + what + ": " + (e.getCode() == 0 ? "" : e.getCode() + " ") + e.getMessage(),
          e);
    }
  }
}

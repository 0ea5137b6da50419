package io.meshgate.controller;

import io.meshgate.migration.Ambient;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.Observed;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What one evaluation, or one baseline capture, judges: namespaces, gateways and the nodes of
 * ztunnel waves, and for each the control cohort still on the old revision (for nodes the old
 * ztunnel template), measured in the same queries (none judged itself).
 *
 * <pre>{@code
 * GateSubjects subjects = GateSubjects.ofNamespaces(List.of("payments"), cohort);
 * }</pre>
 */
public record GateSubjects(
    List<String> namespaces,
    List<String> cohort,
    List<Gateway> gateways,
    List<Gateway> gatewayCohort,
    List<Node> nodes,
    List<Node> nodeCohort) {
  public GateSubjects {
    namespaces = List.copyOf(namespaces);
    cohort = List.copyOf(cohort);
    gateways = List.copyOf(gateways);
    gatewayCohort = List.copyOf(gatewayCohort);
    nodes = List.copyOf(nodes);
    nodeCohort = List.copyOf(nodeCohort);
  }

  /** Namespaces and gateways, no node. */
  public GateSubjects(
      List<String> namespaces,
      List<String> cohort,
      List<Gateway> gateways,
      List<Gateway> gatewayCohort) {
    this(namespaces, cohort, gateways, gatewayCohort, List.of(), List.of());
  }

  /**
   * The namespaces, gateways and nodes among {@code targets} (names, gateway keys and node keys),
   * with their cohorts: {@code namespaceCohort}, asked only when a namespace is judged; the
   * migration's gateways it has not started, at most {@code cohortLimit}, only when a gateway is;
   * and the nodes on the old ztunnel ({@link #nodeCohort}), at most {@code cohortLimit}, only when
   * a node is.
   */
  static GateSubjects of(
      List<String> targets,
      MigrationStatus status,
      Observed observed,
      Supplier<List<String>> namespaceCohort,
      int cohortLimit) {
    List<String> namespaces =
        targets.stream().filter(t -> !GatewayRef.isKey(t) && !NodeRef.isKey(t)).toList();
    List<Gateway> gateways =
        targets.stream().filter(GatewayRef::isKey).map(k -> Gateway.of(observed, k)).toList();
    List<Gateway> gatewayCohort =
        gateways.isEmpty()
            ? List.of()
            : status.gateways().stream()
                .filter(g -> g.phase() == TargetPhase.Pending)
                .filter(g -> observed.gateway(g.name()).facts().exists())
                .limit(cohortLimit)
                .map(g -> Gateway.of(observed, g.name()))
                .toList();
    List<Node> nodes = targets.stream().filter(NodeRef::isKey).map(Node::of).toList();
    return new GateSubjects(
        namespaces,
        namespaces.isEmpty() ? List.of() : namespaceCohort.get(),
        gateways,
        gatewayCohort,
        nodes,
        nodes.isEmpty() ? List.of() : nodeCohort(status, observed.ambient(), cohortLimit));
  }

  /**
   * The control cohort of nodes: the selected nodes of the migration's ztunnel waves it has not
   * started (no status entry yet, or {@code Pending}) whose ztunnel pod still runs the old
   * template, at most {@code limit}, by name. The old template is the one recorded when the wave
   * started ({@code status.revisions.ztunnel.from}); before that, any but the DaemonSet's current
   * one. A node without a ztunnel pod, or whose template cannot be told, is left out: it would
   * measure nothing, or the wrong side.
   */
  static List<Node> nodeCohort(MigrationStatus status, Ambient ambient, int limit) {
    MigrationStatus.Revisions revisions = status.revisions();
    String from =
        revisions == null || revisions.ztunnel() == null ? null : revisions.ztunnel().from();
    String current = ambient.daemonSet().currentHash();
    return ambient.selectedNodes().values().stream()
        .flatMap(List::stream)
        .distinct()
        .sorted()
        .filter(name -> notStarted(status, name))
        .filter(name -> onOldTemplate(ambient.node(name), from, current))
        .limit(limit)
        .map(Node::named)
        .toList();
  }

  private static boolean notStarted(MigrationStatus status, String node) {
    return status.node(node).map(TargetStatus::phase).orElse(TargetPhase.Pending)
        == TargetPhase.Pending;
  }

  private static boolean onOldTemplate(Ambient.Node node, String from, String current) {
    Ambient.ZtunnelPod pod = node.ztunnel();
    if (!node.exists() || pod == null || pod.hash() == null) {
      return false;
    }
    if (from != null) {
      return pod.hash().equals(from);
    }
    return current != null && !Objects.equals(pod.hash(), current);
  }

  /** Namespaces only. */
  public static GateSubjects ofNamespaces(List<String> namespaces, List<String> cohort) {
    return new GateSubjects(namespaces, cohort, List.of(), List.of());
  }

  public boolean isEmpty() {
    return namespaces.isEmpty() && gateways.isEmpty() && nodes.isEmpty();
  }

  /**
   * A gateway as its metrics name it: results are keyed by {@code key} (its {@code
   * GatewayRef.key()}), its series carry {@code namespace} and {@code workload}; a waypoint's by
   * the labels of {@code scope: waypoint} rules, any other's by those of {@code scope: gateway}.
   */
  public record Gateway(String key, String namespace, String workload, boolean waypoint) {
    /** The gateway of {@code key} as observed: named by its workload, else by its own name. */
    static Gateway of(Observed observed, String key) {
      GatewayRef ref = GatewayRef.of(key);
      Observed.GatewayFacts facts = observed.gateway(key);
      return new Gateway(
          key,
          ref.namespace(),
          facts.workload() == null ? ref.name() : facts.workload(),
          facts.waypoint());
    }
  }

  /**
   * A node of a ztunnel wave as its ztunnel's metrics name it: results are keyed by {@code key}
   * ({@code NodeRef.key(name)}, {@code Node/worker-1}), its series carry {@code name} in the label
   * of {@code scope: node} rules.
   */
  public record Node(String key, String name) {
    static Node of(String key) {
      return new Node(key, NodeRef.name(key));
    }

    public static Node named(String name) {
      return new Node(NodeRef.key(name), name);
    }
  }
}

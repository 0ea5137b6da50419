package io.meshgate.migration;

import io.meshgate.gate.RuleResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small ambient cluster for the machine's ztunnel waves, tick after tick: nodes that can be
 * cordoned, ambient pods that leave when evicted unless a budget holds them, ztunnel pods that the
 * DaemonSet recreates on its template now (first not Ready, Ready a tick later), and a DaemonSet
 * that can be rolled back. It checks after every tick that no more nodes than {@code maxConcurrent}
 * are cordoned by the migration.
 */
final class NodeWorld {
  static final String MIGRATION = "istio-1-20";
  static final String OLD = "6d5f7c8b9";
  static final String NEW = "7f8e9d0a1";

  /** One node as the cluster holds it. */
  static final class Node {
    boolean unschedulable;
    String cordonedBy;
    final List<String> ambientPods = new ArrayList<>();
    boolean budgetBlocks;
    String ztunnelHash = OLD;
    boolean ztunnelReady = true;
    boolean ztunnelGone;
    int podSerial;

    /** Evicted pods still shutting down: gone a tick later. */
    int terminating;

    Ambient.Node observed(String name) {
      Ambient.ZtunnelPod pod =
          ztunnelGone
              ? null
              : new Ambient.ZtunnelPod(
                  "ztunnel-" + name + "-" + podSerial, ztunnelHash, ztunnelReady, false);
      return new Ambient.Node(
          true,
          unschedulable,
          cordonedBy,
          ambientPods,
          budgetBlocks && !ambientPods.isEmpty() ? List.of("shop/web-pdb") : List.of(),
          pod,
          terminating,
          null);
    }
  }

  MigrationSpec spec;
  final Map<String, Node> nodes = new LinkedHashMap<>();
  final Set<String> failing = new HashSet<>();
  final List<Action> executed = new ArrayList<>();
  final List<Decision.Transition> transitions = new ArrayList<>();
  final List<Decision.Hold> holds = new ArrayList<>();
  String strategy = "OnDelete";
  String currentHash = NEW;
  String previousHash = OLD;

  /** Why nodes cannot be read; then none is seen, as without the optional grant. */
  String unreadable;

  /** The DaemonSet controller observed the DaemonSet's last change. */
  boolean settled = true;

  MigrationStatus status = MigrationStatus.initial();
  Instant now = FakeWorld.START;
  int maxCordoned;
  boolean aborted;

  /** A ztunnel pod was deleted while evicted pods on its node still went through it. */
  boolean deletedUnderTerminatingPods;

  /** The template each node's ztunnel ran when meshgate uncordoned it, in order. */
  final List<String> uncordonedOn = new ArrayList<>();

  NodeWorld(int nodeCount, int maxConcurrent, Duration drainTimeout) {
    MigrationSpec.Ztunnel ztunnel =
        new MigrationSpec.Ztunnel("istio-system", "ztunnel", Map.of(), maxConcurrent, drainTimeout);
    MigrationSpec.Wave wave =
        new MigrationSpec.Wave(
            "ztunnel",
            List.of(),
            Map.of(),
            List.of(),
            Map.of(),
            Duration.ofMinutes(2),
            maxConcurrent,
            false,
            ztunnel);
    spec = FakeWorld.spec(List.of(wave));
    for (int i = 1; i <= nodeCount; i++) {
      Node node = new Node();
      node.ambientPods.add("shop/web-" + i);
      nodes.put("worker-" + i, node);
    }
  }

  Observed observed() {
    Map<String, Ambient.Node> observedNodes = new HashMap<>();
    if (unreadable == null) {
      nodes.forEach((name, node) -> observedNodes.put(name, node.observed(name)));
    }
    Ambient ambient =
        new Ambient(
            unreadable == null ? Map.of("ztunnel", List.copyOf(nodes.keySet())) : Map.of(),
            observedNodes,
            new Ambient.ZtunnelDaemonSet(true, strategy, currentHash, previousHash, settled),
            unreadable);
    return new Observed(
        true,
        true,
        Map.of(),
        Map.of(),
        null,
        Map.of(),
        Set.of(),
        Map.of(),
        Map.of(),
        null,
        Observed.Sail.NONE,
        ambient);
  }

  Decision tick() {
    return tick(true);
  }

  /** A tick whose actions are done but whose status write is lost: the daemon died before it. */
  Decision tickDyingBeforeTheStatusWrite() {
    return tick(false);
  }

  private Decision tick(boolean statusWritten) {
    recreateZtunnelPods();
    Map<String, List<RuleResult>> results = new HashMap<>();
    for (TargetStatus node : status.nodes()) {
      results.put(
          node.name(),
          failing.contains(NodeRef.name(node.name()))
              ? FakeWorld.failing("error-rate", io.meshgate.gate.Severity.CRITICAL)
              : FakeWorld.passing());
    }
    TickInput input =
        new TickInput(
            MIGRATION, 1, spec, status, observed(), results, true, Set.of(), aborted, now);
    Decision decision = MigrationMachine.decide(input);
    MigrationStatus next = decision.status();
    for (Action action : decision.actions()) {
      executed.add(action);
      next = apply(action, next);
    }
    transitions.addAll(decision.transitions());
    holds.addAll(decision.holds());
    if (statusWritten) {
      status = next;
    }
    long cordoned = nodes.values().stream().filter(n -> MIGRATION.equals(n.cordonedBy)).count();
    maxCordoned = Math.max(maxCordoned, (int) cordoned);
    now = now.plus(spec.interval());
    return decision;
  }

  void runTicks(int n) {
    for (int i = 0; i < n; i++) {
      tick();
    }
  }

  TargetStatus node(String name) {
    return status.node(name).orElseThrow();
  }

  /** The actions of one kind, in order, as {@code Cordon worker-1}. */
  List<String> executed(Class<? extends Action> kind) {
    return executed.stream()
        .filter(kind::isInstance)
        .map(
            a ->
                a instanceof Action.NodeAction node
                    ? kind.getSimpleName() + " " + node.node()
                    : kind.getSimpleName())
        .toList();
  }

  /** A deleted ztunnel pod comes back on the template now, first not Ready, then Ready. */
  private void recreateZtunnelPods() {
    for (Node node : nodes.values()) {
      node.terminating = 0;
      if (node.ztunnelGone) {
        node.ztunnelGone = false;
        node.ztunnelHash = currentHash;
        node.ztunnelReady = false;
        node.podSerial++;
      } else if (!node.ztunnelReady) {
        node.ztunnelReady = true;
      }
    }
  }

  private MigrationStatus apply(Action action, MigrationStatus next) {
    if (action instanceof Action.CaptureBaseline c) {
      return next.withNodes(
          next.nodes().stream()
              .map(
                  n ->
                      n.name().equals(c.target())
                          ? n.withBaseline(Map.of("error-rate", 0.001), Map.of())
                          : n)
              .toList());
    }
    if (action instanceof Action.Cordon c) {
      Node node = nodes.get(c.node());
      if (!node.unschedulable || c.migration().equals(node.cordonedBy)) {
        node.unschedulable = true;
        node.cordonedBy = c.migration();
      }
    } else if (action instanceof Action.EvictAmbientPods e) {
      Node node = nodes.get(e.node());
      if (!node.budgetBlocks) {
        node.ambientPods.removeAll(e.pods());
        node.terminating += e.pods().size();
      }
    } else if (action instanceof Action.DeleteZtunnelPod d) {
      Node node = nodes.get(d.node());
      deletedUnderTerminatingPods |= node.terminating > 0;
      node.ztunnelGone = true;
    } else if (action instanceof Action.Uncordon u) {
      Node node = nodes.get(u.node());
      if (u.migration().equals(node.cordonedBy)) {
        uncordonedOn.add(node.ztunnelHash);
        node.unschedulable = false;
        node.cordonedBy = null;
      }
    } else if (action instanceof Action.RollBackDaemonSet r && !r.hash().equals(currentHash)) {
      previousHash = currentHash;
      currentHash = r.hash();
    }
    return next;
  }
}

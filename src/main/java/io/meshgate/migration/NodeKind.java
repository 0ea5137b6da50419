package io.meshgate.migration;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A ztunnel wave's nodes as targets (DESIGN.md section 12): a node moves when its ztunnel pod is
 * replaced by one on the wave's template, through the steps of {@link NodeDrain} (cordon, evict the
 * ambient pods, delete the old ztunnel pod), and is uncordoned once the new pod is Ready; that is
 * its restart. Its census is its one ztunnel pod, counted by the {@code controller-revision-hash}
 * of its template. It goes back with the DaemonSet's template (as {@code kubectl rollout undo}) and
 * the same steps toward the previous template, at most {@code maxConcurrent} nodes cordoned at once
 * either way.
 */
final class NodeKind implements TargetKind {
  private final MigrationSpec.Ztunnel ztunnel;

  NodeKind(MigrationSpec.Ztunnel ztunnel) {
    this.ztunnel = ztunnel;
  }

  @Override
  public Section section() {
    return Section.NODES;
  }

  @Override
  public String describe(String key) {
    return "node " + NodeRef.name(key);
  }

  /** Nodes the optional grant does not let meshgate read hold, rather than pass for absent. */
  @Override
  public Cause unseen(TickContext tick) {
    String unreadable = tick.in.observed().ambient().unreadable();
    return unreadable == null ? null : new Cause(Reason.ACCESS_REFUSED, unreadable);
  }

  @Override
  public Reason notFound() {
    return Reason.NODE_NOT_FOUND;
  }

  /** The ztunnel's namespace: an alert naming it concerns the nodes in flight. */
  @Override
  public String namespace(String key) {
    return ztunnel.namespace();
  }

  /**
   * One workload, the node's ztunnel pod: restarted once it runs the DaemonSet's template now (the
   * wave's, or after a rollback the previous one), rolled out once it is also Ready and the node is
   * no longer cordoned by meshgate.
   */
  @Override
  public Observed.TargetFacts facts(Observed observed, String key) {
    Ambient ambient = observed.ambient();
    Ambient.Node node = ambient.node(NodeRef.name(key));
    if (!node.exists()) {
      return Observed.TargetFacts.ABSENT;
    }
    Ambient.ZtunnelPod pod = node.ztunnel();
    // a pod without its controller-revision-hash (not yet labelled) is on no known template
    boolean running = pod != null && !pod.terminating() && pod.hash() != null;
    boolean current = running && pod.hash().equals(ambient.daemonSet().currentHash());
    boolean rolledOut = current && pod.ready() && !node.cordonedByMeshgate();
    return new Observed.TargetFacts(
        true,
        false,
        1,
        current ? 1 : 0,
        rolledOut ? 1 : 0,
        false,
        running ? Map.of(pod.hash(), 1) : Map.of());
  }

  /**
   * A node someone else cordoned is left cordoned and not upgraded; a node without a ztunnel pod
   * has nothing to upgrade.
   */
  @Override
  public Cause leftOut(TickContext tick, TargetState target) {
    Ambient.Node node = node(tick, target);
    String what = describe(target.name);
    if (node.unschedulable() && !node.cordonedBy(tick.in.migration())) {
      return new Cause(
          Reason.CORDONED_BY_OTHERS,
          what
              + " is cordoned by someone else; meshgate leaves it cordoned and does not upgrade its"
              + " ztunnel");
    }
    if (node.ztunnel() == null) {
      return new Cause(
          Reason.NO_ZTUNNEL,
          what + " runs no pod of " + daemonSet() + "; nothing to upgrade on it");
    }
    return null;
  }

  @Override
  public Change forward(TickContext tick, TargetState target, Observed.TargetFacts facts) {
    Cause changed = ZtunnelChecks.templateChanged(tick, ztunnel);
    if (changed != null) {
      return Change.blocked(changed);
    }
    NodeDrain.Step step = step(tick, target, ZtunnelChecks.templates(tick).to());
    return switch (step.kind()) {
      case REPLACED -> null;
      case BLOCKED -> Change.blocked(step.blocker());
      case DRAINING -> Change.waiting(draining(tick, target));
      default -> new Change(step.action(), saying(target, step));
    };
  }

  @Override
  public Cause moved(TickContext tick) {
    return new Cause(
        Reason.ZTUNNEL_REPLACED,
        "no old ztunnel pod left on the node; uncordoning once ztunnel on template "
            + ZtunnelChecks.templates(tick).to()
            + " is Ready");
  }

  /** Uncordoned once the new ztunnel pod is Ready on the DaemonSet's template now. */
  @Override
  public Action restart(TickContext tick, TargetState target) {
    return uncordonOnceReady(tick, target, ZtunnelChecks.templates(tick).to());
  }

  /**
   * The uncordon a node is owed once its ztunnel is Ready on {@code hash}, the template it moves
   * to: while it carries this migration's mark, cordoned or not (a mark left alone would keep it
   * from counting as rolled out). A pod on any other template (the DaemonSet changed meanwhile)
   * keeps the node cordoned until {@code restart.timeout} sends it back.
   */
  private static Action uncordonOnceReady(TickContext tick, TargetState target, String hash) {
    Ambient.Node node = node(tick, target);
    Ambient.ZtunnelPod pod = node.ztunnel();
    boolean ready = pod != null && !pod.terminating() && pod.ready() && hash.equals(pod.hash());
    return ready && node.markedBy(tick.in.migration())
        ? new Action.Uncordon(NodeRef.name(target.name), tick.in.migration())
        : null;
  }

  /** The DaemonSet's template back first (once for all nodes), then the node's own steps. */
  @Override
  public Action back(TickContext tick, TargetState target, Observed.TargetFacts facts) {
    if (tick.spec.dryRun()) {
      return null;
    }
    String from = ZtunnelChecks.templates(tick).from();
    if (!from.equals(tick.in.observed().ambient().daemonSet().currentHash())) {
      return new Action.RollBackDaemonSet(ztunnel.namespace(), ztunnel.daemonSet(), from);
    }
    NodeDrain.Step step = step(tick, target, from);
    return step.kind() == NodeDrain.Kind.REPLACED
        ? uncordonOnceReady(tick, target, from)
        : step.action();
  }

  /**
   * A node going back holds while it is blocked (a budget, someone else's cordon), and waits while
   * its evicted pods terminate, for its new ztunnel to be Ready, or while {@code maxConcurrent}
   * other nodes are cordoned by meshgate: a rollback is paced as the upgrade was.
   */
  @Override
  public Change backWait(TickContext tick, TargetState target, Observed.TargetFacts facts) {
    String from = ZtunnelChecks.templates(tick).from();
    if (tick.spec.dryRun()
        || !from.equals(tick.in.observed().ambient().daemonSet().currentHash())) {
      return null;
    }
    NodeDrain.Step step = step(tick, target, from);
    switch (step.kind()) {
      case BLOCKED -> {
        return Change.blocked(step.blocker());
      }
      case DRAINING -> {
        return Change.waiting(draining(tick, target));
      }
      case REPLACED -> {
        return node(tick, target).markedBy(tick.in.migration())
                && uncordonOnceReady(tick, target, from) == null
            ? Change.waiting(
                "waiting for ztunnel on " + describe(target.name) + " to be Ready to uncordon it")
            : null;
      }
      case CORDON -> {
        List<String> cordoned = cordonedByMigration(tick, target);
        return cordoned.size() < ztunnel.maxConcurrent()
            ? null
            : Change.waiting(
                "waiting for a slot: "
                    + String.join(", ", cordoned)
                    + " cordoned by meshgate (nodes.maxConcurrent "
                    + ztunnel.maxConcurrent()
                    + ")");
      }
      default -> {
        return null;
      }
    }
  }

  @Override
  public String backHow(TickContext tick) {
    return "ztunnel back on template " + ZtunnelChecks.templates(tick).from() + ", node uncordoned";
  }

  /** Counted by the {@code controller-revision-hash} of the ztunnel pod's template. */
  @Override
  public SidecarGoal goal(TickContext tick, TargetState target) {
    MigrationStatus.ZtunnelTemplates templates = ZtunnelChecks.templates(tick);
    return SidecarGoal.of(target.phase, templates == null ? null : templates.to());
  }

  /** Without a previous template there is nothing to go back to: halted for people instead. */
  @Override
  public Cause noWayBack(TickContext tick, Cause cause) {
    MigrationStatus.ZtunnelTemplates templates = ZtunnelChecks.templates(tick);
    if (templates != null && templates.from() != null) {
      return null;
    }
    return new Cause(
        Reason.REGRESSION_NO_ROLLBACK,
        cause.message()
            + "; "
            + daemonSet()
            + " has no previous ControllerRevision to roll back to: meshgate changes nothing");
  }

  private NodeDrain.Step step(TickContext tick, TargetState target, String hash) {
    Ambient.Node node = node(tick, target);
    // drain.timeout counts from the cordon (a node going back may wait for a slot first)
    Duration draining =
        node.cordonedAt() == null
            ? tick.elapsed(target)
            : Duration.between(node.cordonedAt(), tick.in.now());
    return NodeDrain.next(
        NodeRef.name(target.name),
        node,
        tick.in.migration(),
        hash,
        ztunnel.namespace(),
        draining.compareTo(ztunnel.drainTimeout()) > 0);
  }

  private String draining(TickContext tick, TargetState target) {
    int pods = node(tick, target).terminating();
    return "waiting for "
        + pods
        + (pods == 1 ? " evicted ambient pod" : " evicted ambient pods")
        + " on "
        + describe(target.name)
        + " to terminate before replacing its ztunnel";
  }

  /** Other nodes cordoned by this migration now, or asked to be by this tick. */
  private static List<String> cordonedByMigration(TickContext tick, TargetState self) {
    Ambient ambient = tick.in.observed().ambient();
    return tick.all().stream()
        .filter(t -> t.kind.section() == Section.NODES && t != self)
        .map(t -> NodeRef.name(t.name))
        .filter(
            n ->
                ambient.node(n).cordonedBy(tick.in.migration())
                    || tick.actions.contains(new Action.Cordon(n, tick.in.migration())))
        .sorted()
        .toList();
  }

  private static Ambient.Node node(TickContext tick, TargetState target) {
    return tick.in.observed().ambient().node(NodeRef.name(target.name));
  }

  private static String saying(TargetState target, NodeDrain.Step step) {
    String node = "node " + NodeRef.name(target.name);
    return switch (step.kind()) {
      case CORDON -> "cordoning " + node;
      case EVICT -> {
        int pods = ((Action.EvictAmbientPods) step.action()).pods().size();
        yield "evicting " + pods + (pods == 1 ? " ambient pod" : " ambient pods") + " from " + node;
      }
      default -> "deleting the old ztunnel pod of " + node;
    };
  }

  private String daemonSet() {
    return "ztunnel DaemonSet " + ztunnel.namespace() + "/" + ztunnel.daemonSet();
  }
}

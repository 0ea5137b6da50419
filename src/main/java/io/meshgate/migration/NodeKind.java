package io.meshgate.migration;

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
    boolean running = pod != null && !pod.terminating();
    boolean current = running && pod.hash().equals(ambient.daemonSet().currentHash());
    boolean rolledOut = current && pod.ready() && node.cordonedBy() == null;
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
      default -> new Change(step.action(), saying(target, step));
    };
  }

  @Override
  public Cause moved(TickContext tick) {
    return new Cause(
        Reason.ZTUNNEL_REPLACED,
        "ambient pods evicted and the old ztunnel pod replaced; uncordoning once ztunnel on template "
            + ZtunnelChecks.templates(tick).to()
            + " is Ready");
  }

  /** Uncordoned once the new ztunnel pod is Ready on the DaemonSet's template now. */
  @Override
  public Action restart(TickContext tick, TargetState target) {
    Ambient.Node node = node(tick, target);
    Observed.TargetFacts facts = tick.facts(target);
    boolean ready = facts.allRestarted() && node.ztunnel() != null && node.ztunnel().ready();
    return ready && node.cordonedBy(tick.in.migration())
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
    return step(tick, target, from).action();
  }

  /**
   * A node going back waits while the node is blocked (a budget, someone else's cordon) or while
   * {@code maxConcurrent} other nodes are cordoned by meshgate: a rollback is paced as the upgrade
   * was.
   */
  @Override
  public Cause backWait(TickContext tick, TargetState target, Observed.TargetFacts facts) {
    String from = ZtunnelChecks.templates(tick).from();
    if (tick.spec.dryRun()
        || !from.equals(tick.in.observed().ambient().daemonSet().currentHash())) {
      return null;
    }
    NodeDrain.Step step = step(tick, target, from);
    if (step.kind() == NodeDrain.Kind.BLOCKED) {
      return step.blocker();
    }
    if (step.kind() != NodeDrain.Kind.CORDON) {
      return null;
    }
    List<String> cordoned = cordonedByMigration(tick, target);
    if (cordoned.size() < ztunnel.maxConcurrent()) {
      return null;
    }
    return new Cause(
        Reason.MIGRATION_ROLLBACK,
        "waiting for a slot: "
            + String.join(", ", cordoned)
            + " cordoned by meshgate (nodes.maxConcurrent "
            + ztunnel.maxConcurrent()
            + ")");
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
    return NodeDrain.next(
        NodeRef.name(target.name),
        node(tick, target),
        tick.in.migration(),
        hash,
        ztunnel.namespace(),
        tick.elapsed(target).compareTo(ztunnel.drainTimeout()) > 0);
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

package io.meshgate.migration;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What keeps a ztunnel wave's nodes from starting, and the templates they move between (DESIGN.md
 * section 12): the DaemonSet must be readable, exist, and roll only when meshgate deletes its pods
 * ({@code OnDelete}); its template must still be the one the wave started with; and once it was
 * rolled back no node starts again.
 */
final class ZtunnelChecks {
  private ZtunnelChecks() {}

  /** The migration's ztunnel wave spec (one DaemonSet per migration), if it has one. */
  static Optional<MigrationSpec.Ztunnel> of(MigrationSpec spec) {
    return spec.waves().stream()
        .map(MigrationSpec.Wave::ztunnel)
        .filter(z -> z != null)
        .findFirst();
  }

  /**
   * The templates the nodes move between: as recorded once the first node started, else what the
   * cluster says now: the DaemonSet's newest ControllerRevision, and the template most of the
   * nodes' ztunnel pods run otherwise (what a rollback must go back to, which after several edits
   * of the template is not always the ControllerRevision before the newest), else that one; null
   * without a DaemonSet.
   */
  static MigrationStatus.ZtunnelTemplates templates(TickContext tick) {
    MigrationStatus.Revisions recorded = tick.in.status().revisions();
    if (recorded != null && recorded.ztunnel() != null) {
      return recorded.ztunnel();
    }
    Ambient ambient = tick.in.observed().ambient();
    Ambient.ZtunnelDaemonSet daemonSet = ambient.daemonSet();
    if (!daemonSet.exists()) {
      return null;
    }
    String current = daemonSet.currentHash();
    Map<String, Long> running =
        ambient.nodes().values().stream()
            .map(Ambient.Node::ztunnel)
            .filter(pod -> pod != null && pod.hash() != null && !pod.hash().equals(current))
            .collect(Collectors.groupingBy(Ambient.ZtunnelPod::hash, Collectors.counting()));
    String from =
        running.entrySet().stream()
            .max(
                Map.Entry.<String, Long>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey()))
            .map(Map.Entry::getKey)
            .orElse(daemonSet.previousHash());
    return new MigrationStatus.ZtunnelTemplates(from, current);
  }

  /** The templates to record: once a node started, fixed from then on. */
  static MigrationStatus.ZtunnelTemplates recorded(TickContext tick) {
    boolean started =
        tick.all().stream()
            .anyMatch(
                t ->
                    t.kind.section() == TargetKind.Section.NODES && t.phase != TargetPhase.Pending);
    return started ? templates(tick) : null;
  }

  /**
   * Uncordons the nodes this migration cordoned but no longer moves: a node not started (the daemon
   * died between its cordon and the status write, and it was not started again) or done. A node in
   * flight keeps its cordon until its own steps lift it.
   */
  static void uncordonStrays(TickContext tick) {
    Ambient ambient = tick.in.observed().ambient();
    if (ambient.unreadable() != null) {
      return;
    }
    for (TargetState target : tick.all()) {
      boolean idle = target.phase == TargetPhase.Pending || target.phase.isTerminal();
      String node = NodeRef.isKey(target.name) ? NodeRef.name(target.name) : null;
      if (node != null
          && idle
          && !tick.spec.dryRun()
          && ambient.node(node).markedBy(tick.in.migration())) {
        tick.once(new Action.Uncordon(node, tick.in.migration()));
      }
    }
  }

  /** Why no node of a ztunnel wave may start now, or null. */
  static Cause blocker(TickContext tick, MigrationSpec.Ztunnel ztunnel) {
    Ambient ambient = tick.in.observed().ambient();
    String daemonSet = "ztunnel DaemonSet " + ztunnel.namespace() + "/" + ztunnel.daemonSet();
    if (ambient.unreadable() != null) {
      return new Cause(Reason.ACCESS_REFUSED, ambient.unreadable());
    }
    Ambient.ZtunnelDaemonSet observed = ambient.daemonSet();
    if (!observed.exists()) {
      return new Cause(Reason.ZTUNNEL_NOT_FOUND, daemonSet + " does not exist");
    }
    if (!observed.onDelete()) {
      return new Cause(
          Reason.INVALID_SPEC,
          daemonSet
              + " has updateStrategy "
              + observed.updateStrategy()
              + ": it replaces every node's ztunnel by itself, an upgrade meshgate could only watch,"
              + " not pace; set it to OnDelete (Istio's ztunnel Helm chart: --set"
              + " updateStrategy.type=OnDelete; or kubectl -n "
              + ztunnel.namespace()
              + " patch daemonset "
              + ztunnel.daemonSet()
              + " --type merge -p"
              + " '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}')");
    }
    MigrationStatus.Revisions recorded = tick.in.status().revisions();
    if (!observed.settled() && (recorded == null || recorded.ztunnel() == null)) {
      // the wave's templates are fixed from the ControllerRevisions: not before they are current
      return new Cause(
          Reason.ZTUNNEL_NOT_SETTLED,
          daemonSet
              + " changed and its controller has not observed it yet (status.observedGeneration"
              + " below metadata.generation); waiting before fixing the wave's templates");
    }
    if (rolledBack(tick)) {
      return new Cause(
          Reason.MIGRATION_ROLLBACK,
          daemonSet + " was rolled back to its previous template; no node starts again");
    }
    return templateChanged(tick, ztunnel);
  }

  /**
   * Someone changed the DaemonSet's template since the wave started (to neither the wave's template
   * nor, after a rollback, the previous one), or null.
   */
  static Cause templateChanged(TickContext tick, MigrationSpec.Ztunnel ztunnel) {
    MigrationStatus.ZtunnelTemplates templates = templates(tick);
    String now = tick.in.observed().ambient().daemonSet().currentHash();
    if (templates == null
        || now == null
        || now.equals(templates.to())
        || (now.equals(templates.from()) && rolledBack(tick))) {
      return null;
    }
    return new Cause(
        Reason.ZTUNNEL_TEMPLATE_CHANGED,
        "ztunnel DaemonSet "
            + ztunnel.namespace()
            + "/"
            + ztunnel.daemonSet()
            + " has template "
            + now
            + ", not "
            + templates.to()
            + " the wave started with; put it back, or start a new migration for the new template");
  }

  /** A node is going back, or went back: the DaemonSet is on (or going to) its old template. */
  static boolean rolledBack(TickContext tick) {
    return tick.all().stream()
        .anyMatch(
            t ->
                t.kind.section() == TargetKind.Section.NODES
                    && (t.phase == TargetPhase.RollingBack || t.phase == TargetPhase.RolledBack));
  }
}

package io.meshgate.migration;

import java.util.Optional;

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
   * DaemonSet says now (its newest ControllerRevision and the one before); null without a
   * DaemonSet.
   */
  static MigrationStatus.ZtunnelTemplates templates(TickContext tick) {
    MigrationStatus.Revisions recorded = tick.in.status().revisions();
    if (recorded != null && recorded.ztunnel() != null) {
      return recorded.ztunnel();
    }
    Ambient.ZtunnelDaemonSet daemonSet = tick.in.observed().ambient().daemonSet();
    return daemonSet.exists()
        ? new MigrationStatus.ZtunnelTemplates(daemonSet.previousHash(), daemonSet.currentHash())
        : null;
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
              + " -p '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}')");
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

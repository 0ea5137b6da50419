package io.meshgate.controller;

import io.meshgate.metrics.Metrics;
import io.meshgate.migration.Action;
import io.meshgate.migration.MigrationSpec;

/**
 * Runs one action of a decision through the port that does it, counting each in {@code
 * meshgate_actions_total}; baselines are the gate's, and the controller captures them itself.
 */
final class ActionRunner {
  private final LabelPort labels;
  private final TagPort tags;
  private final RestartPort restarts;
  private final GatewayPort gateways;
  private final NodePort nodes;
  private final Metrics metrics;

  ActionRunner(ClusterPorts cluster, Metrics metrics) {
    this.labels = cluster.labels();
    this.tags = cluster.tags();
    this.restarts = cluster.restarts();
    this.gateways = cluster.gateways();
    this.nodes = cluster.nodes();
    this.metrics = metrics;
  }

  /** {@code action} of {@code migration}, whose spec is {@code spec}. */
  void run(String migration, MigrationSpec spec, Action action) {
    if (action instanceof Action.Flip) {
      counted("flip", () -> labels.flip(migration, action.namespace(), spec.toRevision()));
    } else if (action instanceof Action.Restart restart) {
      counted(
          "restart",
          () ->
              restarts.restart(
                  migration,
                  action.namespace(),
                  restart.restartId(),
                  restart.goal(),
                  spec.restart()));
    } else if (action instanceof Action.RestoreLabels) {
      counted("restore", () -> labels.restoreLabels(action.namespace()));
    } else if (action instanceof Action.Pin pin) {
      counted("flip", () -> labels.flip(migration, pin.namespace(), pin.label()));
    } else if (action instanceof Action.MoveTag move) {
      counted(
          "tag",
          () -> tags.moveTag(migration, move.tag(), move.revision(), move.previousRevision()));
    } else if (action instanceof Action.FlipGateway flip) {
      counted(
          "flip", () -> gateways.flip(migration, flip.gateway(), flip.label(), flip.restartId()));
    } else if (action instanceof Action.RestoreGateway restore) {
      counted("restore", () -> gateways.restore(restore.gateway(), restore.restartId()));
    } else if (action instanceof Action.RestartGateway restart) {
      counted("restart", () -> gateways.restart(migration, restart.gateway(), restart.restartId()));
    } else if (action instanceof Action.NodeAction node) {
      runOnNode(migration, node);
    } else if (action instanceof Action.RollBackDaemonSet undo) {
      counted("restore", () -> nodes.rollBackDaemonSet(undo.namespace(), undo.name(), undo.hash()));
    }
  }

  private void runOnNode(String migration, Action.NodeAction action) {
    if (action instanceof Action.Cordon cordon) {
      counted("cordon", () -> nodes.cordon(migration, cordon.node()));
    } else if (action instanceof Action.EvictAmbientPods evict) {
      counted("drain", () -> nodes.evict(evict.node(), evict.pods()));
    } else if (action instanceof Action.DeleteZtunnelPod delete) {
      counted(
          "restart", () -> nodes.deleteZtunnelPod(delete.node(), delete.namespace(), delete.pod()));
    } else if (action instanceof Action.Uncordon uncordon) {
      counted("uncordon", () -> nodes.uncordon(migration, uncordon.node()));
    }
  }

  private void counted(String action, Runnable run) {
    run.run();
    metrics.actions.labelValues(action, "success").inc();
  }
}

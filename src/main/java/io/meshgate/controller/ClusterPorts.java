package io.meshgate.controller;

import java.util.Objects;

/**
 * What the controller needs from the cluster, one port per concern: a test fakes the one it is
 * about. Reads come from informer caches; writes are idempotent, so a controller killed between any
 * two calls resumes correctly.
 *
 * <pre>{@code
 * ClusterPorts ports = KubeCluster.start(client, "istio-system", clock, WriteHook.NONE).ports();
 * new MigrationController(store, ports, gate, notifier, clock, leader::isLeader);
 * }</pre>
 */
public record ClusterPorts(
    ObservePort observer,
    LabelPort labels,
    TagPort tags,
    RestartPort restarts,
    GatewayPort gateways,
    NodePort nodes,
    EventPort events) {
  public ClusterPorts {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(gateways, "gateways");
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(restarts, "restarts");
    Objects.requireNonNull(events, "events");
  }
}

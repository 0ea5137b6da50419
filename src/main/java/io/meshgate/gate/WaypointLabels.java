package io.meshgate.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * The labels that name a waypoint in its request metrics: Istio puts none of its own there (with
 * {@code reporter="waypoint"} the source and destination labels are the peers'), so the scrape
 * attaches them from the waypoint's pod. Istio's sample Prometheus adds {@code namespace} and maps
 * the pod label {@code gateway.networking.k8s.io/gateway-name} to {@code
 * gateway_networking_k8s_io_gateway_name}; a scrape that names them otherwise is configured in
 * {@code gate.waypointLabels}. Rules refer to them as {@code {{waypointNamespaceLabel}}} and {@code
 * {{waypointNameLabel}}}.
 */
public record WaypointLabels(String namespace, String name) {
  public static final WaypointLabels DEFAULT =
      new WaypointLabels("namespace", "gateway_networking_k8s_io_gateway_name");

  public WaypointLabels {
    List<String> problems = new ArrayList<>();
    if (!Names.isPrometheusLabel(namespace)) {
      problems.add(
          "waypoint namespace label is \"" + namespace + "\"; expected a Prometheus label name");
    }
    if (!Names.isPrometheusLabel(name)) {
      problems.add("waypoint name label is \"" + name + "\"; expected a Prometheus label name");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }
}

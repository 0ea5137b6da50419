package io.meshgate.migration;

/**
 * A Gateway API gateway or waypoint (class {@code istio} or {@code istio-waypoint}): the flip is
 * the Gateway's own label; istiod renders its Deployment anew for the revision the label selects,
 * so meshgate restarts nothing and never writes that Deployment.
 */
final class GatewayApiKind extends GatewayKind {
  @Override
  String labelPlace() {
    return "on the Gateway";
  }

  @Override
  String flipRestartId(TickContext tick, TargetState gateway, boolean forward) {
    return null;
  }

  @Override
  public Action restart(TickContext tick, TargetState gateway) {
    return null;
  }
}

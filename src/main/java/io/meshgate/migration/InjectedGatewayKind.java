package io.meshgate.migration;

/**
 * An injected gateway (a Deployment whose pod template carries {@code istio.io/rev} or {@code
 * inject.istio.io/templates: gateway}): the flip is the template's label, written with the restart
 * id in one patch, so the template change is the gateway's one rollout; in tag mode it is
 * restarted.
 */
final class InjectedGatewayKind extends GatewayKind {
  @Override
  String labelPlace() {
    return "on the pod template";
  }

  /** The id the restart after the flip will have: it finds its work done. */
  @Override
  String flipRestartId(TickContext tick, TargetState gateway, boolean forward) {
    return forward ? tick.restartId(gateway) : gateway.restartId;
  }

  @Override
  public Action restart(TickContext tick, TargetState gateway) {
    return new Action.RestartGateway(GatewayRef.of(gateway.name), gateway.restartId);
  }
}

package io.meshgate.migration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The working copy of every target of a tick, in wave order (first wave wins): the namespaces and
 * gateways the waves list or select and the nodes of ztunnel waves, each as its status records it
 * or pending, with the kind that moves it; targets that left a selector keep their history and are
 * still finished properly.
 */
final class TargetSeeds {
  private static final TargetKind INJECTED_GATEWAYS = new InjectedGatewayKind();
  private static final TargetKind GATEWAY_API = new GatewayApiKind();

  private TargetSeeds() {}

  static void seed(TickContext tick) {
    Map<String, TargetStatus> recorded = new LinkedHashMap<>();
    tick.in.status().targets().forEach(s -> recorded.put(s.name(), s));
    Observed observed = tick.in.observed();
    for (MigrationSpec.Wave wave : tick.spec.waves()) {
      List<String> members = new ArrayList<>(wave.namespaces());
      observed.selected().getOrDefault(wave.name(), List.of()).stream()
          .sorted()
          .forEach(members::add);
      members.forEach(name -> add(tick, name, wave, recorded, tick.namespaceKind()));
      List<GatewayRef> gateways = new ArrayList<>(wave.gateways());
      observed.selectedGateways().getOrDefault(wave.name(), List.of()).stream()
          .sorted(Comparator.comparing(GatewayRef::key))
          .forEach(gateways::add);
      gateways.forEach(g -> add(tick, g.key(), wave, recorded, kindOf(g.key())));
      if (wave.ztunnel() != null) {
        TargetKind nodes = new NodeKind(wave.ztunnel());
        observed.ambient().selectedNodes().getOrDefault(wave.name(), List.of()).stream()
            .sorted()
            .forEach(node -> add(tick, NodeRef.key(node), wave, recorded, nodes));
      }
    }
    recorded.forEach(
        (name, s) -> tick.targets.putIfAbsent(name, new TargetState(s, kindOf(tick, name))));
  }

  /** The kind of a recorded target no wave lists any more. */
  private static TargetKind kindOf(TickContext tick, String name) {
    if (GatewayRef.isKey(name)) {
      return kindOf(name);
    }
    if (NodeRef.isKey(name)) {
      return new NodeKind(
          ZtunnelChecks.of(tick.spec)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "status lists " + name + " but no wave has ztunnel")));
    }
    return tick.namespaceKind();
  }

  private static void add(
      TickContext tick,
      String name,
      MigrationSpec.Wave wave,
      Map<String, TargetStatus> recorded,
      TargetKind kind) {
    tick.targets.computeIfAbsent(
        name,
        n -> new TargetState(recorded.getOrDefault(n, TargetStatus.pending(n, wave.name())), kind));
  }

  private static TargetKind kindOf(String gatewayKey) {
    return GatewayRef.of(gatewayKey).kind() == GatewayRef.Kind.Deployment
        ? INJECTED_GATEWAYS
        : GATEWAY_API;
  }
}

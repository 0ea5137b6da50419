package io.meshgate.migration;

import io.meshgate.gate.RuleResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One tick's input, written as a table row reads: namespaces in given phases, what the cluster
 * shows, the flags. The pieces of the machine are tested on the {@link TickContext} it builds.
 */
final class OneTick {
  static final Instant NOW = FakeWorld.START.plus(Duration.ofHours(1));

  MigrationSpec spec;
  final Map<String, TargetStatus> recorded = new LinkedHashMap<>();
  final Map<String, Observed.TargetFacts> facts = new HashMap<>();
  final Map<String, TargetStatus> recordedGateways = new LinkedHashMap<>();
  final Map<String, Observed.GatewayFacts> gatewayFacts = new HashMap<>();
  final Map<String, List<RuleResult>> gate = new HashMap<>();
  final List<AlertRecord> alerts = new ArrayList<>();
  final Map<String, Observed.TagWebhook> tags = new HashMap<>();
  final Set<String> approved = new HashSet<>();
  boolean toAvailable = true;
  boolean fromAvailable = true;
  boolean windowOpen = true;
  boolean aborted;

  OneTick(MigrationSpec spec) {
    this.spec = spec;
  }

  /** A namespace of {@code wave} in {@code phase} since an hour ago, with a baseline. */
  OneTick ns(String name, String wave, TargetPhase phase) {
    recorded.put(
        name,
        new TargetStatus(
            name,
            wave,
            phase,
            phase == TargetPhase.Pending ? null : FakeWorld.START,
            Map.of("p99-latency", 87.0),
            Map.of(),
            null,
            Map.of(),
            0,
            0,
            null,
            phase == TargetPhase.Pending ? null : "istio-1-20/" + name + "/1",
            wasOnTarget(phase) ? FakeWorld.START : null));
    boolean onTarget = phase.isInFlight() && phase != TargetPhase.Migrating;
    facts.put(
        name,
        new Observed.TargetFacts(
            true, onTarget, 1, 1, 1, false, Map.of(onTarget ? FakeWorld.TO : FakeWorld.FROM, 2)));
    return this;
  }

  /**
   * The recorded namespace {@code name} with its evidence since {@code onTargetAt}, and streaks.
   */
  OneTick evidence(
      String name, Instant onTargetAt, int passStreak, Map<String, Integer> failureStreaks) {
    TargetStatus s = recorded.get(name);
    recorded.put(
        name,
        new TargetStatus(
            s.name(),
            s.wave(),
            s.phase(),
            s.phaseSince(),
            s.baseline(),
            s.baselineNotes(),
            s.lastVerdict(),
            failureStreaks,
            passStreak,
            s.noDataStreak(),
            s.proxies(),
            s.restartId(),
            onTargetAt));
    return this;
  }

  /**
   * A gateway of {@code wave} in {@code phase} since an hour ago, with a baseline, its label on
   * {@code selects}; its facts as a namespace's of {@link #ns}.
   */
  OneTick gateway(GatewayRef gateway, String wave, TargetPhase phase, String selects) {
    ns(gateway.key(), wave, phase);
    recordedGateways.put(gateway.key(), recorded.remove(gateway.key()));
    gatewayFacts.put(
        gateway.key(), new Observed.GatewayFacts(facts.remove(gateway.key()), selects, null));
    return this;
  }

  OneTick gatewayFacts(GatewayRef gateway, Observed.GatewayFacts f) {
    gatewayFacts.put(gateway.key(), f);
    return this;
  }

  OneTick facts(String name, Observed.TargetFacts f) {
    facts.put(name, f);
    return this;
  }

  TickInput input() {
    MigrationStatus status =
        MigrationStatus.initial()
            .withNamespaces(List.copyOf(recorded.values()))
            .withGateways(List.copyOf(recordedGateways.values()))
            .withAlerts(alerts);
    Observed observed =
        new Observed(
            toAvailable,
            fromAvailable,
            Map.of(),
            facts,
            Set.of(),
            tags,
            Set.of(),
            Map.of(),
            gatewayFacts);
    return new TickInput(
        "istio-1-20", 1, spec, status, observed, gate, windowOpen, approved, aborted, NOW);
  }

  TickContext context() {
    TickContext tick = new TickContext(input());
    tick.seed();
    return tick;
  }

  /**
   * Phases a namespace reaches only once all on the target (where it stays unless facts say not).
   */
  static boolean wasOnTarget(TargetPhase phase) {
    return phase == TargetPhase.Soaking
        || phase == TargetPhase.Held
        || phase == TargetPhase.Stalled
        || phase == TargetPhase.Promoted;
  }
}

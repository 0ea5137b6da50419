package io.meshgate.migration;

import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the pieces of one tick share: its input, the working copy of every namespace, and what the
 * tick decided so far (actions, transitions, holds); with the small moves all of them make.
 */
final class TickContext {
  final TickInput in;
  final MigrationSpec spec;
  final Map<String, NamespaceState> namespaces = new LinkedHashMap<>();
  final List<Action> actions = new ArrayList<>();
  final List<Decision.Transition> transitions = new ArrayList<>();
  final List<Decision.Hold> holds = new ArrayList<>();

  TickContext(TickInput in) {
    this.in = in;
    this.spec = in.spec();
  }

  /** Every namespace of every wave gets a status entry, in wave order; first wave wins. */
  void seed() {
    Map<String, NamespaceStatus> recorded = new LinkedHashMap<>();
    in.status().namespaces().forEach(s -> recorded.put(s.name(), s));
    for (MigrationSpec.Wave wave : spec.waves()) {
      List<String> members = new ArrayList<>(wave.namespaces());
      in.observed().selected().getOrDefault(wave.name(), List.of()).stream()
          .sorted()
          .forEach(members::add);
      for (String name : members) {
        if (!namespaces.containsKey(name)) {
          namespaces.put(
              name,
              new NamespaceState(
                  recorded.getOrDefault(name, NamespaceStatus.pending(name, wave.name()))));
        }
      }
    }
    // namespaces that left a selector keep their history and are still finished properly
    recorded.forEach((name, s) -> namespaces.putIfAbsent(name, new NamespaceState(s)));
  }

  List<NamespaceState> all() {
    return List.copyOf(namespaces.values());
  }

  MigrationSpec.Wave wave(String name) {
    return spec.waves().stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
  }

  Observed.NamespaceFacts facts(NamespaceState ns) {
    if (!spec.dryRun()) {
      return in.observed().facts(ns.name);
    }
    // dry run changes nothing, so what the actions would have done is taken as done
    boolean forward = ns.phase != NamespacePhase.RollingBack && ns.phase != NamespacePhase.Pending;
    return new Observed.NamespaceFacts(
        in.observed().facts(ns.name).exists(), forward, 0, 0, 0, false, Map.of());
  }

  /** Where the namespace's sidecars must go in its phase. */
  SidecarGoal goal(NamespaceState ns) {
    return SidecarGoal.of(ns.phase, spec.toRevision());
  }

  /**
   * Whether the restart action has work: a rollout not complete (OnDelete pods are replaced one by
   * one, tick after tick), or unmanaged pods to evict.
   */
  boolean needsRestart(Observed.NamespaceFacts facts) {
    return !facts.rolloutComplete()
        || (spec.restart().evictUnmanaged() && !facts.unmanagedPods().isEmpty());
  }

  /** Alerts naming the namespace, or (while it is on the target) the target revision. */
  List<AlertRecord> alerts(NamespaceState ns) {
    boolean onTarget = ns.phase.isInFlight();
    return in.status().alerts().stream()
        .filter(
            a ->
                ns.name.equals(a.namespace())
                    || (onTarget
                        && a.namespace() == null
                        && spec.toRevision().equals(a.revision())))
        .toList();
  }

  boolean holdAlert(NamespaceState ns) {
    return alerts(ns).stream().anyMatch(a -> a.action() == AlertAction.HOLD);
  }

  Duration elapsed(NamespaceState ns) {
    return ns.phaseSince == null ? Duration.ZERO : Duration.between(ns.phaseSince, in.now());
  }

  boolean revisionsAvailable() {
    return spec.dryRun()
        || (in.observed().toRevisionAvailable() && in.observed().fromRevisionAvailable());
  }

  Cause revisionUnavailable() {
    List<String> missing = new ArrayList<>();
    if (!in.observed().toRevisionAvailable()) {
      missing.add("target revision " + spec.toRevision());
    }
    if (!in.observed().fromRevisionAvailable()) {
      missing.add("rollback revision " + spec.fromRevision());
    }
    return new Cause(
        Reason.REVISION_UNAVAILABLE,
        "istiod of "
            + String.join(" and ", missing)
            + " is not Available (or its injector webhook is missing)");
  }

  long rollbacks() {
    return namespaces.values().stream()
        .filter(n -> n.phase == NamespacePhase.RollingBack || n.phase == NamespacePhase.RolledBack)
        .count();
  }

  /** maxRollbacks 0 disables the brake. */
  boolean brakeEngaged() {
    return spec.maxRollbacks() > 0 && rollbacks() >= spec.maxRollbacks();
  }

  void move(NamespaceState ns, NamespacePhase to, Reason reason, String message) {
    Transitions.check(ns.name, ns.phase, to);
    transitions.add(new Decision.Transition(ns.name, ns.phase, to, reason, message));
    ns.phase = to;
    ns.phaseSince = in.now();
    if (to == NamespacePhase.Soaking || to == NamespacePhase.Verifying) {
      ns.passStreak = 0;
    }
    if (to.isTerminal()) {
      // counts of a namespace no longer judged; the verdict keeps why it ended
      ns.failureStreaks = Map.of();
      ns.noDataStreak = 0;
    }
  }

  /** A hold that needs attention; said once when it begins or its reason changes. */
  void hold(NamespaceState ns, Cause cause) {
    hold(ns, cause, cause.message());
  }

  /** As {@link #hold(NamespaceState, Cause)}, the verdict showing {@code verdictText}. */
  void hold(NamespaceState ns, Cause cause, String verdictText) {
    NamespaceStatus.Verdict before = ns.lastVerdict;
    verdict(ns, Verdict.HOLD, verdictText);
    if (before != ns.lastVerdict) {
      holds.add(new Decision.Hold(ns.name, cause.reason(), cause.message()));
    }
  }

  /** The verdict is re-stamped only when it changes, so an idle tick writes nothing. */
  void verdict(NamespaceState ns, Verdict verdict, String reason) {
    NamespaceStatus.Verdict last = ns.lastVerdict;
    if (last == null || last.verdict() != verdict || !Objects.equals(last.reason(), reason)) {
      ns.lastVerdict = new NamespaceStatus.Verdict(verdict, reason, in.now());
    }
  }

  static String minutes(Duration d) {
    if (d.toSeconds() < 120) {
      return d.toSeconds() + "s";
    }
    return d.toMinutes() + "m";
  }
}

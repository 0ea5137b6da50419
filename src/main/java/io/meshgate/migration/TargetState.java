package io.meshgate.migration;

import java.time.Instant;
import java.util.Map;

/**
 * The working copy of one target's status during a tick (a namespace now); the pieces of the
 * machine edit it. {@code kind} says how a target of its kind is moved and sent back.
 */
final class TargetState {
  final TargetKind kind;
  final String name;
  final String wave;
  TargetPhase phase;
  Instant phaseSince;
  Map<String, Double> baseline;
  Map<String, String> baselineNotes;
  TargetStatus.Verdict lastVerdict;
  Map<String, Integer> failureStreaks;
  int passStreak;
  int noDataStreak;
  TargetStatus.Proxies proxies;
  String restartId;
  Instant onTargetAt;

  TargetState(TargetStatus s, TargetKind kind) {
    this.kind = kind;
    name = s.name();
    wave = s.wave();
    phase = s.phase();
    phaseSince = s.phaseSince();
    baseline = s.baseline();
    baselineNotes = s.baselineNotes();
    lastVerdict = s.lastVerdict();
    failureStreaks = s.failureStreaks();
    passStreak = s.passStreak();
    noDataStreak = s.noDataStreak();
    proxies = s.proxies();
    restartId = s.restartId();
    onTargetAt = s.onTargetAt();
  }

  /**
   * Halted: it would have been sent back but its kind has no way back (an in-place upgrade), so it
   * stays Held with the ROLLBACK verdict until people act (see {@link TargetKind#noWayBack}).
   */
  boolean halted() {
    return phase == TargetPhase.Held
        && lastVerdict != null
        && lastVerdict.verdict() == io.meshgate.gate.Verdict.ROLLBACK;
  }

  TargetStatus toStatus() {
    return new TargetStatus(
        name,
        wave,
        phase,
        phaseSince,
        baseline,
        baselineNotes,
        lastVerdict,
        failureStreaks,
        passStreak,
        noDataStreak,
        proxies,
        restartId,
        onTargetAt);
  }
}

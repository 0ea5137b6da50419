package io.meshgate.migration;

import java.time.Instant;
import java.util.Map;

/** The working copy of one namespace's status during a tick; the pieces of the machine edit it. */
final class NamespaceState {
  final String name;
  final String wave;
  NamespacePhase phase;
  Instant phaseSince;
  Map<String, Double> baseline;
  Map<String, String> baselineNotes;
  NamespaceStatus.Verdict lastVerdict;
  Map<String, Integer> failureStreaks;
  int passStreak;
  int noDataStreak;
  NamespaceStatus.Proxies proxies;
  String restartId;
  Instant onTargetAt;

  NamespaceState(NamespaceStatus s) {
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

  NamespaceStatus toStatus() {
    return new NamespaceStatus(
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

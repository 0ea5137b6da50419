package io.meshgate.migration;

import java.time.Instant;
import java.util.Map;

/**
 * Everything the controller knows about one namespace of a migration, persisted in the CR status so
 * that a restarted or failed-over daemon resumes exactly where the last one stopped.
 *
 * @param failureStreaks consecutive failing ticks per rule (reset by any other result)
 * @param passStreak consecutive ticks on which every rule passed
 * @param noDataStreak consecutive ticks with no data for at least one rule
 * @param phaseSince when the namespace entered its phase (rollout timeout, soak)
 * @param baseline values of the namespace-scoped rules just before the flip; null until captured
 *     (an empty map means captured, without data)
 */
public record NamespaceStatus(
    String name,
    String wave,
    NamespacePhase phase,
    Instant phaseSince,
    Map<String, Double> baseline,
    Verdict lastVerdict,
    Map<String, Integer> failureStreaks,
    int passStreak,
    int noDataStreak,
    Proxies proxies,
    String restartId) {

  public NamespaceStatus {
    baseline = baseline == null ? null : Map.copyOf(baseline);
    failureStreaks = failureStreaks == null ? Map.of() : Map.copyOf(failureStreaks);
  }

  public static NamespaceStatus pending(String name, String wave) {
    return new NamespaceStatus(
        name, wave, NamespacePhase.Pending, null, null, null, Map.of(), 0, 0, null, null);
  }

  public NamespaceStatus withBaseline(Map<String, Double> newBaseline) {
    return new NamespaceStatus(
        name,
        wave,
        phase,
        phaseSince,
        newBaseline,
        lastVerdict,
        failureStreaks,
        passStreak,
        noDataStreak,
        proxies,
        restartId);
  }

  /** The last decision for the namespace: PROMOTE, HOLD or ROLLBACK, with its reason. */
  public record Verdict(String verdict, String reason, Instant at) {}

  /** Sidecars on the target revision and on any other. */
  public record Proxies(int target, int other) {}
}

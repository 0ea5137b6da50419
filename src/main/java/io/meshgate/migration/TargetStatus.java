package io.meshgate.migration;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the controller knows about one target of a migration (an entry of {@code
 * status.namespaces[]} now; of gateways and nodes later, in the same shape), persisted in the CR
 * status so that a restarted or failed-over daemon resumes exactly where the last one stopped.
 *
 * @param failureStreaks consecutive failing ticks per rule (reset by any other result)
 * @param passStreak consecutive ticks on which every rule passed
 * @param noDataStreak consecutive ticks with no data for at least one rule
 * @param phaseSince when the namespace entered its phase (rollout timeout, soak)
 * @param baseline values of the namespace-scoped rules just before the flip; null until captured
 *     (an empty map means captured, without data); a rule's value is null when it was not a finite
 *     number
 * @param baselineNotes why a rule's baseline is null
 * @param onTargetAt when the namespace's rollouts were complete and its every proxy on the revision
 *     it is moving to (the target; {@code fromRevision} once rolled back); null while not, cleared
 *     when a proxy leaves it. Its namespace-scoped rules look no further back.
 */
public record TargetStatus(
    String name,
    String wave,
    TargetPhase phase,
    Instant phaseSince,
    Map<String, Double> baseline,
    Map<String, String> baselineNotes,
    Verdict lastVerdict,
    Map<String, Integer> failureStreaks,
    int passStreak,
    int noDataStreak,
    Proxies proxies,
    String restartId,
    Instant onTargetAt) {

  public TargetStatus {
    // values may be null (not finite), which Map.copyOf refuses
    baseline = baseline == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(baseline));
    baselineNotes = baselineNotes == null ? Map.of() : Map.copyOf(baselineNotes);
    failureStreaks = failureStreaks == null ? Map.of() : Map.copyOf(failureStreaks);
  }

  public static TargetStatus pending(String name, String wave) {
    return new TargetStatus(
        name,
        wave,
        TargetPhase.Pending,
        null,
        null,
        Map.of(),
        null,
        Map.of(),
        0,
        0,
        null,
        null,
        null);
  }

  public TargetStatus withBaseline(Map<String, Double> newBaseline, Map<String, String> notes) {
    return new TargetStatus(
        name,
        wave,
        phase,
        phaseSince,
        newBaseline,
        notes,
        lastVerdict,
        failureStreaks,
        passStreak,
        noDataStreak,
        proxies,
        restartId,
        onTargetAt);
  }

  /** The last decision for the namespace: PROMOTE, HOLD or ROLLBACK, with its reason. */
  public record Verdict(io.meshgate.gate.Verdict verdict, String reason, Instant at) {}

  /**
   * Sidecars on the target revision and on any other, pods of Jobs left out; {@code jobs}: sidecars
   * of Job pods on another revision than the target, not waited for (their next run takes the new
   * one).
   */
  public record Proxies(int target, int other, int jobs) {
    public Proxies(int target, int other) {
      this(target, other, 0);
    }
  }
}

package io.meshgate.migration;

import io.meshgate.gate.RuleResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one decision is made from. Time is an input: the machine never reads a clock.
 *
 * @param gate rule results of this tick for the namespaces that were evaluated (others absent)
 * @param windowOpen whether the maintenance window (if any) is open now
 * @param approvedWaves waves approved through {@code meshgate.io/approve}
 * @param aborted {@code meshgate.io/abort: "true"} is set
 */
public record TickInput(
    String migration,
    long generation,
    MigrationSpec spec,
    MigrationStatus status,
    Observed observed,
    Map<String, List<RuleResult>> gate,
    boolean windowOpen,
    Set<String> approvedWaves,
    boolean aborted,
    Instant now) {

  public TickInput {
    gate = Map.copyOf(gate);
    approvedWaves = Set.copyOf(approvedWaves);
  }

  public TickInput withObserved(Observed newObserved) {
    return new TickInput(
        migration,
        generation,
        spec,
        status,
        newObserved,
        gate,
        windowOpen,
        approvedWaves,
        aborted,
        now);
  }
}

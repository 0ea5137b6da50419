package io.meshgate.migration;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Since when each target's evidence runs, for the gate of this tick: its recorded {@code
 * onTargetAt}, unless a proxy has left the target since (the machine clears it this tick, and no
 * result of the tick may rest on the time before). Absent: no evidence yet.
 *
 * <pre>{@code
 * Map<String, Instant> since = EvidenceSince.of(spec, status, observed, revisions.to());
 * gate.evaluate(spec, gated, since, cohort, baselines, now);
 * }</pre>
 */
public final class EvidenceSince {
  private EvidenceSince() {}

  public static Map<String, Instant> of(
      MigrationSpec spec, MigrationStatus status, Observed observed, String target) {
    Map<String, Instant> since = new HashMap<>();
    for (TargetStatus ns : status.targets()) {
      // a dry run moves nothing: the machine takes its steps as done, and so does this
      if (ns.onTargetAt() != null
          && (spec.dryRun() || observed.target(ns.name()).proxies(target).other() == 0)) {
        since.put(ns.name(), ns.onTargetAt());
      }
    }
    return since;
  }
}

package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One PromQL query of a tick: all parts a rule needs (value, volume guard, control group) for the
 * listed targets over one {@code window}, combined into a single expression whose series carry a
 * {@value GatePlan#PART_LABEL} label telling the parts apart. A namespace-scoped rule's query
 * judges {@code namespaces}, a gateway-, waypoint- or node-scoped rule's {@code workloads}, a
 * revision-scoped rule's every target. {@code rule} is the rule as its answer is read: a waypoint
 * rule's {@code groupBy} placeholders filled in with the target's labels. A template that cannot be
 * rendered here (e.g. {{fromRevision}} without a from revision) yields a query with a {@code
 * problem} instead; targets without an evidence window yet get one that is not sent, {@code
 * waiting} saying why.
 */
public record PlannedQuery(
    Rule rule,
    List<String> namespaces,
    List<Workload> workloads,
    String promql,
    Instant time,
    Kind kind,
    String problem,
    Duration window,
    String waiting) {

  /** A query of the tick itself, or of the baseline captured before a flip. */
  public enum Kind {
    TICK,
    BASELINE
  }

  public PlannedQuery {
    namespaces = List.copyOf(namespaces);
    workloads = List.copyOf(workloads);
  }

  /** A query that cannot be sent: {@code problem} says why, and the rule's result is ERROR. */
  public boolean isSendable() {
    return problem == null && waiting == null;
  }

  /** Whether the window of the query is shorter than the rule's: evidence since a rollout. */
  public boolean isClipped() {
    return window != null && window.compareTo(rule.window()) < 0;
  }
}

package io.meshgate.migration;

import io.meshgate.gate.Gate;
import io.meshgate.gate.NamespaceVerdict;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Consecutive results per namespace: failures per rule, passes of every rule, ticks without data;
 * and what they mean: a critical rule's failure streak at {@code failureLimit} is a breach, and
 * anything short of every rule passing is a reason to hold.
 */
final class Streaks {
  private Streaks() {}

  /**
   * Where counting stops: a streak that reached what it is compared with means the same one tick
   * later, and a count that stops leaves the status as it was, so a namespace that soaks or is held
   * for hours causes no status write per tick.
   */
  record Caps(int failures, int passes, int noData) {
    static Caps of(MigrationSpec spec) {
      return new Caps(spec.failureLimit(), spec.passStreak(), spec.noDataLimit());
    }
  }

  /**
   * Counts one tick's results into the namespace's streaks (any other result resets a streak), each
   * up to its cap.
   */
  static void count(TargetState ns, List<RuleResult> results, Caps caps) {
    Map<String, Integer> streaks = new TreeMap<>();
    for (RuleResult r : results) {
      if (r.result() == Result.FAIL) {
        streaks.put(
            r.rule(), Math.min(ns.failureStreaks.getOrDefault(r.rule(), 0) + 1, caps.failures()));
      }
    }
    ns.failureStreaks = streaks;
    boolean allPass =
        !results.isEmpty() && results.stream().allMatch(r -> r.result() == Result.PASS);
    ns.passStreak = allPass ? Math.min(ns.passStreak + 1, caps.passes()) : 0;
    // waiting for the evidence window after a rollout is no lack of data: it does not stall
    ns.noDataStreak =
        results.stream().anyMatch(r -> r.result() == Result.NO_DATA && !r.isWaitingForWindow())
            ? Math.min(ns.noDataStreak + 1, caps.noData())
            : 0;
  }

  /** The first critical rule whose failure streak reached {@code failureLimit}, or null. */
  static Cause breach(TargetState ns, List<RuleResult> results, int failureLimit) {
    if (results == null) {
      return null;
    }
    for (RuleResult r : results) {
      if (r.severity() == Severity.CRITICAL
          && ns.failureStreaks.getOrDefault(r.rule(), 0) >= failureLimit) {
        return new Cause(
            Reason.THRESHOLD_EXCEEDED,
            "critical rule "
                + r.rule()
                + " failed "
                + ns.failureStreaks.get(r.rule())
                + " consecutive ticks: "
                + r.message());
      }
    }
    return null;
  }

  /**
   * Why the gate holds the namespace this tick, or null when every rule passed; null results (not
   * evaluated) hold with no reason to tell anyone.
   */
  static Cause gateHold(TargetState ns, List<RuleResult> results, int failureLimit) {
    NamespaceVerdict single = Gate.decide(ns.name, results);
    if (single.verdict() == Verdict.PROMOTE) {
      return null;
    }
    if (single.verdict() == Verdict.ROLLBACK) {
      return new Cause(
          Reason.THRESHOLD_EXCEEDED,
          results.stream()
              .filter(RuleResult::isCriticalFailure)
              .map(
                  r ->
                      "critical rule "
                          + r.rule()
                          + " failed ("
                          + ns.failureStreaks.getOrDefault(r.rule(), 0)
                          + "/"
                          + failureLimit
                          + " consecutive): "
                          + r.message())
              .collect(Collectors.joining("; ")));
    }
    return new Cause(holdReason(results), single.reason());
  }

  /**
   * The reason of the first cause the gate's verdict names: errors, then failures, then no data
   * ({@code WindowTooShort} when every rule without data waits for its evidence window).
   */
  private static Reason holdReason(List<RuleResult> results) {
    for (Result kind : List.of(Result.ERROR, Result.FAIL, Result.HOLD, Result.NO_DATA)) {
      for (RuleResult r : results) {
        if (r.result() == kind) {
          return switch (kind) {
            case ERROR -> errorReason(r.reason());
            case FAIL -> Reason.THRESHOLD_EXCEEDED;
            case HOLD -> Reason.GLOBAL_DEGRADATION;
            default ->
                results.stream()
                        .filter(n -> n.result() == Result.NO_DATA)
                        .allMatch(RuleResult::isWaitingForWindow)
                    ? Reason.WINDOW_TOO_SHORT
                    : Reason.NO_DATA;
          };
        }
      }
    }
    return Reason.NO_RULES;
  }

  private static Reason errorReason(String token) {
    if (Reason.PROMETHEUS_UNAVAILABLE.token().equals(token)) {
      return Reason.PROMETHEUS_UNAVAILABLE;
    }
    return Reason.PARTIAL_RESPONSE.token().equals(token)
        ? Reason.PARTIAL_RESPONSE
        : Reason.QUERY_FAILED;
  }
}

package io.meshgate.gate;

import java.time.Duration;

/**
 * One rule's result for one namespace at one tick, with everything a person needs to see why: the
 * value, the bound it was held against, the baseline, the resolved PromQL and a message. {@code
 * reason} is a CamelCase token ({@code ThresholdExceeded}, {@code NoData}, ...). {@code cohort}:
 * the control cohort's value at the same tick, when the rule compares with one and one had volume.
 * {@code window}: the range the result was measured over (a namespace-scoped rule's is clipped to
 * the time since the namespace's rollout); null where not measured over one (a scripted result).
 */
public record RuleResult(
    String rule,
    Severity severity,
    Result result,
    Double value,
    Double bound,
    Double baseline,
    String query,
    String reason,
    String message,
    Double cohort,
    Duration window) {

  /** A result of a rule judged without a cohort. */
  public RuleResult(
      String rule,
      Severity severity,
      Result result,
      Double value,
      Double bound,
      Double baseline,
      String query,
      String reason,
      String message) {
    this(rule, severity, result, value, bound, baseline, query, reason, message, null, null);
  }

  /** A result compared with a cohort, its window not recorded. */
  public RuleResult(
      String rule,
      Severity severity,
      Result result,
      Double value,
      Double bound,
      Double baseline,
      String query,
      String reason,
      String message,
      Double cohort) {
    this(rule, severity, result, value, bound, baseline, query, reason, message, cohort, null);
  }

  /** The same result, said with {@code newMessage}. */
  public RuleResult withMessage(String newMessage) {
    return new RuleResult(
        rule, severity, result, value, bound, baseline, query, reason, newMessage, cohort, window);
  }

  /** The same result, measured over {@code range}. */
  public RuleResult withWindow(Duration range) {
    return new RuleResult(
        rule, severity, result, value, bound, baseline, query, reason, message, cohort, range);
  }

  /** Whether this result waits for its evidence window (not a lack of data in Prometheus). */
  public boolean isWaitingForWindow() {
    return result == Result.NO_DATA && EvidenceWindows.REASON.equals(reason);
  }

  /** The same result, compared with a cohort measured at {@code cohortValue}. */
  public RuleResult withCohort(
      Result newResult, String newReason, String newMessage, Double cohortValue) {
    return new RuleResult(
        rule,
        severity,
        newResult,
        value,
        bound,
        baseline,
        query,
        newReason,
        newMessage,
        cohortValue,
        window);
  }

  public boolean isCriticalFailure() {
    return result == Result.FAIL && severity == Severity.CRITICAL;
  }
}

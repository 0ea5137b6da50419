package io.meshgate.gate;

/**
 * One rule's result for one namespace at one tick, with everything a person needs to see why: the
 * value, the bound it was held against, the baseline, the resolved PromQL and a message. {@code
 * reason} is a CamelCase token ({@code ThresholdExceeded}, {@code NoData}, ...). {@code cohort}:
 * the control cohort's value at the same tick, when the rule compares with one and one had volume.
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
    Double cohort) {

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
    this(rule, severity, result, value, bound, baseline, query, reason, message, null);
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
        cohortValue);
  }

  public boolean isCriticalFailure() {
    return result == Result.FAIL && severity == Severity.CRITICAL;
  }
}

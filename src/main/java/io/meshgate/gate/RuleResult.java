package io.meshgate.gate;

/**
 * One rule's result for one namespace at one tick, with everything a person needs to see why: the
 * value, the bound it was held against, the baseline, the resolved PromQL and a message. {@code
 * reason} is a CamelCase token ({@code ThresholdExceeded}, {@code NoData}, ...).
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
    String message) {

  public boolean isCriticalFailure() {
    return result == Result.FAIL && severity == Severity.CRITICAL;
  }
}

package io.meshgate.gate;

/**
 * The outcome kind of one rule for one namespace at one tick. {@code HOLD}: the namespace breached
 * a bound, but the control cohort degraded as much (reason {@code GlobalDegradation}): a bad day,
 * not a bad revision; it neither counts as a failure nor passes.
 */
public enum Result {
  PASS,
  FAIL,
  HOLD,
  NO_DATA,
  ERROR
}

package io.meshgate.gate;

/**
 * Whether a namespace-scoped rule compares a failing namespace with the control cohort (the
 * namespaces still on the revision it comes from, measured in the same query): {@code AUTO} by
 * default, {@code OFF} to judge each namespace on its own bounds and baseline only.
 */
public enum CohortMode {
  AUTO,
  OFF
}

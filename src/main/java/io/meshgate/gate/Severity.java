package io.meshgate.gate;

/** A failing critical rule rolls back (after its streak); a failing warning rule holds. */
public enum Severity {
  CRITICAL,
  WARNING
}

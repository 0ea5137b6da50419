package io.meshgate.gate;

/** The outcome kind of one rule for one namespace at one tick. */
public enum Result {
  PASS,
  FAIL,
  NO_DATA,
  ERROR
}

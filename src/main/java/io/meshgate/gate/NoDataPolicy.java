package io.meshgate.gate;

/** What a rule's missing data turns into. Holding is the default: never promote on silence. */
public enum NoDataPolicy {
  HOLD,
  PASS,
  FAIL
}

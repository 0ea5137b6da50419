package io.meshgate.gate;

/** What one value of a rule describes: a migrating namespace, or a control-plane revision. */
public enum Scope {
  NAMESPACE,
  REVISION
}

package io.meshgate.migration;

/** A phase of a namespace or of a whole migration, as transitions carry them. */
public sealed interface Phase permits TargetPhase, MigrationPhase {
  String name();

  /** Entering this phase asks for attention: a Warning Event, a louder log line. */
  boolean needsAttention();
}

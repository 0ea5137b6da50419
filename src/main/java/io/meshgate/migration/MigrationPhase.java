package io.meshgate.migration;

/** Where a whole RevisionMigration is (DESIGN.md section 4). */
public enum MigrationPhase implements Phase {
  Pending,
  Progressing,
  Paused,
  AwaitingApproval,
  Succeeded,
  Failed;

  public boolean isTerminal() {
    return this == Succeeded || this == Failed;
  }

  @Override
  public boolean needsAttention() {
    return this == Failed || this == Paused;
  }
}

package io.meshgate.migration;

/**
 * Where one target (a namespace now) is in its move to the target revision (DESIGN.md section 4):
 * every kind of target goes through the same phases.
 */
public enum TargetPhase implements Phase {
  /** Not started. */
  Pending,
  /** Baseline captured; the label flip is being made. */
  Migrating,
  /** Label flipped; workloads are being restarted and rolled out. */
  Restarting,
  /** Rolled out; waiting for every sidecar to run the target revision. */
  Verifying,
  /** Every sidecar on the target; gate ticks counting towards the pass streak and soak. */
  Soaking,
  /** Healthy on the target revision. Terminal. */
  Promoted,
  /** Previous labels restored; workloads being restarted back onto the old revision. */
  RollingBack,
  /** Back on the old revision and verified. Terminal. */
  RolledBack,
  /** Stopped by a failure with onFailure: Hold or by a hold alert; waits for it to clear. */
  Held,
  /** No data for noDataLimit ticks; waits for data. */
  Stalled,
  /** The namespace does not exist (never created, or deleted); its wave goes on. Terminal. */
  Skipped;

  public boolean isTerminal() {
    return this == Promoted || this == RolledBack || this == Skipped;
  }

  @Override
  public boolean needsAttention() {
    return this == RollingBack || this == Stalled || this == Skipped;
  }

  /** Nothing more to do here for the wave: promoted or skipped. */
  public boolean isDone() {
    return this == Promoted || this == Skipped;
  }

  /** A namespace whose label points at the target revision and that may still roll back. */
  public boolean isInFlight() {
    return this != Pending && !isTerminal();
  }
}

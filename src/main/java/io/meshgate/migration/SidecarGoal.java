package io.meshgate.migration;

/**
 * Where a namespace's sidecars must go: onto the target revision (the way forward), or off it (a
 * rollback, back to whatever the restored labels inject). A pod whose sidecar is not there yet is
 * stale: it has to be recreated. Pods without a sidecar are never stale.
 */
public record SidecarGoal(String revision, boolean onto) {
  public static SidecarGoal onto(String revision) {
    return new SidecarGoal(revision, true);
  }

  public static SidecarGoal offOf(String revision) {
    return new SidecarGoal(revision, false);
  }

  /** For a namespace of a migration to {@code toRevision} in {@code phase}. */
  public static SidecarGoal of(TargetPhase phase, String toRevision) {
    return phase == TargetPhase.RollingBack || phase == TargetPhase.RolledBack
        ? offOf(toRevision)
        : onto(toRevision);
  }

  /** Whether a pod whose sidecar runs {@code sidecarRevision} (null: none) must be recreated. */
  public boolean stale(String sidecarRevision) {
    return sidecarRevision != null && onto != revision.equals(sidecarRevision);
  }
}

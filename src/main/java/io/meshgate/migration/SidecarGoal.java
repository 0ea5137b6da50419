package io.meshgate.migration;

import java.util.Objects;

/**
 * Where a namespace's sidecars must go: onto the target revision (the way forward), or off it (a
 * rollback, back to whatever the restored labels inject). A pod whose sidecar is not there yet is
 * stale: it has to be recreated. Pods without a sidecar are never stale.
 *
 * <p>With {@code image} (an in-place upgrade, {@code mode: Restart}) {@code revision} is not a
 * revision but the {@code istio-proxy} image newly injected pods get, and the census counts
 * sidecars by their image (null: the image is not known).
 */
public record SidecarGoal(String revision, boolean onto, boolean image) {
  public SidecarGoal(String revision, boolean onto) {
    this(revision, onto, false);
  }

  public static SidecarGoal onto(String revision) {
    return new SidecarGoal(revision, true);
  }

  public static SidecarGoal offOf(String revision) {
    return new SidecarGoal(revision, false);
  }

  /** Onto the {@code istio-proxy} image {@code image}, the census counting images. */
  public static SidecarGoal ontoImage(String image) {
    return new SidecarGoal(image, true, true);
  }

  /** For a namespace of a migration to {@code toRevision} in {@code phase}. */
  public static SidecarGoal of(TargetPhase phase, String toRevision) {
    return phase == TargetPhase.RollingBack || phase == TargetPhase.RolledBack
        ? offOf(toRevision)
        : onto(toRevision);
  }

  /**
   * Whether a pod whose sidecar runs {@code sidecarRevision} (its image with {@link #image}; null:
   * none) must be recreated.
   */
  public boolean stale(String sidecarRevision) {
    return sidecarRevision != null && onto != Objects.equals(revision, sidecarRevision);
  }
}

package io.meshgate.migration;

/** What the machine asks the controller to do in the cluster; every action is idempotent. */
public sealed interface Action {
  String namespace();

  /** Evaluate the namespace-scoped rules over the baseline window ending now; store the values. */
  record CaptureBaseline(String namespace) implements Action {}

  /** Label the namespace for the target revision, keeping its previous labels in an annotation. */
  record Flip(String namespace) implements Action {}

  /**
   * Restart (paced) the namespace's workloads not yet carrying {@code restartId}, and replace the
   * pods their controllers will not until none is stale for {@code goal}.
   */
  record Restart(String namespace, String restartId, SidecarGoal goal) implements Action {}

  /** Put back exactly the labels the namespace had before the flip. */
  record RestoreLabels(String namespace) implements Action {}

  /**
   * Tag mode's rollback of one namespace: label it {@code istio.io/rev=<label>} ({@code pinTo}, or
   * the old revision), keeping its previous labels in an annotation, so that it leaves the moved
   * tag.
   */
  record Pin(String namespace, String label) implements Action {}

  /**
   * Point tag {@code tag} at {@code revision}, as {@code istioctl tag set --overwrite} does; the
   * webhook records which migration moved it, and that it was on {@code previousRevision}.
   */
  record MoveTag(String tag, String revision, String previousRevision) implements Action {
    @Override
    public String namespace() {
      return null;
    }
  }
}

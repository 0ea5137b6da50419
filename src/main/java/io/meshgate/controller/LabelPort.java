package io.meshgate.controller;

/**
 * The namespace labels that choose a namespace's injector. Writes are idempotent, so a controller
 * killed between any two calls resumes correctly; a write the API server refuses throws {@link
 * ClusterWriteException}.
 */
public interface LabelPort {
  /**
   * Labels {@code namespace} for {@code toRevision}, keeping its previous labels in an annotation.
   */
  void flip(String migration, String namespace, String toRevision);

  /** Puts back exactly the labels recorded by the flip. */
  void restoreLabels(String namespace);
}

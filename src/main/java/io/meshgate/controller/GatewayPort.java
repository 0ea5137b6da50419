package io.meshgate.controller;

import io.meshgate.migration.GatewayRef;

/**
 * The {@code istio.io/rev} label of a gateway (an injected gateway's pod template, a Gateway API
 * Gateway's own labels) and the restart of an injected one. Idempotent, so a controller killed
 * between any two calls resumes correctly; a write the API server refuses throws {@link
 * ClusterWriteException}.
 */
public interface GatewayPort {
  /**
   * Labels the gateway {@code istio.io/rev=<label>}, keeping its previous labels in an annotation
   * on it; an injected gateway's template gets {@code restartId} (when not null) in the same patch.
   */
  void flip(String migration, GatewayRef gateway, String label, String restartId);

  /** Puts back exactly the labels recorded by the flip (with {@code restartId}, as the flip). */
  void restore(GatewayRef gateway, String restartId);

  /**
   * Restarts an injected gateway as {@code kubectl rollout restart} does, unless its template
   * carries {@code restartId} already.
   */
  void restart(String migration, GatewayRef gateway, String restartId);
}

package io.meshgate.controller;

/**
 * Revision tags, in tag mode. The write is idempotent; a write the API server refuses throws {@link
 * ClusterWriteException}.
 */
public interface TagPort {
  /**
   * Points revision tag {@code tag} at {@code revision} as {@code istioctl tag set --overwrite}
   * does (its {@code istio.io/rev} label, its webhooks' {@code clientConfig} from the revision's
   * own injector webhook), recording on it that {@code migration} moved it from {@code
   * previousRevision}.
   */
  void moveTag(String migration, String tag, String revision, String previousRevision);
}

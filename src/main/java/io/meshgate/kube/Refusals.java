package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.controller.ClusterWriteException;
import java.util.function.Supplier;

/** fabric8's failures of a write, as the controller's {@link ClusterWriteException}. */
final class Refusals {
  private Refusals() {}

  /** Runs {@code write}; a failure names the action, the request and the server's answer. */
  static <T> T refusedAs(
      String action, String verb, String resource, String object, Supplier<T> write) {
    try {
      return write.get();
    } catch (KubernetesClientException e) {
      throw of(action, verb, resource, object, e);
    }
  }

  static ClusterWriteException of(
      String action, String verb, String resource, String object, KubernetesClientException e) {
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    ClusterWriteException refused =
        new ClusterWriteException(action, verb, resource, object, e.getCode(), message);
    refused.initCause(e);
    return refused;
  }
}

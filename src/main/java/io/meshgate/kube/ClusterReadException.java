package io.meshgate.kube;

/**
 * A read the API server refused or could not answer; the message names what was read, where, and
 * the server's answer (with the grant to add when it was a 403).
 */
public final class ClusterReadException extends RuntimeException {
  public ClusterReadException(String message, Throwable cause) {
    super(message, cause);
  }
}

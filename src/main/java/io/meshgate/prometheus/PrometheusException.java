package io.meshgate.prometheus;

/**
 * A query that failed. {@code reason} is a short token for metrics ({@code unreachable}, {@code
 * timeout}, {@code bad_data}, {@code execution}, {@code http_502}, ...); {@code retryable} tells
 * whether the same query may succeed when sent again.
 */
public final class PrometheusException extends RuntimeException {
  private final String reason;
  private final boolean retryable;

  public PrometheusException(String reason, String message, boolean retryable) {
    super(message);
    this.reason = reason;
    this.retryable = retryable;
  }

  public String reason() {
    return reason;
  }

  public boolean retryable() {
    return retryable;
  }
}

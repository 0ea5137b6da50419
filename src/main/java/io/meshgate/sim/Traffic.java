package io.meshgate.sim;

/**
 * How one simulated namespace's workloads behave: request rate per workload, the share answered
 * with 5xx, and the latency profile (most requests near {@code p50Ms}, about 1.5% near {@code
 * p99Ms}).
 */
public record Traffic(double requestsPerSecond, double errorShare, double p50Ms, double p99Ms) {
  public static final Traffic HEALTHY = new Traffic(40, 0, 20, 80);
  public static final Traffic NONE = new Traffic(0, 0, 20, 80);

  public Traffic {
    if (requestsPerSecond < 0 || errorShare < 0 || errorShare > 1 || p50Ms <= 0 || p99Ms < p50Ms) {
      throw new IllegalArgumentException(
          "traffic needs requestsPerSecond >= 0, errorShare in [0, 1], 0 < p50Ms <= p99Ms; got "
              + this);
    }
  }

  public Traffic withErrorShare(double share) {
    return new Traffic(requestsPerSecond, share, p50Ms, p99Ms);
  }

  public Traffic withLatency(double p50, double p99) {
    return new Traffic(requestsPerSecond, errorShare, p50, p99);
  }

  public Traffic withRequestsPerSecond(double rps) {
    return new Traffic(rps, errorShare, p50Ms, p99Ms);
  }
}

package io.meshgate.sim;

/**
 * How one simulated istiod revision behaves: whether it is up (scrapable), its push convergence p99
 * in seconds, and how many xDS rejects per second its proxies report.
 */
public record ControlPlane(
    boolean up, double convergenceP99Seconds, double rejectsPerSecond, String version) {
  public static ControlPlane healthy(String version) {
    return new ControlPlane(true, 0.4, 0, version);
  }

  public ControlPlane {
    if (convergenceP99Seconds <= 0 || rejectsPerSecond < 0) {
      throw new IllegalArgumentException(
          "control plane needs convergenceP99Seconds > 0 and rejectsPerSecond >= 0; got " + this);
    }
  }

  public ControlPlane withUp(boolean isUp) {
    return new ControlPlane(isUp, convergenceP99Seconds, rejectsPerSecond, version);
  }

  public ControlPlane withConvergenceP99Seconds(double seconds) {
    return new ControlPlane(up, seconds, rejectsPerSecond, version);
  }

  public ControlPlane withRejectsPerSecond(double perSecond) {
    return new ControlPlane(up, convergenceP99Seconds, perSecond, version);
  }
}

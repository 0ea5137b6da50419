package io.meshgate.sim;

import java.util.Arrays;
import java.util.List;

/**
 * What goes wrong in {@code meshgate demo}: a fault that shows only while the victim namespace's
 * sidecars run the target revision, as a regression of the new proxy or control plane would.
 */
public enum DemoScenario {
  ALL_HEALTHY("all-healthy", null, null, "every namespace stays healthy on the new revision"),
  ERROR_SPIKE(
      "error-spike",
      "payments",
      "error-rate",
      "payments answers 25% of its requests with 5xx once its sidecars run the new revision"),
  LATENCY_REGRESSION(
      "latency-regression",
      "payments",
      "p99-latency",
      "payments' p99 latency goes from ~80 ms to ~400 ms on the new revision: under the 1000 ms"
          + " ceiling, over its baseline +50%"),
  XDS_REJECTS(
      "xds-rejects",
      "payments",
      "xds-rejects",
      "the proxies of payments reject configuration pushed by the new istiod");

  private static final double SPIKE_ERROR_SHARE = 0.25;
  private static final double SLOW_P50_MS = 60;
  private static final double SLOW_P99_MS = 400;
  private static final double REJECTS_PER_SECOND = 2;

  private final String id;
  private final String victim;
  private final String rule;
  private final String description;

  DemoScenario(String id, String victim, String rule, String description) {
    this.id = id;
    this.victim = victim;
    this.rule = rule;
    this.description = description;
  }

  public String id() {
    return id;
  }

  /** The namespace that regresses; null when none does. */
  public String victim() {
    return victim;
  }

  /** The rule expected to catch the regression; null when none should fail. */
  public String rule() {
    return rule;
  }

  public String description() {
    return description;
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(DemoScenario::id).toList();
  }

  public static DemoScenario of(String id) {
    return Arrays.stream(values())
        .filter(s -> s.id.equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown scenario \""
                        + id
                        + "\"; expected one of "
                        + String.join(", ", ids())));
  }

  /**
   * Turns the fault on while the victim runs the target revision and off once it is back. {@code
   * healthy} is the victim's traffic before the fault.
   */
  public void apply(MeshSimulator mesh, String targetRevision, Traffic healthy, boolean onTarget) {
    switch (this) {
      case ALL_HEALTHY -> {}
      case ERROR_SPIKE ->
          mesh.updateNamespace(
              victim, t -> t.withErrorShare(onTarget ? SPIKE_ERROR_SHARE : healthy.errorShare()));
      case LATENCY_REGRESSION ->
          mesh.updateNamespace(
              victim,
              t ->
                  onTarget
                      ? t.withLatency(SLOW_P50_MS, SLOW_P99_MS)
                      : t.withLatency(healthy.p50Ms(), healthy.p99Ms()));
      case XDS_REJECTS ->
          mesh.updateRevision(
              targetRevision, c -> c.withRejectsPerSecond(onTarget ? REJECTS_PER_SECOND : 0));
    }
  }
}

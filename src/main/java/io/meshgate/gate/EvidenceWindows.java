package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * How far back a target's evidence may reach (DESIGN.md section 3, "Evidence window"): a
 * namespace-, gateway-, waypoint- or node-scoped rule's {@code {{window}}} clipped to the time
 * since the target was all on the target revision ({@code onTargetAt}, keyed by namespace or by
 * workload key), capped at the rule's window, so that a verdict about the new revision rests only
 * on traffic it served. Pure: the time is the caller's.
 *
 * <p>Clipped windows are rounded down to a grain (the tick interval; a whole number of intervals
 * for a rule whose window spans more than {@value #MAX_CLIPPED} of them), so namespaces whose
 * rollouts finished at different times share few distinct windows and a tick sends at most {@value
 * #MAX_CLIPPED} + 1 queries per rule.
 *
 * <pre>{@code
 * EvidenceWindows windows = EvidenceWindows.since(Map.of("payments", onTargetAt), Duration.ofMinutes(1), interval, "1-20-0");
 * EvidenceWindows.Window w = windows.of(rule, "payments", now); // Open(1m30s) or Waiting("window since rollout 40s < 1m")
 * }</pre>
 */
public final class EvidenceWindows {
  /** The reason token of a result that waits for its evidence window. */
  public static final String REASON = "WindowTooShort";

  public static final Duration DEFAULT_MIN_WINDOW = Duration.ofMinutes(1);

  /**
   * Distinct clipped windows of one rule at most; with the full window, the queries per rule. The
   * shipped rules at the default interval and minimum have 8 (1m, 90s, ... 4m30s): a grid coarser
   * than the interval is needed only for a window of more than 16 intervals.
   */
  public static final int MAX_CLIPPED = 16;

  private static final EvidenceWindows UNCLIPPED = new EvidenceWindows(null, null, null, null);

  private final Map<String, Instant> onTargetAt;
  private final Duration minWindow;
  private final Duration grain;
  private final String target;

  private EvidenceWindows(
      Map<String, Instant> onTargetAt, Duration minWindow, Duration grain, String target) {
    this.onTargetAt = onTargetAt;
    this.minWindow = minWindow;
    this.grain = grain;
    this.target = target;
  }

  /** Every rule over its own window: what {@code evaluate} does without {@code --since}. */
  public static EvidenceWindows unclipped() {
    return UNCLIPPED;
  }

  /**
   * Windows clipped to each target's {@code onTargetAt} (by namespace, or by workload key); a
   * target absent from the map is not all on {@code target} yet and has no evidence.
   *
   * @param grain what clipped windows are rounded down to (the tick interval); at least a second
   */
  public static EvidenceWindows since(
      Map<String, Instant> onTargetAt, Duration minWindow, Duration grain, String target) {
    if (minWindow == null || minWindow.isNegative() || minWindow.isZero()) {
      throw new IllegalArgumentException("minWindow must be positive, got " + minWindow);
    }
    if (grain == null || grain.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("grain must be at least 1s, got " + grain);
    }
    return new EvidenceWindows(Map.copyOf(onTargetAt), minWindow, grain, target);
  }

  /** One target's window for one rule at one time. */
  public sealed interface Window {
    /** Evidence over {@code length}; {@code clipped} when shorter than the rule's window. */
    record Open(Duration length, boolean clipped) implements Window {}

    /** No evidence yet: the result is NO_DATA, saying why. */
    record Waiting(String why) implements Window {}
  }

  /**
   * The window of {@code rule} for the target keyed {@code key} (a namespace, or a workload's key)
   * at {@code now}: the rule's own once the target has been on the new revision that long, a
   * clipped one before, none below the minimum (the rule's window when shorter than {@code
   * minWindow}). A revision-scoped rule keeps its window: istiod serves every target.
   */
  public Window of(Rule rule, String key, Instant now) {
    Duration full = rule.window();
    if (onTargetAt == null || rule.scope() == Scope.REVISION) {
      return new Window.Open(full, false);
    }
    Instant since = onTargetAt.get(key);
    if (since == null) {
      return new Window.Waiting(
          "no window since rollout yet: proxies not all on "
              + target
              + " with every rollout complete");
    }
    Duration elapsed = Duration.ofSeconds(Math.max(0, Duration.between(since, now).toSeconds()));
    if (elapsed.compareTo(full) >= 0) {
      return new Window.Open(full, false);
    }
    Duration threshold = min(minWindow, full);
    if (elapsed.compareTo(threshold) < 0) {
      return new Window.Waiting(
          "window since rollout "
              + Durations.format(elapsed)
              + " < "
              + Durations.format(threshold));
    }
    long step = grain(full, threshold).toSeconds();
    long over = elapsed.minus(threshold).toSeconds();
    Duration clipped = threshold.plusSeconds(over / step * step);
    return clipped.compareTo(full) >= 0
        ? new Window.Open(full, false)
        : new Window.Open(clipped, true);
  }

  /**
   * The grain of one rule: the tick interval, or a whole number of intervals coarse enough that the
   * span from the minimum to the rule's window holds at most {@value #MAX_CLIPPED} clipped windows.
   */
  private Duration grain(Duration full, Duration threshold) {
    long span = full.minus(threshold).toSeconds();
    long interval = grain.toSeconds();
    long needed = (span + MAX_CLIPPED - 1) / MAX_CLIPPED;
    long intervals = Math.max(1, (needed + interval - 1) / interval);
    return Duration.ofSeconds(intervals * interval);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}

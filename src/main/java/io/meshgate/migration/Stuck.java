package io.meshgate.migration;

import java.util.List;

/**
 * Why a started namespace's pods are not where its phase needs them, when no rollout status says
 * it: an {@link Obstacle} at once (it does not pass by waiting), and once {@code restart.timeout}
 * has passed, the pods no restartable workload owns or, failing that, the proxies that did not
 * move. Each becomes a hold with its reason, never a silent wait.
 */
final class Stuck {
  /** Unmanaged pods named in a message; the rest are counted. */
  static final int NAMED = 10;

  private Stuck() {}

  /** What blocks the namespace at once, or null. */
  static Cause obstacle(Observed.TargetFacts facts) {
    List<Obstacle> obstacles = facts.obstacles();
    if (obstacles.isEmpty()) {
      return null;
    }
    return new Cause(
        obstacles.get(0).reason(),
        String.join("; ", obstacles.stream().map(Obstacle::message).toList()));
  }

  /**
   * What keeps the namespace from converging: an obstacle, or after {@code restart.timeout} in its
   * phase the unmanaged pods, else the rollouts not complete, else the proxies left on the wrong
   * side; null while it may still converge by itself.
   *
   * @param stale proxies still to move (on another revision than the target, or on the target in a
   *     rollback)
   */
  static Cause of(TickContext tick, TargetState ns, Observed.TargetFacts facts, int stale) {
    Cause obstacle = obstacle(facts);
    if (obstacle != null) {
      return obstacle;
    }
    MigrationSpec.Restart restart = tick.spec.restart();
    if (tick.elapsed(ns).compareTo(restart.timeout()) <= 0) {
      return null;
    }
    String after = " after " + TickContext.minutes(restart.timeout()) + " (restart.timeout)";
    if (!facts.unmanagedPods().isEmpty()) {
      return new Cause(
          Reason.UNMANAGED_PODS,
          unmanaged(facts.unmanagedPods())
              + after
              + (restart.evictUnmanaged()
                  ? "; evicting them (restart.evictUnmanaged)"
                  : "; delete or recreate them, or set restart.evictUnmanaged: true"));
    }
    if (!facts.rolloutComplete()) {
      return new Cause(
          Reason.ROLLOUT_TIMEOUT,
          facts.rolledOut() + "/" + facts.workloads() + " workloads rolled out" + after);
    }
    if (stale > 0) {
      return new Cause(
          Reason.NOT_CONVERGED,
          stale
              + " proxies still "
              + (tick.goal(ns).onto() ? "not on " : "on ")
              + tick.proxyTarget(ns)
              + after
              + " though their workloads were restarted (a pod-level istio.io/rev label?)");
    }
    return null;
  }

  /**
   * What keeps a namespace held for the shape of its workloads, with no timeout: an obstacle,
   * unmanaged pods, proxies not moved though every rollout completed; null once none is left.
   */
  static Cause blocking(
      Observed.TargetFacts facts, int stale, SidecarGoal goal, String toRevision) {
    Cause obstacle = obstacle(facts);
    if (obstacle != null) {
      return obstacle;
    }
    if (!facts.unmanagedPods().isEmpty()) {
      return new Cause(Reason.UNMANAGED_PODS, unmanaged(facts.unmanagedPods()));
    }
    // a rollout still to run moves them: released, it runs with its own timeout
    if (stale > 0 && facts.rolloutComplete()) {
      return new Cause(
          Reason.NOT_CONVERGED,
          stale + " proxies still " + (goal.onto() ? "not on " : "on ") + toRevision);
    }
    return null;
  }

  /** "3 pods no workload of restart.kinds owns: a, b, c", the first ten named. */
  static String unmanaged(List<String> pods) {
    String named = String.join(", ", pods.subList(0, Math.min(NAMED, pods.size())));
    return pods.size()
        + (pods.size() == 1 ? " pod" : " pods")
        + " that no workload of restart.kinds owns did not move: "
        + named
        + (pods.size() > NAMED ? " and " + (pods.size() - NAMED) + " more" : "");
  }
}

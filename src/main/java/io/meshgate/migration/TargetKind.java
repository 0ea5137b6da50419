package io.meshgate.migration;

/**
 * What differs between the kinds of thing a migration moves (namespaces now; gateways and nodes to
 * come): how a target is named, what leaves one out of its wave, the change that moves it onto the
 * new revision and the one that sends it back. Everything else of its cycle (baseline, restart,
 * verification, evidence window, soak, verdicts, rollback, the fleet brake, wave admission) is
 * written once, in {@link TargetSteps}, {@link Observing}, {@link WaveAdmission} and {@link
 * TickContext}.
 *
 * <pre>{@code
 * TargetKind kind = new NamespaceKind();
 * TargetKind.Change flip = kind.forward(tick, target, facts); // null once the target is flipped
 * }</pre>
 */
interface TargetKind {
  /** How messages name one target of this kind: {@code namespace payments}. */
  String describe(String name);

  /** Why a pending target that exists is left as it is, or null when it may start. */
  Cause leftOut(TickContext tick, TargetState target);

  /** The action that moves a target onto the target revision, and what is said meanwhile. */
  record Change(Action action, String saying) {}

  /**
   * The change that still has to happen for the target's new pods to get the target revision; null
   * once it has (then the workloads are restarted).
   */
  Change forward(TickContext tick, TargetState target, Observed.TargetFacts facts);

  /** The transition's reason and message once the target was moved: it now restarts. */
  Cause moved(TickContext tick);

  /**
   * The change that still has to happen for the target's new pods to get the old revision back;
   * null once nothing does (then the workloads are restarted back).
   */
  Action back(TickContext tick, TargetState target, Observed.TargetFacts facts);

  /** How a rolled back target was sent back: {@code labels restored}. */
  String backHow(TickContext tick);
}

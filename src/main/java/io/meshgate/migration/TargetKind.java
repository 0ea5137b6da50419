package io.meshgate.migration;

/**
 * What differs between the kinds of thing a migration moves (namespaces, gateways; nodes to come):
 * how a target is named and listed, where its facts are, what leaves one out of its wave, the
 * change that moves it onto the new revision, the restart that follows, and the change that sends
 * it back. Everything else of its cycle (baseline, restart, verification, evidence window, soak,
 * verdicts, rollback, the fleet brake, wave admission) is written once, in {@link TargetSteps},
 * {@link Observing}, {@link WaveAdmission} and {@link TickContext}.
 *
 * <pre>{@code
 * TargetKind kind = new NamespaceKind();
 * TargetKind.Change flip = kind.forward(tick, target, facts); // null once the target is flipped
 * }</pre>
 */
interface TargetKind {
  /** Which list of the status holds targets of this kind. */
  enum Section {
    NAMESPACES,
    GATEWAYS
  }

  Section section();

  /** How messages name one target of this kind: {@code namespace payments}. */
  String describe(String name);

  /** Why a target that does not exist is skipped. */
  Reason notFound();

  /** The namespace the target is in, which alerts name: a namespace is its own. */
  String namespace(String name);

  /** What was observed of the target. */
  Observed.TargetFacts facts(Observed observed, String name);

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
   * The restart that gets the target's pods onto the revision its phase wants, under the target's
   * {@code restartId}; null when there is nothing for meshgate to restart (istiod re-renders it).
   */
  Action restart(TickContext tick, TargetState target);

  /**
   * The change that still has to happen for the target's new pods to get the old revision back;
   * null once nothing does (then the workloads are restarted back).
   */
  Action back(TickContext tick, TargetState target, Observed.TargetFacts facts);

  /** How a rolled back target was sent back: {@code labels restored}. */
  String backHow(TickContext tick);
}

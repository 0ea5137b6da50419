package io.meshgate.migration;

/**
 * What differs between the kinds of thing a migration moves (namespaces, gateways, ztunnel's
 * nodes): how a target is named and listed, where its facts are, what leaves one out of its wave,
 * the change that moves it onto the new revision, the restart that follows, and the change that
 * sends it back. Everything else of its cycle (baseline, restart, verification, evidence window,
 * soak, verdicts, rollback, the fleet brake, wave admission) is written once, in {@link
 * TargetSteps}, {@link Observing}, {@link WaveAdmission} and {@link TickContext}.
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
    GATEWAYS,
    NODES
  }

  Section section();

  /** How messages name one target of this kind: {@code namespace payments}. */
  String describe(String name);

  /**
   * Why what is known of the target cannot be trusted this tick (its facts could not be read), so
   * that it holds rather than being taken for absent; null when it can, as for every kind but a
   * node.
   */
  default Cause unseen(TickContext tick) {
    return null;
  }

  /** Why a target that does not exist is skipped. */
  Reason notFound();

  /** The namespace the target is in, which alerts name: a namespace is its own. */
  String namespace(String name);

  /** What was observed of the target. */
  Observed.TargetFacts facts(Observed observed, String name);

  /** Why a pending target that exists is left as it is, or null when it may start. */
  Cause leftOut(TickContext tick, TargetState target);

  /**
   * The action that moves a target onto the target revision, and what is said meanwhile; or, with
   * no action, what keeps the target from moving ({@code blocker}, a hold): a change only someone
   * else can make.
   */
  record Change(Action action, String saying, Cause blocker) {
    Change(Action action, String saying) {
      this(action, saying, null);
    }

    /** Nothing meshgate can do moves the target yet: it holds for {@code blocker}. */
    static Change blocked(Cause blocker) {
      return new Change(null, blocker.message(), blocker);
    }

    /** The target's own progress, which meshgate only waits for: no action, no hold. */
    static Change waiting(String saying) {
      return new Change(null, saying, null);
    }
  }

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

  /**
   * Why a target going back must wait before its next change: {@link Change#blocked} for someone
   * else's act (a hold), {@link Change#waiting} for its own progress or a slot a paced kind needs;
   * null when it may go on, as every kind but a node may.
   */
  default Change backWait(TickContext tick, TargetState target, Observed.TargetFacts facts) {
    return null;
  }

  /** How a rolled back target was sent back: {@code labels restored}. */
  String backHow(TickContext tick);

  /**
   * Where the target's sidecars must go in its phase, in the terms of its census: the target
   * revision, or for a kind counted by proxy image the image.
   */
  default SidecarGoal goal(TickContext tick, TargetState target) {
    return SidecarGoal.of(target.phase, tick.to());
  }

  /**
   * Why a target that would be sent back ({@code cause}) cannot be, as the cause it is halted for
   * instead (phase Held, verdict ROLLBACK, nothing changed); null when it can go back, as every
   * kind but an in-place upgrade's can.
   */
  default Cause noWayBack(TickContext tick, Cause cause) {
    return null;
  }
}

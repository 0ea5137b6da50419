package io.meshgate.migration;

import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Verifying, Soaking, Held and Stalled: the gate's results are counted into streaks, and the
 * streaks, the proxies' convergence, hold alerts and the soak decide where the namespace goes.
 */
final class Observing {
  private final TickContext tick;
  private final MigrationSpec spec;
  private final TargetSteps steps;

  Observing(TickContext tick, TargetSteps steps) {
    this.tick = tick;
    this.spec = tick.spec;
    this.steps = steps;
  }

  void step(TargetState ns, Observed.TargetFacts facts) {
    boolean evidenced = followTarget(ns, facts);
    List<RuleResult> results = tick.in.gate().get(ns.name);
    if (results != null) {
      Streaks.count(ns, results, Streaks.Caps.of(spec));
      if (!evidenced) {
        // a pass whose window may start before onTargetAt is no pass on the new revision
        ns.passStreak = 0;
      }
    }
    Cause breach = Streaks.breach(ns, results, spec.failureLimit());
    if (breach != null) {
      onBreach(ns, breach);
      return;
    }
    if (tick.holdAlert(ns)) {
      holdForAlert(ns);
      return;
    }
    boolean converged = ns.proxies.other() == 0;
    // held by the shape of its workloads: until the cause is gone, however long; otherwise
    // an obstacle at once, or what still does not converge after restart.timeout
    Cause stuck;
    if (ns.phase == TargetPhase.Held) {
      stuck = Stuck.blocking(facts, ns.proxies.other(), tick.goal(ns), tick.proxyTarget(ns));
    } else if (converged) {
      stuck = Stuck.obstacle(facts);
    } else {
      stuck = Stuck.of(tick, ns, facts, ns.proxies.other());
    }
    if (stuck != null) {
      restartIfNeeded(ns, facts, converged);
      if (ns.phase != TargetPhase.Held) {
        tick.move(ns, TargetPhase.Held, stuck.reason(), stuck.message());
      }
      tick.hold(ns, stuck, stuck.text());
      return;
    }
    if (ns.phase == TargetPhase.Held) {
      release(ns, facts, converged);
      if (ns.phase == TargetPhase.Restarting) {
        steps.stepRestarting(ns, facts);
        return;
      }
    }
    restartIfNeeded(ns, facts, converged);
    followData(ns, results);
    followConvergence(ns, converged);
    soak(ns, results, converged, facts);
  }

  /**
   * {@code onTargetAt}: set once the rollouts are complete with every proxy on the target, cleared
   * when a proxy is on another revision again (a workload rolled back by hand, pods churned): the
   * evidence, and the passes counted on it, start anew.
   *
   * @return whether the namespace was on the target before this tick and still is, so that this
   *     tick's results rest on evidence since then
   */
  private boolean followTarget(TargetState ns, Observed.TargetFacts facts) {
    if (ns.proxies.other() > 0) {
      ns.onTargetAt = null;
      return false;
    }
    if (ns.onTargetAt == null && facts.rolloutComplete()) {
      ns.onTargetAt = tick.in.now();
      return false;
    }
    return ns.onTargetAt != null && ns.onTargetAt.isBefore(tick.in.now());
  }

  /** OnDelete pods still to replace, unmanaged pods to evict, a refused eviction to retry. */
  private void restartIfNeeded(TargetState ns, Observed.TargetFacts facts, boolean converged) {
    if (!converged && (tick.needsRestart(facts) || !facts.obstacles().isEmpty())) {
      steps.restart(ns);
    }
  }

  /**
   * Nothing holds any more: back to where the namespace left off, each with its clock started again
   * (the rollout's restart.timeout counts from now).
   */
  private void release(TargetState ns, Observed.TargetFacts facts, boolean converged) {
    if (!facts.rolloutComplete()) {
      tick.move(ns, TargetPhase.Restarting, Reason.RELEASED, "hold released; the rollout goes on");
    } else if (!converged) {
      tick.move(
          ns,
          TargetPhase.Verifying,
          Reason.RELEASED,
          "hold released; waiting for the proxies to move");
    } else {
      tick.move(ns, TargetPhase.Soaking, Reason.RELEASED, "hold released; soak starts again");
    }
  }

  private void onBreach(TargetState ns, Cause breach) {
    if (spec.onFailure() == MigrationSpec.OnFailure.Rollback) {
      steps.startRollback(ns, breach);
    } else if (ns.phase != TargetPhase.Held) {
      String held = breach.message() + " (onFailure: Hold)";
      tick.move(ns, TargetPhase.Held, breach.reason(), held);
      tick.hold(ns, new Cause(breach.reason(), held));
    }
  }

  private void holdForAlert(TargetState ns) {
    String names =
        tick.alerts(ns).stream()
            .flatMap(a -> a.names().stream())
            .distinct()
            .collect(Collectors.joining(", "));
    if (ns.phase != TargetPhase.Held) {
      tick.move(ns, TargetPhase.Held, Reason.ALERT_FIRING, "hold alert firing: " + names);
    }
    tick.hold(ns, new Cause(Reason.ALERT_FIRING, "alert firing: " + names));
  }

  /** Stalled after noDataLimit ticks without data; back to Soaking when data returns. */
  private void followData(TargetState ns, List<RuleResult> results) {
    if (ns.noDataStreak >= spec.noDataLimit() && ns.phase != TargetPhase.Stalled) {
      tick.move(
          ns,
          TargetPhase.Stalled,
          Reason.NO_DATA,
          "no data for "
              + ns.noDataStreak
              + " consecutive ticks (noDataLimit "
              + spec.noDataLimit()
              + ")");
    } else if (ns.phase == TargetPhase.Stalled && ns.noDataStreak == 0 && results != null) {
      tick.move(ns, TargetPhase.Soaking, Reason.DATA_RETURNED, "data is back; soak starts again");
    }
  }

  /** Soaking only while every proxy runs the target revision. */
  private void followConvergence(TargetState ns, boolean converged) {
    if (ns.phase == TargetPhase.Verifying && converged) {
      tick.move(
          ns,
          TargetPhase.Soaking,
          Reason.CONVERGED,
          ns.proxies.target() + " proxies on " + tick.proxyTarget(ns));
    } else if (ns.phase == TargetPhase.Soaking && !converged) {
      tick.move(
          ns,
          TargetPhase.Verifying,
          Reason.NOT_CONVERGED,
          ns.proxies.other() + " proxies not on " + tick.proxyTarget(ns));
    }
  }

  private void soak(
      TargetState ns, List<RuleResult> results, boolean converged, Observed.TargetFacts facts) {
    Cause gateHold =
        results == null
            ? new Cause(Reason.NO_DATA, "not evaluated yet")
            : Streaks.gateHold(ns, results, spec.failureLimit());
    if (ns.phase == TargetPhase.Stalled) {
      tick.hold(
          ns,
          new Cause(Reason.NO_DATA, "stalled: " + (gateHold == null ? null : gateHold.message())));
    } else if (!converged) {
      tick.verdict(
          ns,
          Verdict.HOLD,
          ns.proxies.other() + " proxies still on another revision than " + tick.proxyTarget(ns));
    } else if (gateHold != null) {
      // waiting for the evidence window is the normal start of every soak: no one is told
      if (results == null || gateHold.reason() == Reason.WINDOW_TOO_SHORT) {
        tick.verdict(ns, Verdict.HOLD, gateHold.message());
      } else {
        tick.hold(ns, gateHold);
      }
    } else {
      promoteWhenSoaked(ns, facts);
    }
  }

  private void promoteWhenSoaked(TargetState ns, Observed.TargetFacts facts) {
    MigrationSpec.Wave wave = tick.wave(ns.wave);
    Duration soak = wave == null ? Duration.ZERO : wave.soak();
    Duration soaked = tick.elapsed(ns);
    if (ns.passStreak < spec.passStreak()) {
      tick.verdict(
          ns,
          Verdict.HOLD,
          "soaking: " + ns.passStreak + "/" + spec.passStreak() + " passing ticks");
    } else if (soaked.compareTo(soak) < 0) {
      // the same words each tick of the soak: an idle tick writes nothing
      tick.verdict(
          ns,
          Verdict.HOLD,
          "soaking until "
              + ns.phaseSince.plus(soak).truncatedTo(ChronoUnit.SECONDS)
              + " ("
              + TickContext.minutes(soak)
              + ")");
    } else if (spec.paused() || tick.brakeEngaged()) {
      tick.hold(
          ns,
          spec.paused()
              ? new Cause(Reason.PAUSED, "paused")
              : new Cause(Reason.FLEET_BRAKE, "paused by the fleet brake"));
    } else if (facts.rolloutComplete()) {
      tick.move(
          ns,
          TargetPhase.Promoted,
          Reason.PROMOTED,
          "healthy on "
              + tick.to()
              + " for "
              + TickContext.minutes(soaked)
              + ", "
              + ns.passStreak
              + " passing ticks");
      tick.verdict(
          ns,
          Verdict.PROMOTE,
          "all rules passed "
              + ns.passStreak
              + " consecutive ticks, soaked "
              + TickContext.minutes(soaked));
    } else {
      tick.verdict(ns, Verdict.HOLD, "workloads are rolling out again");
    }
  }
}

package io.meshgate.migration;

import io.meshgate.gate.Durations;
import io.meshgate.gate.Gate;
import io.meshgate.gate.NamespaceVerdict;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The pure decision of one tick of a RevisionMigration: from the recorded status, what was observed
 * in the cluster, the gate results and the time, to the next status and the actions that get there.
 * No I/O and no clock, so every path is tested directly.
 *
 * <pre>{@code
 * Decision d = MigrationMachine.decide(input);
 * d.actions().forEach(controller::execute);  // then record d.status()
 * }</pre>
 */
public final class MigrationMachine {
  private MigrationMachine() {}

  public static Decision decide(TickInput input) {
    return new Tick(input).run();
  }

  /** The mutable working copy of one namespace's status during a tick. */
  private static final class Ns {
    final String name;
    final String wave;
    NamespacePhase phase;
    Instant phaseSince;
    Map<String, Double> baseline;
    NamespaceStatus.Verdict lastVerdict;
    Map<String, String> baselineNotes;
    Map<String, Integer> failureStreaks;
    int passStreak;
    int noDataStreak;
    NamespaceStatus.Proxies proxies;
    String restartId;

    Ns(NamespaceStatus s) {
      name = s.name();
      wave = s.wave();
      phase = s.phase();
      phaseSince = s.phaseSince();
      baseline = s.baseline();
      baselineNotes = s.baselineNotes();
      lastVerdict = s.lastVerdict();
      failureStreaks = s.failureStreaks();
      passStreak = s.passStreak();
      noDataStreak = s.noDataStreak();
      proxies = s.proxies();
      restartId = s.restartId();
    }

    NamespaceStatus toStatus() {
      return new NamespaceStatus(
          name,
          wave,
          phase,
          phaseSince,
          baseline,
          baselineNotes,
          lastVerdict,
          failureStreaks,
          passStreak,
          noDataStreak,
          proxies,
          restartId);
    }
  }

  private static final class Tick {
    private final TickInput in;
    private final MigrationSpec spec;
    private final Map<String, Ns> namespaces = new LinkedHashMap<>();
    private final List<Action> actions = new ArrayList<>();
    private final List<Decision.Transition> transitions = new ArrayList<>();
    private final List<Decision.Hold> holds = new ArrayList<>();

    Tick(TickInput in) {
      this.in = in;
      this.spec = in.spec();
    }

    Decision run() {
      seed();
      for (Ns ns : namespaces.values()) {
        step(ns);
      }
      if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration && anyRollingBack()) {
        for (Ns ns : namespaces.values()) {
          if ((ns.phase.isInFlight() || ns.phase == NamespacePhase.Promoted)
              && ns.phase != NamespacePhase.RollingBack) {
            startRollback(
                ns,
                "MigrationRollback",
                "another namespace of the migration is rolling back (rollbackScope: Migration)");
          }
        }
      }
      String currentWave = currentWave();
      MigrationPhase before = in.status().phase();
      Phase phase = startNamespacesAndPhase(currentWave);
      if (phase.phase() != before) {
        transitions.add(
            new Decision.Transition(
                null, before.name(), phase.phase().name(), phase.reason(), phase.message()));
      }
      List<NamespaceStatus> statuses = namespaces.values().stream().map(Ns::toStatus).toList();
      long promoted = statuses.stream().filter(s -> s.phase() == NamespacePhase.Promoted).count();
      MigrationStatus status =
          new MigrationStatus(
              phase.phase(),
              currentWave,
              promoted + "/" + statuses.size(),
              statuses,
              in.status().alerts(),
              conditions(phase),
              in.generation());
      return new Decision(status, actions, transitions, holds);
    }

    /** Every namespace of every wave gets a status entry, in wave order; first wave wins. */
    private void seed() {
      Map<String, NamespaceStatus> recorded = new LinkedHashMap<>();
      in.status().namespaces().forEach(s -> recorded.put(s.name(), s));
      for (MigrationSpec.Wave wave : spec.waves()) {
        List<String> members = new ArrayList<>(wave.namespaces());
        in.observed().selected().getOrDefault(wave.name(), List.of()).stream()
            .sorted()
            .forEach(members::add);
        for (String name : members) {
          if (!namespaces.containsKey(name)) {
            namespaces.put(
                name,
                new Ns(recorded.getOrDefault(name, NamespaceStatus.pending(name, wave.name()))));
          }
        }
      }
      // namespaces that left a selector keep their history and are still finished properly
      recorded.forEach((name, s) -> namespaces.putIfAbsent(name, new Ns(s)));
    }

    private MigrationSpec.Wave wave(String name) {
      return spec.waves().stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
    }

    /** A namespace that does not exist (or no longer): nothing to move, its wave goes on. */
    private void skip(Ns ns) {
      move(
          ns,
          NamespacePhase.Skipped,
          "NamespaceNotFound",
          "namespace " + ns.name + " does not exist; its wave goes on without it");
      verdict(ns, Verdict.HOLD, "NamespaceNotFound: namespace " + ns.name + " does not exist");
    }

    private Observed.NamespaceFacts facts(Ns ns) {
      if (!spec.dryRun()) {
        return in.observed().facts(ns.name);
      }
      // dry run changes nothing, so what the actions would have done is taken as done
      boolean forward =
          ns.phase != NamespacePhase.RollingBack && ns.phase != NamespacePhase.Pending;
      return new Observed.NamespaceFacts(
          in.observed().facts(ns.name).exists(), forward, 0, 0, 0, false, Map.of());
    }

    private void step(Ns ns) {
      if (ns.phase.isTerminal() || ns.phase == NamespacePhase.Pending) {
        return;
      }
      Observed.NamespaceFacts facts = facts(ns);
      if (!facts.exists()) {
        skip(ns);
        return;
      }
      ns.proxies = facts.proxies(spec.toRevision());
      if (ns.phase == NamespacePhase.RollingBack) {
        stepRollback(ns, facts);
        return;
      }
      String rollbackCause = rollbackCause(ns);
      if (rollbackCause != null) {
        startRollback(ns, rollbackCause.split(":", 2)[0], rollbackCause.split(":", 2)[1].strip());
        return;
      }
      switch (ns.phase) {
        case Migrating -> stepMigrating(ns, facts);
        case Restarting -> stepRestarting(ns, facts);
        default -> stepObserving(ns, facts);
      }
    }

    /** "Reason: message" when something outside the gate demands a rollback, else null. */
    private String rollbackCause(Ns ns) {
      if (in.aborted()) {
        return "Aborted: the migration was aborted (meshgate.io/abort)";
      }
      for (AlertRecord alert : alerts(ns)) {
        if ("rollback".equals(alert.action())) {
          return "AlertFiring: "
              + firing(alert)
              + " for "
              + (alert.namespace() != null
                  ? "namespace " + alert.namespace()
                  : "revision " + alert.revision());
        }
      }
      return null;
    }

    private List<AlertRecord> alerts(Ns ns) {
      boolean onTarget = ns.phase.isInFlight();
      return in.status().alerts().stream()
          .filter(
              a ->
                  ns.name.equals(a.namespace())
                      || (onTarget
                          && a.namespace() == null
                          && spec.toRevision().equals(a.revision())))
          .toList();
    }

    /** "alert HighErrorRate is firing", or "3 alerts (HighErrorRate, ...) are firing". */
    private static String firing(AlertRecord alert) {
      String names = String.join(", ", alert.names());
      return alert.count() == 1
          ? "alert " + names + " is firing"
          : alert.count() + " alerts (" + names + ") are firing";
    }

    private boolean holdAlert(Ns ns) {
      return alerts(ns).stream().anyMatch(a -> "hold".equals(a.action()));
    }

    private void stepMigrating(Ns ns, Observed.NamespaceFacts facts) {
      if (ns.baseline == null) {
        actions.add(new Action.CaptureBaseline(ns.name));
        verdict(
            ns,
            Verdict.HOLD,
            "capturing the baseline over "
                + Durations.format(spec.baselineWindow())
                + " before the flip");
        return;
      }
      if (!facts.flipped()) {
        if (!revisionsAvailable()) {
          hold(ns, revisionUnavailable());
          return;
        }
        actions.add(new Action.Flip(ns.name));
        verdict(ns, Verdict.HOLD, "flipping istio.io/rev to " + spec.toRevision());
        return;
      }
      ns.restartId = in.migration() + "/" + ns.name + "/1";
      move(
          ns,
          NamespacePhase.Restarting,
          "Flipped",
          "istio.io/rev=" + spec.toRevision() + "; restarting workloads");
      actions.add(new Action.Restart(ns.name, ns.restartId));
      verdict(ns, Verdict.HOLD, "restarting workloads onto " + spec.toRevision());
    }

    private void stepRestarting(Ns ns, Observed.NamespaceFacts facts) {
      if (facts.rolloutFailed()) {
        startRollback(ns, "RolloutFailed", "a rollout reported ProgressDeadlineExceeded");
        return;
      }
      if (elapsed(ns).compareTo(spec.restart().timeout()) > 0 && !facts.rolloutComplete()) {
        startRollback(
            ns,
            "RolloutTimeout",
            "rollout not complete after "
                + minutes(spec.restart().timeout())
                + " (restart.timeout): "
                + facts.rolledOut()
                + "/"
                + facts.workloads()
                + " workloads rolled out");
        return;
      }
      if (!facts.allRestarted()) {
        actions.add(new Action.Restart(ns.name, ns.restartId));
      }
      if (facts.rolloutComplete()) {
        move(
            ns, NamespacePhase.Verifying, "RolledOut", facts.workloads() + " workloads rolled out");
        stepObserving(ns, facts);
        return;
      }
      verdict(
          ns,
          Verdict.HOLD,
          "rollout in progress: "
              + facts.rolledOut()
              + "/"
              + facts.workloads()
              + " workloads rolled out");
    }

    /** Verifying, Soaking, Held, Stalled: the gate is counted, streaks decide. */
    private void stepObserving(Ns ns, Observed.NamespaceFacts facts) {
      List<RuleResult> results = in.gate().get(ns.name);
      if (results != null) {
        count(ns, results);
      }
      String breach = breach(ns, results);
      if (breach != null) {
        if (spec.onFailure() == MigrationSpec.OnFailure.Rollback) {
          startRollback(ns, "ThresholdExceeded", breach);
        } else if (ns.phase != NamespacePhase.Held) {
          move(ns, NamespacePhase.Held, "ThresholdExceeded", breach + " (onFailure: Hold)");
          hold(ns, breach + " (onFailure: Hold)");
        }
        return;
      }
      if (holdAlert(ns)) {
        String names =
            alerts(ns).stream()
                .flatMap(a -> a.names().stream())
                .distinct()
                .collect(Collectors.joining(", "));
        if (ns.phase != NamespacePhase.Held) {
          move(ns, NamespacePhase.Held, "AlertFiring", "hold alert firing: " + names);
        }
        hold(ns, "alert firing: " + names);
        return;
      }
      if (ns.phase == NamespacePhase.Held) {
        move(ns, NamespacePhase.Soaking, "Released", "hold released; soak starts again");
      }
      if (ns.noDataStreak >= spec.noDataLimit() && ns.phase != NamespacePhase.Stalled) {
        move(
            ns,
            NamespacePhase.Stalled,
            "NoData",
            "no data for "
                + ns.noDataStreak
                + " consecutive ticks (noDataLimit "
                + spec.noDataLimit()
                + ")");
      } else if (ns.phase == NamespacePhase.Stalled && ns.noDataStreak == 0 && results != null) {
        move(ns, NamespacePhase.Soaking, "DataReturned", "data is back; soak starts again");
      }
      boolean converged = ns.proxies.other() == 0;
      if (ns.phase == NamespacePhase.Verifying && converged) {
        move(
            ns,
            NamespacePhase.Soaking,
            "Converged",
            ns.proxies.target() + " proxies on " + spec.toRevision());
      } else if (ns.phase == NamespacePhase.Soaking && !converged) {
        move(
            ns,
            NamespacePhase.Verifying,
            "NotConverged",
            ns.proxies.other() + " proxies not on " + spec.toRevision());
      }
      decideSoak(ns, results, converged, facts);
    }

    private void decideSoak(
        Ns ns, List<RuleResult> results, boolean converged, Observed.NamespaceFacts facts) {
      if (ns.phase == NamespacePhase.Stalled) {
        hold(ns, "stalled: " + gateReason(ns, results));
        return;
      }
      if (!converged) {
        verdict(
            ns,
            Verdict.HOLD,
            ns.proxies.other() + " proxies still on another revision than " + spec.toRevision());
        return;
      }
      String gateHold = gateReason(ns, results);
      if (gateHold != null) {
        if (results == null) {
          verdict(ns, Verdict.HOLD, gateHold);
        } else {
          hold(ns, gateHold);
        }
        return;
      }
      Duration soak = wave(ns.wave) == null ? Duration.ZERO : wave(ns.wave).soak();
      Duration soaked = elapsed(ns);
      if (ns.passStreak < spec.passStreak()) {
        verdict(
            ns,
            Verdict.HOLD,
            "soaking: " + ns.passStreak + "/" + spec.passStreak() + " passing ticks");
      } else if (soaked.compareTo(soak) < 0) {
        verdict(ns, Verdict.HOLD, "soaking: " + minutes(soaked) + " of " + minutes(soak));
      } else if (spec.paused() || brakeEngaged()) {
        hold(ns, spec.paused() ? "paused" : "paused by the fleet brake");
      } else if (facts.rolloutComplete()) {
        move(
            ns,
            NamespacePhase.Promoted,
            "Promoted",
            "healthy on "
                + spec.toRevision()
                + " for "
                + minutes(soaked)
                + ", "
                + ns.passStreak
                + " passing ticks");
        verdict(
            ns,
            Verdict.PROMOTE,
            "all rules passed " + ns.passStreak + " consecutive ticks, soaked " + minutes(soaked));
      } else {
        verdict(ns, Verdict.HOLD, "workloads are rolling out again");
      }
    }

    /** Why the gate holds, or null when this tick's results all passed. */
    private String gateReason(Ns ns, List<RuleResult> results) {
      if (results == null) {
        return "not evaluated yet";
      }
      NamespaceVerdict single = Gate.decide(ns.name, results);
      if (single.verdict() == Verdict.PROMOTE) {
        return null;
      }
      if (single.verdict() == Verdict.ROLLBACK) {
        return results.stream()
            .filter(RuleResult::isCriticalFailure)
            .map(
                r ->
                    "critical rule "
                        + r.rule()
                        + " failed ("
                        + ns.failureStreaks.getOrDefault(r.rule(), 0)
                        + "/"
                        + spec.failureLimit()
                        + " consecutive): "
                        + r.message())
            .collect(Collectors.joining("; "));
      }
      return single.reason();
    }

    private void count(Ns ns, List<RuleResult> results) {
      Map<String, Integer> streaks = new TreeMap<>();
      for (RuleResult r : results) {
        if (r.result() == Result.FAIL) {
          streaks.put(r.rule(), ns.failureStreaks.getOrDefault(r.rule(), 0) + 1);
        }
      }
      ns.failureStreaks = streaks;
      boolean allPass =
          !results.isEmpty() && results.stream().allMatch(r -> r.result() == Result.PASS);
      ns.passStreak = allPass ? ns.passStreak + 1 : 0;
      ns.noDataStreak =
          results.stream().anyMatch(r -> r.result() == Result.NO_DATA) ? ns.noDataStreak + 1 : 0;
    }

    private String breach(Ns ns, List<RuleResult> results) {
      if (results == null) {
        return null;
      }
      for (RuleResult r : results) {
        if (r.severity() == Severity.CRITICAL
            && ns.failureStreaks.getOrDefault(r.rule(), 0) >= spec.failureLimit()) {
          return "critical rule "
              + r.rule()
              + " failed "
              + ns.failureStreaks.get(r.rule())
              + " consecutive ticks: "
              + r.message();
        }
      }
      return null;
    }

    private void startRollback(Ns ns, String reason, String message) {
      move(ns, NamespacePhase.RollingBack, reason, message);
      ns.restartId = ns.restartId == null ? null : rollbackRestartId(ns);
      verdict(ns, Verdict.ROLLBACK, message);
      stepRollback(ns, facts(ns));
    }

    private void stepRollback(Ns ns, Observed.NamespaceFacts facts) {
      if (facts.flipped()) {
        if (!in.observed().fromRevisionAvailable() && !spec.dryRun()) {
          verdict(ns, Verdict.ROLLBACK, "cannot roll back yet: " + revisionUnavailable());
          holds.add(new Decision.Hold(ns.name, "cannot roll back yet: " + revisionUnavailable()));
          return;
        }
        actions.add(new Action.RestoreLabels(ns.name));
        return;
      }
      // a daemon that died between restarting and recording it left no restart id: the proxies
      // still on the target say a restart is needed all the same
      if (ns.restartId == null && ns.proxies.target() > 0) {
        ns.restartId = rollbackRestartId(ns);
      }
      if (ns.restartId != null && !facts.allRestarted()) {
        actions.add(new Action.Restart(ns.name, ns.restartId));
        return;
      }
      boolean restartDone = ns.restartId == null || facts.rolloutComplete();
      if (restartDone && ns.proxies.target() == 0) {
        move(
            ns,
            NamespacePhase.RolledBack,
            "RolledBack",
            "labels restored and no proxy left on " + spec.toRevision());
      }
    }

    private String rollbackRestartId(Ns ns) {
      return in.migration() + "/" + ns.name + "/2";
    }

    private void move(Ns ns, NamespacePhase to, String reason, String message) {
      Transitions.check(ns.name, ns.phase, to);
      transitions.add(
          new Decision.Transition(ns.name, ns.phase.name(), to.name(), reason, message));
      ns.phase = to;
      ns.phaseSince = in.now();
      if (to == NamespacePhase.Soaking || to == NamespacePhase.Verifying) {
        ns.passStreak = 0;
      }
    }

    /** A hold that needs attention; said once when it begins or its reason changes. */
    private void hold(Ns ns, String reason) {
      NamespaceStatus.Verdict before = ns.lastVerdict;
      verdict(ns, Verdict.HOLD, reason);
      if (before != ns.lastVerdict) {
        holds.add(new Decision.Hold(ns.name, reason));
      }
    }

    /** The verdict is re-stamped only when it changes, so an idle tick writes nothing. */
    private void verdict(Ns ns, Verdict verdict, String reason) {
      NamespaceStatus.Verdict last = ns.lastVerdict;
      if (last == null
          || !last.verdict().equals(verdict.name())
          || !Objects.equals(last.reason(), reason)) {
        ns.lastVerdict = new NamespaceStatus.Verdict(verdict.name(), reason, in.now());
      }
    }

    private Duration elapsed(Ns ns) {
      return ns.phaseSince == null ? Duration.ZERO : Duration.between(ns.phaseSince, in.now());
    }

    private boolean revisionsAvailable() {
      return spec.dryRun()
          || (in.observed().toRevisionAvailable() && in.observed().fromRevisionAvailable());
    }

    private String revisionUnavailable() {
      List<String> missing = new ArrayList<>();
      if (!in.observed().toRevisionAvailable()) {
        missing.add("target revision " + spec.toRevision());
      }
      if (!in.observed().fromRevisionAvailable()) {
        missing.add("rollback revision " + spec.fromRevision());
      }
      return "RevisionUnavailable: istiod of "
          + String.join(" and ", missing)
          + " is not Available (or its injector webhook is missing)";
    }

    private boolean anyRollingBack() {
      return namespaces.values().stream()
          .anyMatch(
              n -> n.phase == NamespacePhase.RollingBack || n.phase == NamespacePhase.RolledBack);
    }

    private long rollbacks() {
      return namespaces.values().stream()
          .filter(
              n -> n.phase == NamespacePhase.RollingBack || n.phase == NamespacePhase.RolledBack)
          .count();
    }

    /** maxRollbacks 0 disables the brake. */
    private boolean brakeEngaged() {
      return spec.maxRollbacks() > 0 && rollbacks() >= spec.maxRollbacks();
    }

    /** The first wave, in order, that still has a namespace not Promoted. */
    private String currentWave() {
      for (MigrationSpec.Wave wave : spec.waves()) {
        boolean done =
            namespaces.values().stream()
                .filter(n -> n.wave.equals(wave.name()))
                .allMatch(n -> n.phase.isDone());
        if (!done) {
          return wave.name();
        }
      }
      return null;
    }

    private record Phase(MigrationPhase phase, String reason, String message) {}

    private Phase startNamespacesAndPhase(String currentWave) {
      List<Ns> all = List.copyOf(namespaces.values());
      boolean inFlight = all.stream().anyMatch(n -> n.phase.isInFlight());
      if (!all.isEmpty() && all.stream().allMatch(n -> n.phase.isDone())) {
        long skipped = all.stream().filter(n -> n.phase == NamespacePhase.Skipped).count();
        return new Phase(
            MigrationPhase.Succeeded,
            "Succeeded",
            (all.size() - skipped)
                + " namespaces promoted to "
                + spec.toRevision()
                + (skipped == 0 ? "" : ", " + skipped + " skipped (not found)"));
      }
      if (in.aborted()) {
        return inFlight
            ? new Phase(MigrationPhase.Progressing, "Aborting", "rolling back after abort")
            : new Phase(
                MigrationPhase.Failed,
                "Aborted",
                "aborted; " + rollbacks() + " namespaces rolled back");
      }
      if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration && anyRollingBack()) {
        return inFlight
            ? new Phase(
                MigrationPhase.Progressing,
                "RollingBack",
                "rolling back every namespace (rollbackScope: Migration)")
            : new Phase(
                MigrationPhase.Failed,
                "RolledBack",
                "every namespace rolled back (rollbackScope: Migration)");
      }
      if (all.stream().allMatch(n -> n.phase.isTerminal())
          && all.stream().anyMatch(n -> n.phase == NamespacePhase.RolledBack)) {
        // nothing left to do, even when this last rollback engaged the fleet brake
        return new Phase(
            MigrationPhase.Failed,
            "RolledBack",
            rollbacks() + " namespaces rolled back, the others promoted or skipped");
      }
      if (brakeEngaged()) {
        return new Phase(
            MigrationPhase.Paused,
            "FleetBrake",
            rollbacks()
                + " namespaces rolled back (maxRollbacks "
                + spec.maxRollbacks()
                + "); resume after investigating");
      }
      if (spec.paused()) {
        return new Phase(MigrationPhase.Paused, "Paused", "spec.paused is true");
      }
      List<Ns> wave = all.stream().filter(n -> n.wave.equals(currentWave)).toList();
      List<Ns> pending = wave.stream().filter(n -> n.phase == NamespacePhase.Pending).toList();
      if (pending.isEmpty()) {
        if (!inFlight && all.stream().anyMatch(n -> n.phase == NamespacePhase.RolledBack)) {
          return new Phase(
              MigrationPhase.Failed,
              "RolledBack",
              "wave " + currentWave + " has rolled-back namespaces; later waves do not start");
        }
        return new Phase(MigrationPhase.Progressing, "Progressing", "wave " + currentWave);
      }
      MigrationSpec.Wave waveSpec = wave(currentWave);
      boolean started = wave.stream().anyMatch(n -> n.phase != NamespacePhase.Pending);
      if (waveSpec.requireApproval() && !started && !in.approvedWaves().contains(currentWave)) {
        pending.forEach(n -> verdict(n, Verdict.HOLD, "awaiting approval of wave " + currentWave));
        return new Phase(
            MigrationPhase.AwaitingApproval,
            "AwaitingApproval",
            "wave " + currentWave + " waits for meshgate.io/approve: " + currentWave);
      }
      String blocked = startBlocker();
      long slots =
          waveSpec.maxConcurrent() - wave.stream().filter(n -> n.phase.isInFlight()).count();
      for (Ns ns : pending) {
        if (!facts(ns).exists()) {
          skip(ns);
        } else if (blocked != null) {
          hold(ns, blocked);
        } else if (holdAlert(ns)) {
          hold(ns, "alert firing; not starting");
        } else if (slots > 0) {
          slots--;
          move(
              ns,
              NamespacePhase.Migrating,
              "Started",
              "wave " + currentWave + ": migrating to " + this.spec.toRevision());
          stepMigrating(ns, facts(ns));
        } else {
          verdict(
              ns,
              Verdict.HOLD,
              "waiting for a slot in wave "
                  + currentWave
                  + " (maxConcurrent "
                  + waveSpec.maxConcurrent()
                  + ")");
        }
      }
      boolean anyStarted = all.stream().anyMatch(n -> n.phase != NamespacePhase.Pending);
      if (!anyStarted) {
        return new Phase(
            MigrationPhase.Pending,
            blocked == null ? "Pending" : blocked.split(":")[0],
            blocked == null ? "starting" : blocked);
      }
      return new Phase(MigrationPhase.Progressing, "Progressing", "wave " + currentWave);
    }

    /** Why no namespace may start now, or null. Rollbacks ignore all of these. */
    private String startBlocker() {
      if (!in.windowOpen()) {
        return "OutsideWindow: outside the maintenance window "
            + spec.window().cron()
            + " ("
            + spec.window().timeZone()
            + ")";
      }
      if (!revisionsAvailable()) {
        return revisionUnavailable();
      }
      return null;
    }

    private List<Condition> conditions(Phase phase) {
      List<Condition> previous = in.status().conditions();
      List<Condition> next = new ArrayList<>();
      next.add(
          condition(
              previous,
              "Ready",
              phase.phase() == MigrationPhase.Succeeded,
              phase.reason(),
              phase.message()));
      next.add(
          condition(
              previous,
              "Paused",
              phase.phase() == MigrationPhase.Paused,
              phase.reason(),
              phase.message()));
      if (phase.phase() == MigrationPhase.Succeeded) {
        var inUse = in.observed().oldRevisionInUse();
        next.add(
            condition(
                previous,
                "OldRevisionUnused",
                inUse.isEmpty(),
                inUse.isEmpty() ? "Unused" : "InUse",
                inUse.isEmpty()
                    ? "no namespace label or running proxy uses "
                        + spec.fromRevision()
                        + "; it can be removed"
                    : spec.fromRevision()
                        + " still used by "
                        + inUse.stream().sorted().collect(Collectors.joining(", "))));
      }
      return next;
    }

    /** lastTransitionTime moves only when the status flips, as Kubernetes conventions say. */
    private Condition condition(
        List<Condition> previous, String type, boolean value, String reason, String message) {
      String status = value ? "True" : "False";
      Instant since =
          previous.stream()
              .filter(c -> c.type().equals(type) && c.status().equals(status))
              .map(Condition::lastTransitionTime)
              .findFirst()
              .orElse(in.now());
      return new Condition(type, status, reason, message, since, in.generation());
    }

    private static String minutes(Duration d) {
      if (d.toSeconds() < 120) {
        return d.toSeconds() + "s";
      }
      return d.toMinutes() + "m";
    }
  }
}

package io.meshgate.migration;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Drives the pure machine tick by tick against a make-believe cluster that does what the actions
 * ask (instantly, unless told otherwise), with a scripted gate.
 */
final class FakeWorld {
  static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
  static final String FROM = "1-19-0";
  static final String TO = "1-20-0";

  /** The proxy every pod runs before an in-place upgrade, and the one the injector gives after. */
  static final String OLD_IMAGE = "docker.io/istio/proxyv2:1.20.0";

  static final String NEW_IMAGE = "docker.io/istio/proxyv2:1.20.1";

  final Map<String, Integer> workloads = new HashMap<>();
  final Map<String, Boolean> flipped = new HashMap<>();
  final Map<String, String> restartIds = new HashMap<>();
  final Set<String> stuck = new HashSet<>();
  final Set<String> failing = new HashSet<>();
  final Set<String> approved = new HashSet<>();
  final Map<String, List<String>> selected = new HashMap<>();
  final List<Action> executed = new ArrayList<>();
  final List<Decision.Transition> transitions = new ArrayList<>();

  /** Revision tags by name; tag mode's moves and pins act on these. */
  final Map<String, Observed.TagWebhook> tags = new HashMap<>();

  final Set<String> followingTag = new HashSet<>();

  /** Namespaces pinned by tag mode's rollback, with the label they got. */
  final Map<String, String> pinned = new HashMap<>();

  /** What the injector of toRevision gives, in an in-place upgrade ({@code mode: Restart}). */
  Observed.ProxyImage targetImage =
      new Observed.ProxyImage(NEW_IMAGE, "ConfigMap istio-system/istio-sidecar-injector-1-20-0");

  /** What the Sail Operator says of the revisions; none by default. */
  Observed.Sail sail = Observed.Sail.NONE;

  boolean toAvailable = true;
  boolean fromAvailable = true;
  boolean windowOpen = true;
  boolean aborted;
  Duration interval = Duration.ofSeconds(30);
  MigrationSpec spec;
  MigrationStatus status = MigrationStatus.initial();
  Instant now = START;
  List<AlertRecord> alerts = new ArrayList<>();

  /** The gate's answer for a namespace at a tick; null means not evaluated. */
  BiFunction<String, Integer, List<RuleResult>> gate = (ns, tick) -> passing();

  int tick;

  FakeWorld(MigrationSpec spec, String... namespaces) {
    this.spec = spec;
    for (String ns : namespaces) {
      workloads.put(ns, 2);
    }
  }

  static List<RuleResult> passing() {
    return List.of(
        result("error-rate", Severity.CRITICAL, Result.PASS),
        result("p99-latency", Severity.CRITICAL, Result.PASS));
  }

  static List<RuleResult> failing(String rule, Severity severity) {
    return List.of(
        result(rule, severity, Result.FAIL), result("other", Severity.CRITICAL, Result.PASS));
  }

  static List<RuleResult> noData() {
    return List.of(result("error-rate", Severity.CRITICAL, Result.NO_DATA));
  }

  static RuleResult result(String rule, Severity severity, Result result) {
    String reason =
        result == Result.FAIL
            ? "ThresholdExceeded"
            : result == Result.NO_DATA ? "NoData" : "WithinBounds";
    return new RuleResult(
        rule,
        severity,
        result,
        result == Result.FAIL ? 0.05 : 0.001,
        0.01,
        null,
        "q",
        reason,
        rule + " " + result);
  }

  Observed observed() {
    Map<String, Observed.TargetFacts> facts = new HashMap<>();
    workloads.forEach(
        (ns, count) -> {
          String id = status.namespace(ns).map(TargetStatus::restartId).orElse(null);
          boolean restarted = id != null && id.equals(restartIds.get(ns));
          boolean onTarget = flipped.getOrDefault(ns, false) || pinned.containsKey(ns);
          String before = spec.restartMode() ? OLD_IMAGE : FROM;
          String podRevision =
              restartIds.containsKey(ns) && !stuck.contains(ns)
                  ? (revisionOfLastRestart.getOrDefault(ns, before))
                  : before;
          facts.put(
              ns,
              new Observed.TargetFacts(
                  true,
                  onTarget,
                  count,
                  restarted ? count : 0,
                  restarted && !stuck.contains(ns) ? count : 0,
                  failing.contains(ns),
                  Map.of(podRevision, count * 2)));
        });
    Set<String> inUse = new HashSet<>();
    workloads
        .keySet()
        .forEach(
            ns -> {
              if (!flipped.getOrDefault(ns, false)
                  || FROM.equals(revisionOfLastRestart.getOrDefault(ns, FROM))) {
                inUse.add(ns);
              }
            });
    return new Observed(
        toAvailable,
        fromAvailable,
        selected,
        facts,
        inUse,
        tags,
        followingTag,
        Map.of(),
        Map.of(),
        spec.restartMode() ? targetImage : null,
        sail);
  }

  /** The revision a pod of {@code ns} gets when it is recreated now. */
  private String injected(String ns) {
    if (spec.restartMode()) {
      return targetImage == null ? null : targetImage.image();
    }
    if (!spec.tagMode()) {
      return flipped.getOrDefault(ns, false) ? resolve(spec.toRevision()) : FROM;
    }
    if (pinned.containsKey(ns)) {
      return resolve(pinned.get(ns));
    }
    return resolve(spec.tag().name());
  }

  private String resolve(String name) {
    return Resolution.revisionOf(name, tags);
  }

  final Map<String, String> revisionOfLastRestart = new HashMap<>();

  Decision tick() {
    return tick(true);
  }

  /** A tick whose actions are done but whose status write is lost: the daemon died before it. */
  Decision tickDyingBeforeTheStatusWrite() {
    return tick(false);
  }

  private Decision tick(boolean statusWritten) {
    Map<String, List<RuleResult>> results = new HashMap<>();
    for (TargetStatus ns : status.namespaces()) {
      if (Set.of(TargetPhase.Verifying, TargetPhase.Soaking, TargetPhase.Held, TargetPhase.Stalled)
          .contains(ns.phase())) {
        List<RuleResult> r = gate.apply(ns.name(), tick);
        if (r != null) {
          results.put(ns.name(), r);
        }
      }
    }
    TickInput input =
        new TickInput(
            "istio-1-20", 1, spec, status, observed(), results, windowOpen, approved, aborted, now);
    Decision decision = MigrationMachine.decide(input);
    MigrationStatus next = decision.status();
    for (Action action : decision.actions()) {
      executed.add(action);
      if (spec.dryRun()) {
        continue;
      }
      if (action instanceof Action.CaptureBaseline c) {
        next = withBaseline(next, c.namespace());
      } else if (action instanceof Action.Flip f) {
        flipped.put(f.namespace(), true);
      } else if (action instanceof Action.RestoreLabels r) {
        flipped.put(r.namespace(), false);
      } else if (action instanceof Action.Restart r) {
        restartIds.put(r.namespace(), r.restartId());
        revisionOfLastRestart.put(r.namespace(), injected(r.namespace()));
      } else if (action instanceof Action.Pin p) {
        pinned.put(p.namespace(), p.label());
      } else if (action instanceof Action.MoveTag m) {
        // a Sail tag moves through its targetRef, a Helm one stays Helm's
        Observed.TagWebhook before = tags.get(m.tag());
        tags.put(
            m.tag(),
            new Observed.TagWebhook(
                m.revision(),
                "istio-1-20",
                m.previousRevision(),
                before == null || before.sail() == null
                    ? null
                    : new Observed.SailTag("IstioRevision", m.revision()),
                before != null && before.helm()));
      }
    }
    if (spec.dryRun()) {
      for (Action action : decision.actions()) {
        if (action instanceof Action.CaptureBaseline c) {
          next = withBaseline(next, c.namespace());
        }
      }
    }
    transitions.addAll(decision.transitions());
    if (statusWritten) {
      status = next;
    }
    now = now.plus(interval);
    tick++;
    return decision;
  }

  static MigrationStatus withBaseline(MigrationStatus status, String namespace) {
    List<TargetStatus> namespaces =
        status.namespaces().stream()
            .map(
                n ->
                    n.name().equals(namespace)
                        ? n.withBaseline(Map.of("p99-latency", 87.0), Map.of())
                        : n)
            .toList();
    return status.withNamespaces(namespaces);
  }

  void runTicks(int n) {
    for (int i = 0; i < n; i++) {
      tick();
    }
  }

  TargetPhase phase(String ns) {
    return status.namespace(ns).orElseThrow().phase();
  }

  TargetStatus ns(String ns) {
    return status.namespace(ns).orElseThrow();
  }

  void alert(String name, AlertAction action, String namespace, String revision) {
    alerts.add(
        new AlertRecord(
            action,
            namespace,
            revision,
            List.of(name),
            1,
            AlertFingerprints.EMPTY.with(
                new long[] {AlertFingerprints.parse("fp-" + name)}, AlertRecords.MAX_TRACKED),
            START,
            START));
    status = status.withAlerts(alerts);
  }

  void resolveAlerts() {
    alerts.clear();
    status = status.withAlerts(List.of());
  }

  static MigrationSpec spec(List<MigrationSpec.Wave> waves) {
    return new MigrationSpec(
        FROM,
        TO,
        waves,
        List.of(new MigrationSpec.GateRef("error-rate", null, null, null, null, null)),
        Duration.ofSeconds(30),
        3,
        3,
        10,
        Duration.ofMinutes(30),
        MigrationSpec.OnFailure.Rollback,
        MigrationSpec.RollbackScope.Namespace,
        1,
        MigrationSpec.Restart.DEFAULT,
        new MigrationSpec.MaintenanceWindow("0 0 1 ? * MON-FRI", Duration.ofHours(4), "UTC"),
        false,
        false,
        null);
  }

  static MigrationSpec.Wave wave(
      String name, Duration soak, int maxConcurrent, boolean approval, String... namespaces) {
    return new MigrationSpec.Wave(
        name, List.of(namespaces), Map.of(), soak, maxConcurrent, approval);
  }

  /** {@code s} with the given settings of what to do on failure, pausing and dry run. */
  static MigrationSpec with(
      MigrationSpec s,
      MigrationSpec.OnFailure onFailure,
      MigrationSpec.RollbackScope scope,
      int maxRollbacks,
      boolean paused,
      boolean dryRun) {
    return new MigrationSpec(
        s.fromRevision(),
        s.toRevision(),
        s.waves(),
        s.gates(),
        s.interval(),
        s.failureLimit(),
        s.passStreak(),
        s.noDataLimit(),
        s.baselineWindow(),
        onFailure,
        scope,
        maxRollbacks,
        s.restart(),
        s.window(),
        paused,
        dryRun,
        s.tag(),
        s.mode());
  }

  /** {@code s} as an in-place upgrade of {@value #TO}: {@code mode: Restart}, no fromRevision. */
  static MigrationSpec inPlace(MigrationSpec s) {
    return new MigrationSpec(
        TO,
        TO,
        s.waves(),
        s.gates(),
        s.interval(),
        s.failureLimit(),
        s.passStreak(),
        s.noDataLimit(),
        s.baselineWindow(),
        s.onFailure(),
        s.rollbackScope(),
        s.maxRollbacks(),
        s.restart(),
        s.window(),
        s.paused(),
        s.dryRun(),
        null,
        MigrationSpec.Mode.Restart);
  }
}

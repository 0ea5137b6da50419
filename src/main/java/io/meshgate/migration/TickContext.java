package io.meshgate.migration;

import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the pieces of one tick share: its input, the working copy of every target (namespaces, then
 * gateways, by name or {@link GatewayRef#key()}), and what the tick decided so far (actions,
 * transitions, holds); with the small moves all of them make.
 */
final class TickContext {
  final TickInput in;
  final MigrationSpec spec;
  final Map<String, TargetState> targets = new LinkedHashMap<>();
  final List<Action> actions = new ArrayList<>();
  final List<Decision.Transition> transitions = new ArrayList<>();
  final List<Decision.Hold> holds = new ArrayList<>();
  final Resolution revisions;
  final TagMode tag;

  static final TargetKind NAMESPACES = new NamespaceKind();
  static final TargetKind IN_PLACE = new InPlaceNamespaceKind();

  TickContext(TickInput in) {
    this.in = in;
    this.spec = in.spec();
    this.revisions = Resolution.of(spec, in.status(), in.observed().tags());
    this.tag = new TagMode(this);
  }

  /** How this migration moves its namespaces: flipped, or restarted after an in-place upgrade. */
  TargetKind namespaceKind() {
    return spec.restartMode() ? IN_PLACE : NAMESPACES;
  }

  /** The revision the migration moves to (its tag resolved). */
  String to() {
    return revisions.to();
  }

  /** The revision the migration moves from, where rollbacks go. */
  String from() {
    return revisions.from();
  }

  /** {@code toRevision} as users wrote it and, for a tag, what it stands for. */
  String toShown() {
    return Resolution.shown(spec.toRevision(), to());
  }

  /** Adds {@code action} unless the tick has it already: every namespace may ask for the move. */
  void once(Action action) {
    if (!actions.contains(action)) {
      actions.add(action);
    }
  }

  /** The revisions as status records them: fixed once a namespace started. */
  MigrationStatus.Revisions recordedRevisions() {
    return new MigrationStatus.Revisions(
        from(), to(), tag.recorded(), ZtunnelChecks.recorded(this));
  }

  /** Every target of every wave gets its working copy: see {@link TargetSeeds}. */
  void seed() {
    TargetSeeds.seed(this);
  }

  List<TargetState> all() {
    return List.copyOf(targets.values());
  }

  /**
   * What the migration's messages call its targets: {@code namespaces} while it moves namespaces
   * only (as it always did), {@code targets} once gateways are among them.
   */
  String targetsNoun() {
    return targetNoun() + "s";
  }

  /** {@code 1 namespace}, {@code 3 namespaces}, {@code 2 targets}: a count of targets in words. */
  String counted(long count) {
    return count + " " + (count == 1 ? targetNoun() : targetsNoun());
  }

  /** One of {@link #targetsNoun()}. */
  String targetNoun() {
    return targets.values().stream()
            .anyMatch(t -> t.kind.section() != TargetKind.Section.NAMESPACES)
        ? "target"
        : "namespace";
  }

  /** The restart id of a target's restart onto the target revision. */
  String restartId(TargetState target) {
    return in.migration() + "/" + target.name + "/1";
  }

  /** The restart id of a target's restart back onto the old revision. */
  String rollbackRestartId(TargetState target) {
    return in.migration() + "/" + target.name + "/2";
  }

  MigrationSpec.Wave wave(String name) {
    return spec.waves().stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
  }

  Observed.TargetFacts facts(TargetState target) {
    Observed.TargetFacts observed = target.kind.facts(in.observed(), target.name);
    if (!spec.dryRun()) {
      return observed;
    }
    // dry run changes nothing, so what the actions would have done is taken as done
    boolean forward =
        target.phase != TargetPhase.RollingBack && target.phase != TargetPhase.Pending;
    return new Observed.TargetFacts(observed.exists(), forward, 0, 0, 0, false, Map.of());
  }

  /** Where the target's sidecars must go in its phase, as its kind counts them. */
  SidecarGoal goal(TargetState ns) {
    return ns.kind.goal(this, ns);
  }

  /** What the census of {@code ns} counts as on the target: the revision, or the proxy image. */
  String proxyTarget(TargetState ns) {
    return goal(ns).revision();
  }

  /**
   * Whether the restart action has work: a rollout not complete (OnDelete pods are replaced one by
   * one, tick after tick), or unmanaged pods to evict.
   */
  boolean needsRestart(Observed.TargetFacts facts) {
    return !facts.rolloutComplete()
        || (spec.restart().evictUnmanaged() && !facts.unmanagedPods().isEmpty());
  }

  /** Alerts naming the target's namespace, or (while it is on the target) the target revision. */
  List<AlertRecord> alerts(TargetState ns) {
    boolean onTarget = ns.phase.isInFlight();
    String namespace = ns.kind.namespace(ns.name);
    return in.status().alerts().stream()
        .filter(
            a ->
                namespace.equals(a.namespace())
                    || (onTarget
                        && a.namespace() == null
                        && (to().equals(a.revision()) || spec.toRevision().equals(a.revision()))))
        .toList();
  }

  boolean holdAlert(TargetState ns) {
    return alerts(ns).stream().anyMatch(a -> a.action() == AlertAction.HOLD);
  }

  Duration elapsed(TargetState ns) {
    return ns.phaseSince == null ? Duration.ZERO : Duration.between(ns.phaseSince, in.now());
  }

  /**
   * Both istiods Available, and the names of the spec still stand for what they did: the tag of tag
   * mode exists and points at {@code fromRevision} (or this migration moved it from there).
   */
  boolean revisionsAvailable() {
    return spec.dryRun()
        || (in.observed().toRevisionAvailable()
            && in.observed().fromRevisionAvailable()
            && tag.problems().isEmpty());
  }

  /**
   * Whether a namespace can be sent back now: the old istiod Available, {@code fromRevision} still
   * standing for it, and in tag mode the tag's webhook there and {@code pinTo} on the old revision
   * (what the target's names do no longer matters).
   */
  boolean rollbackRevisionAvailable() {
    if (spec.dryRun()) {
      return true;
    }
    List<String> fromDrift = new ArrayList<>();
    drift(spec.fromRevision(), from(), fromDrift);
    boolean tagUsable =
        !spec.tagMode() || (tag.webhook() != null && revisions.pin().equals(from()));
    return in.observed().fromRevisionAvailable() && fromDrift.isEmpty() && tagUsable;
  }

  Cause revisionUnavailable() {
    List<String> missing = new ArrayList<>();
    if (!in.observed().toRevisionAvailable()) {
      missing.add("target revision " + toShown());
    }
    // an in-place upgrade has one revision: it is the target
    if (!in.observed().fromRevisionAvailable() && !from().equals(to())) {
      missing.add("rollback revision " + Resolution.shown(spec.fromRevision(), from()));
    }
    List<String> problems = new ArrayList<>();
    if (!missing.isEmpty()) {
      problems.add(
          "istiod of "
              + String.join(" and ", missing)
              + " is not Available (or its injector webhook is missing)");
    }
    List<String> tagProblems = tag.problems();
    problems.addAll(tagProblems);
    boolean tagMissing = spec.tagMode() && tag.webhook() == null;
    boolean mismatchOnly = missing.isEmpty() && !tagMissing;
    return new Cause(
        mismatchOnly ? Reason.TAG_MISMATCH : Reason.REVISION_UNAVAILABLE,
        String.join("; ", problems));
  }

  /**
   * A name of the spec that no longer stands for the revision it did when the migration started: a
   * tag moved since, or the spec edited to another revision.
   */
  void drift(String name, String recorded, List<String> problems) {
    String now = Resolution.revisionOf(name, in.observed().tags());
    if (now.equals(recorded)) {
      return;
    }
    problems.add(
        (in.observed().tags().containsKey(name) ? "tag " + name + " now points at " + now : name)
            + "; the migration started with "
            + recorded
            + " (start a new migration to move to another revision)");
  }

  /** Targets sent back, and targets halted because they could not be: what the brake counts. */
  long rollbacks() {
    return targets.values().stream()
        .filter(
            n ->
                n.phase == TargetPhase.RollingBack
                    || n.phase == TargetPhase.RolledBack
                    || n.halted())
        .count();
  }

  /** maxRollbacks 0 disables the brake. */
  boolean brakeEngaged() {
    return spec.maxRollbacks() > 0 && rollbacks() >= spec.maxRollbacks();
  }

  void move(TargetState ns, TargetPhase to, Reason reason, String message) {
    Transitions.check(ns.name, ns.phase, to);
    transitions.add(new Decision.Transition(ns.name, ns.phase, to, reason, message));
    ns.phase = to;
    ns.phaseSince = in.now();
    if (to == TargetPhase.Soaking || to == TargetPhase.Verifying) {
      ns.passStreak = 0;
    }
    if (to.isTerminal()) {
      // counts of a namespace no longer judged; the verdict keeps why it ended
      ns.failureStreaks = Map.of();
      ns.noDataStreak = 0;
    }
  }

  /** A hold that needs attention; said once when it begins or its reason changes. */
  void hold(TargetState ns, Cause cause) {
    hold(ns, cause, cause.message());
  }

  /** As {@link #hold(TargetState, Cause)}, the verdict showing {@code verdictText}. */
  void hold(TargetState ns, Cause cause, String verdictText) {
    TargetStatus.Verdict before = ns.lastVerdict;
    verdict(ns, Verdict.HOLD, verdictText);
    if (before != ns.lastVerdict) {
      holds.add(new Decision.Hold(ns.name, cause.reason(), cause.message()));
    }
  }

  /** The verdict is re-stamped only when it changes, so an idle tick writes nothing. */
  void verdict(TargetState ns, Verdict verdict, String reason) {
    TargetStatus.Verdict last = ns.lastVerdict;
    if (last == null || last.verdict() != verdict || !Objects.equals(last.reason(), reason)) {
      ns.lastVerdict = new TargetStatus.Verdict(verdict, reason, in.now());
    }
  }

  static String minutes(Duration d) {
    if (d.toSeconds() < 120) {
      return d.toSeconds() + "s";
    }
    return d.toMinutes() + "m";
  }
}

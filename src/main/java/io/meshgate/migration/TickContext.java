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

  static final TargetKind NAMESPACES = new NamespaceKind();
  static final TargetKind IN_PLACE = new InPlaceNamespaceKind();

  TickContext(TickInput in) {
    this.in = in;
    this.spec = in.spec();
    this.revisions = Resolution.of(spec, in.status(), in.observed().tags());
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

  /** The webhook of tag mode's tag; null when it has none (or not in tag mode). */
  Observed.TagWebhook tagWebhook() {
    return spec.tagMode() ? in.observed().tags().get(spec.tag().name()) : null;
  }

  /**
   * Where the tag pointed before this migration moved it: recorded in status, or on the webhook by
   * the move itself (a daemon that died before recording it); null while it was not moved.
   */
  String tagPreviousRevision() {
    MigrationStatus.Revisions recorded = in.status().revisions();
    if (recorded != null && recorded.tag() != null && recorded.tag().previousRevision() != null) {
      return recorded.tag().previousRevision();
    }
    Observed.TagWebhook webhook = tagWebhook();
    return webhook != null && in.migration().equals(webhook.movedBy())
        ? webhook.previousRevision()
        : null;
  }

  /** Whether tag mode's tag points at {@code revision} (in a dry run: as if it had been moved). */
  boolean tagAt(String revision) {
    Observed.TagWebhook webhook = tagWebhook();
    return spec.dryRun() || (webhook != null && revision.equals(webhook.revision()));
  }

  /** Why a target goes on once tag mode's tag is on the target, with the Helm warning if any. */
  Cause tagMoved(String doing) {
    String warning = HelmTag.warning(this);
    return new Cause(
        Reason.TAG_MOVED,
        "tag "
            + spec.tag().name()
            + " -> "
            + to()
            + "; "
            + doing
            + (warning == null ? "" : "; warning: " + warning));
  }

  /** Tag mode's tag moved to {@code revision}, recorded as moved from the old revision. */
  Action.MoveTag tagMove(String revision) {
    return new Action.MoveTag(spec.tag().name(), revision, from());
  }

  /** Tag mode's way forward for every kind: the tag moved to the target; null once it is there. */
  TargetKind.Change tagForward() {
    return tagAt(to())
        ? null
        : new TargetKind.Change(tagMove(to()), "moving tag " + spec.tag().name() + " to " + to());
  }

  /**
   * Tag mode's way back for every kind: with {@code rollbackScope: Migration} the tag moved back
   * (null once it is), otherwise {@code pin}, the target labelled for {@code pinTo} (null once it
   * is pinned, its facts say flipped).
   */
  Action tagBack(Observed.TargetFacts facts, Action pin) {
    if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration) {
      return tagAt(from()) ? null : tagMove(from());
    }
    return facts.flipped() ? null : pin;
  }

  /** How tag mode sent a target back, for every kind. */
  String tagBackHow() {
    if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration) {
      return "tag " + spec.tag().name() + " moved back to " + from();
    }
    return "pinned to istio.io/rev=" + revisions.pinLabel(spec);
  }

  /** Adds {@code action} unless the tick has it already: every namespace may ask for the move. */
  void once(Action action) {
    if (!actions.contains(action)) {
      actions.add(action);
    }
  }

  /** The revisions as status records them: fixed once a namespace started. */
  MigrationStatus.Revisions recordedRevisions() {
    MigrationStatus.TagMove tag = null;
    if (spec.tagMode()) {
      Observed.TagWebhook webhook = tagWebhook();
      tag =
          new MigrationStatus.TagMove(
              spec.tag().name(),
              tagPreviousRevision(),
              webhook == null ? null : webhook.revision());
    }
    return new MigrationStatus.Revisions(from(), to(), tag);
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
            && tagProblems().isEmpty());
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
    boolean tagUsable = !spec.tagMode() || (tagWebhook() != null && revisions.pin().equals(from()));
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
    List<String> tagProblems = tagProblems();
    problems.addAll(tagProblems);
    boolean tagMissing = spec.tagMode() && tagWebhook() == null;
    boolean mismatchOnly = missing.isEmpty() && !tagMissing;
    return new Cause(
        mismatchOnly ? Reason.TAG_MISMATCH : Reason.REVISION_UNAVAILABLE,
        String.join("; ", problems));
  }

  /**
   * What is wrong with the tags the spec names: a tag of tag mode without its webhook or pointing
   * elsewhere than {@code fromRevision} before the move, {@code pinTo} not on the old revision, a
   * tag of {@code fromRevision}/{@code toRevision} moved away since the migration started.
   */
  List<String> tagProblems() {
    List<String> problems = new ArrayList<>();
    drift(spec.fromRevision(), from(), problems);
    drift(spec.toRevision(), to(), problems);
    if (!spec.tagMode()) {
      return problems;
    }
    String tag = spec.tag().name();
    Observed.TagWebhook webhook = tagWebhook();
    if (webhook == null) {
      problems.add("tag " + tag + " has no webhook istio-revision-tag-" + tag);
      return problems;
    }
    String previous = tagPreviousRevision();
    if (previous == null && !from().equals(webhook.revision())) {
      problems.add(
          "tag "
              + tag
              + " points at "
              + webhook.revision()
              + ", not at fromRevision "
              + from()
              + "; tag mode moves a tag from the old revision to the new one");
    } else if (previous != null && !from().equals(previous)) {
      problems.add(
          "tag " + tag + " was moved from " + previous + ", not from fromRevision " + from());
    }
    if (!revisions.pin().equals(from())) {
      problems.add(
          "pinTo "
              + spec.tag().pinTo()
              + " points at "
              + revisions.pin()
              + ", not at fromRevision "
              + from()
              + "; a namespace sent back would not be on the old revision");
    }
    return problems;
  }

  /**
   * A name of the spec that no longer stands for the revision it did when the migration started: a
   * tag moved since, or the spec edited to another revision.
   */
  private void drift(String name, String recorded, List<String> problems) {
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

package io.meshgate.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * Tag mode ({@code spec.tag}, DESIGN.md section 4): a migration that moves a revision tag from the
 * old revision to the new one instead of flipping each target's labels, so every target following
 * the tag moves with it; a target sent back is pinned to the old revision, or with {@code
 * rollbackScope: Migration} the tag moves back. Reached as {@code tick.tag}. Outside tag mode
 * {@link #webhook()} and {@link #recorded()} are null and {@link #problems()} checks only the
 * revision names of the spec, so callers need not ask {@code spec.tagMode()} first for those.
 */
final class TagMode {
  private final TickContext tick;
  private final MigrationSpec spec;

  TagMode(TickContext tick) {
    this.tick = tick;
    this.spec = tick.spec;
  }

  /** The webhook of tag mode's tag; null when it has none (or not in tag mode). */
  Observed.TagWebhook webhook() {
    return spec.tagMode() ? tick.in.observed().tags().get(spec.tag().name()) : null;
  }

  /**
   * Where the tag pointed before this migration moved it: recorded in status, or on the webhook by
   * the move itself (a daemon that died before recording it); null while it was not moved.
   */
  String previousRevision() {
    MigrationStatus.Revisions recorded = tick.in.status().revisions();
    if (recorded != null && recorded.tag() != null && recorded.tag().previousRevision() != null) {
      return recorded.tag().previousRevision();
    }
    Observed.TagWebhook webhook = webhook();
    return webhook != null && tick.in.migration().equals(webhook.movedBy())
        ? webhook.previousRevision()
        : null;
  }

  /** Whether tag mode's tag points at {@code revision} (in a dry run: as if it had been moved). */
  private boolean at(String revision) {
    Observed.TagWebhook webhook = webhook();
    return spec.dryRun() || (webhook != null && revision.equals(webhook.revision()));
  }

  /** Why a target goes on once tag mode's tag is on the target, with the Helm warning if any. */
  Cause moved(String doing) {
    String warning = HelmTag.warning(tick);
    return new Cause(
        Reason.TAG_MOVED,
        "tag "
            + spec.tag().name()
            + " -> "
            + tick.to()
            + "; "
            + doing
            + (warning == null ? "" : "; warning: " + warning));
  }

  /** Tag mode's tag moved to {@code revision}, recorded as moved from the old revision. */
  private Action.MoveTag move(String revision) {
    return new Action.MoveTag(spec.tag().name(), revision, tick.from());
  }

  /** Tag mode's way forward for every kind: the tag moved to the target; null once it is there. */
  TargetKind.Change forward() {
    return at(tick.to())
        ? null
        : new TargetKind.Change(
            move(tick.to()), "moving tag " + spec.tag().name() + " to " + tick.to());
  }

  /**
   * Tag mode's way back for every kind: with {@code rollbackScope: Migration} the tag moved back
   * (null once it is), otherwise {@code pin}, the target labelled for {@code pinTo} (null once it
   * is pinned, its facts say flipped).
   */
  Action back(Observed.TargetFacts facts, Action pin) {
    if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration) {
      return at(tick.from()) ? null : move(tick.from());
    }
    return facts.flipped() ? null : pin;
  }

  /** How tag mode sent a target back, for every kind. */
  String backHow() {
    if (spec.rollbackScope() == MigrationSpec.RollbackScope.Migration) {
      return "tag " + spec.tag().name() + " moved back to " + tick.from();
    }
    return "pinned to istio.io/rev=" + tick.revisions.pinLabel(spec);
  }

  /**
   * The tag as status records it, for {@link TickContext#recordedRevisions()}: its name, where it
   * pointed before the move and where it points now; null when not in tag mode.
   */
  MigrationStatus.TagMove recorded() {
    if (!spec.tagMode()) {
      return null;
    }
    Observed.TagWebhook webhook = webhook();
    return new MigrationStatus.TagMove(
        spec.tag().name(), previousRevision(), webhook == null ? null : webhook.revision());
  }

  /**
   * What is wrong with the tags the spec names: a tag of tag mode without its webhook or pointing
   * elsewhere than {@code fromRevision} before the move, {@code pinTo} not on the old revision, a
   * tag of {@code fromRevision}/{@code toRevision} moved away since the migration started.
   */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    tick.drift(spec.fromRevision(), tick.from(), problems);
    tick.drift(spec.toRevision(), tick.to(), problems);
    if (!spec.tagMode()) {
      return problems;
    }
    String tag = spec.tag().name();
    Observed.TagWebhook webhook = webhook();
    if (webhook == null) {
      problems.add("tag " + tag + " has no webhook istio-revision-tag-" + tag);
      return problems;
    }
    String previous = previousRevision();
    String from = tick.from();
    if (previous == null && !from.equals(webhook.revision())) {
      problems.add(
          "tag "
              + tag
              + " points at "
              + webhook.revision()
              + ", not at fromRevision "
              + from
              + "; tag mode moves a tag from the old revision to the new one");
    } else if (previous != null && !from.equals(previous)) {
      problems.add(
          "tag " + tag + " was moved from " + previous + ", not from fromRevision " + from);
    }
    String pin = tick.revisions.pin();
    if (!pin.equals(from)) {
      problems.add(
          "pinTo "
              + spec.tag().pinTo()
              + " points at "
              + pin
              + ", not at fromRevision "
              + from
              + "; a namespace sent back would not be on the old revision");
    }
    return problems;
  }
}

package io.meshgate.migration;

import java.util.Map;

/**
 * The revisions a migration's names stand for: {@code fromRevision} and {@code toRevision} name a
 * revision or a revision tag (webhook {@code istio-revision-tag-<tag>}, whose {@code istio.io/rev}
 * label is the revision it points at). Once a namespace started, the revisions recorded in status
 * hold: a tag moved by someone else mid-migration does not silently retarget it.
 *
 * @param from the revision of {@code fromRevision}: where rollbacks go
 * @param to the revision of {@code toRevision}: whose proxies the census counts as moved
 * @param pin in tag mode, the revision {@code pinTo} (by default {@code fromRevision}) stands for
 */
public record Resolution(String from, String to, String pin) {
  /**
   * What a pod without an {@code istio.io/rev} gets: the injector of the {@code default} tag, or of
   * the revision named default.
   */
  public static final String DEFAULT = "default";

  public static Resolution of(
      MigrationSpec spec, MigrationStatus status, Map<String, Observed.TagWebhook> tags) {
    MigrationStatus.Revisions recorded = status.revisions();
    boolean started = status.targets().stream().anyMatch(n -> n.phase() != TargetPhase.Pending);
    String from =
        started && recorded != null && recorded.from() != null
            ? recorded.from()
            : revisionOf(spec.fromRevision(), tags);
    String to =
        started && recorded != null && recorded.to() != null
            ? recorded.to()
            : revisionOf(spec.toRevision(), tags);
    String pin =
        spec.tagMode() && spec.tag().pinTo() != null ? revisionOf(spec.tag().pinTo(), tags) : from;
    return new Resolution(from, to, pin);
  }

  /** The label a namespace sent back in tag mode gets: {@code pinTo}, else the old revision. */
  public String pinLabel(MigrationSpec spec) {
    return spec.tag().pinTo() != null ? spec.tag().pinTo() : from;
  }

  /** The revision {@code name} stands for: the one its tag points at, or itself. */
  public static String revisionOf(String name, Map<String, Observed.TagWebhook> tags) {
    Observed.TagWebhook tag = tags.get(name);
    return tag == null || tag.revision() == null ? name : tag.revision();
  }

  /**
   * The migration's revisions for people: {@code 1-19-0 -> 1-20-0}; with tags, each as {@code
   * prod-stable -> 1-19-0} and the two joined by {@code =>}; in tag mode the tag's move appended;
   * an in-place upgrade as {@code 1-20-0 (in-place upgrade)}.
   */
  public static String summary(MigrationSpec spec, MigrationStatus.Revisions revisions) {
    String from = spec.fromRevision();
    String to = spec.toRevision();
    if (spec.restartMode()) {
      // one revision: its istiod was replaced, its namespaces are restarted
      return shown(to, revisions == null ? null : revisions.to()) + " (in-place upgrade)";
    }
    if (revisions == null) {
      return from + " -> " + to + (spec.tagMode() ? ", tag " + spec.tag().name() : "");
    }
    String shownFrom = shown(from, revisions.from());
    String shownTo = shown(to, revisions.to());
    String text =
        shownFrom.equals(from) && shownTo.equals(to)
            ? from + " -> " + to
            : shownFrom + " => " + shownTo;
    MigrationStatus.TagMove tag = revisions.tag();
    if (tag != null) {
      text +=
          ", tag "
              + tag.name()
              + " on "
              + tag.revision()
              + (tag.previousRevision() == null ? "" : " (was " + tag.previousRevision() + ")");
    }
    return text;
  }

  /** {@code prod-canary -> 1-20-0} for a tag, the revision alone for a revision. */
  public static String shown(String name, String revision) {
    return revision == null || revision.equals(name) ? name : name + " -> " + revision;
  }
}

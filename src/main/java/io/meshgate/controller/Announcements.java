package io.meshgate.controller;

import io.meshgate.gate.RuleResult;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.Decision;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.Resolution;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import io.meshgate.notify.Notification;
import io.meshgate.notify.Notifier;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a written tick tells people: each transition and each new hold of a namespace, a gateway, a
 * node or the migration as a notification (Slack, logs), each transition as a Kubernetes Event on
 * the migration. Only after the status holding them was written, so nothing is announced that a
 * conflict undid.
 */
final class Announcements {
  // the controller's lines, as they were before this class was split from it
  private static final Logger LOG = LoggerFactory.getLogger(MigrationController.class);

  private final Notifier notifier;
  private final EventPort events;
  private final Metrics metrics;

  Announcements(Notifier notifier, EventPort events, Metrics metrics) {
    this.notifier = notifier;
    this.events = events;
    this.metrics = metrics;
  }

  void announce(MigrationObject m, TickInput input, Decision decision, MigrationStatus status) {
    Instant at = input.now();
    for (Decision.Transition t : decision.transitions()) {
      TargetStatus.Verdict verdict =
          t.namespace() == null
              ? null
              : target(status, t.namespace()).map(TargetStatus::lastVerdict).orElse(null);
      List<RuleResult> rules =
          t.namespace() == null ? List.of() : input.gate().getOrDefault(t.namespace(), List.of());
      notifier.notify(
          new Notification(
              Notification.kindOf(t),
              m.name(),
              t.namespace(),
              shownFrom(m.spec(), status),
              shownTo(m.spec(), status),
              t.from(),
              t.to(),
              t.reason(),
              t.message(),
              verdict,
              rules,
              at));
      try {
        events.recordEvent(m.ref(), t);
      } catch (ClusterWriteException e) {
        metrics.actions.labelValues(e.action(), "error").inc();
        LOG.warn("could not record an event for {}: {}", t, e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("could not record an event for {}: {}", t, e.toString());
      }
    }
    for (Decision.Hold hold : decision.holds()) {
      TargetStatus held = target(status, hold.namespace()).orElseThrow();
      notifier.notify(
          new Notification(
              Notification.Kind.HELD,
              m.name(),
              held.name(),
              shownFrom(m.spec(), status),
              shownTo(m.spec(), status),
              held.phase(),
              held.phase(),
              hold.reason(),
              hold.message(),
              held.lastVerdict(),
              input.gate().getOrDefault(held.name(), List.of()),
              at));
    }
  }

  /**
   * The status entry of a target a transition or hold names: a namespace, a gateway's or node's
   * key.
   */
  private static Optional<TargetStatus> target(MigrationStatus status, String name) {
    if (NodeRef.isKey(name)) {
      return status.node(NodeRef.name(name));
    }
    return GatewayRef.isKey(name) ? status.gateway(name) : status.namespace(name);
  }

  /** {@code fromRevision} as written and, for a tag, the revision it stands for. */
  private static String shownFrom(MigrationSpec spec, MigrationStatus status) {
    return Resolution.shown(
        spec.fromRevision(), status.revisions() == null ? null : status.revisions().from());
  }

  /** {@code toRevision} as written, its revision for a tag, and in tag mode the tag it moves. */
  private static String shownTo(MigrationSpec spec, MigrationStatus status) {
    return Resolution.shown(
            spec.toRevision(), status.revisions() == null ? null : status.revisions().to())
        + (spec.tagMode() ? " (tag " + spec.tag().name() + ")" : "")
        + (spec.restartMode() ? " (in-place upgrade)" : "");
  }
}

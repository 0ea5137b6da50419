package io.meshgate.notify;

import io.meshgate.gate.RuleResult;
import io.meshgate.migration.Decision;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.Phase;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.time.Instant;
import java.util.List;

/**
 * Something people should hear about: a phase change of a migration or one of its targets, or a
 * target's hold reason changing. {@code namespace} is the target (a namespace, a gateway's {@link
 * GatewayRef#key()}: see {@link #gateway()}, or a node's {@link NodeRef#key}: see {@link #node()}),
 * null for the migration itself. {@code rules} are the gate results of the tick behind it (empty
 * when the gate was not evaluated), so a message can show rule, value, bound, baseline and the
 * resolved PromQL.
 */
public record Notification(
    Kind kind,
    String migration,
    String namespace,
    String fromRevision,
    String toRevision,
    Phase fromPhase,
    Phase toPhase,
    Reason reason,
    String message,
    TargetStatus.Verdict verdict,
    List<RuleResult> rules,
    Instant at) {

  /** What happened, as the kinds of message people get. */
  public enum Kind {
    MIGRATION_STARTED,
    /**
     * A namespace or a gateway was moved onto the new revision and now restarts; a node's ztunnel
     * pod was replaced and it waits for the new one.
     */
    NAMESPACE_FLIPPED,
    HELD,
    PROMOTED,
    ROLLING_BACK,
    ROLLED_BACK,
    STALLED,
    /**
     * A target of the migration is left out (it does not exist, or its label would not move it);
     * its wave goes on without it.
     */
    SKIPPED,
    PAUSED,
    SUCCEEDED,
    FAILED,
    /** Any other transition: logged, not sent to chat. */
    OTHER
  }

  public Notification {
    rules = rules == null ? List.of() : List.copyOf(rules);
  }

  /** The node this is about, by name; null when it is about another target or the migration. */
  public String node() {
    return namespace == null || !NodeRef.isKey(namespace) ? null : NodeRef.name(namespace);
  }

  /** The gateway this is about; null when it is about a namespace, a node or the migration. */
  public GatewayRef gateway() {
    return namespace == null || !GatewayRef.isKey(namespace) ? null : GatewayRef.of(namespace);
  }

  /** The kind of a phase change; a target's or the migration's. */
  public static Kind kindOf(Decision.Transition t) {
    if (t.to() instanceof MigrationPhase to) {
      return switch (to) {
        case Progressing ->
            t.from() == MigrationPhase.Pending ? Kind.MIGRATION_STARTED : Kind.OTHER;
        case Paused -> Kind.PAUSED;
        case AwaitingApproval -> Kind.HELD;
        case Succeeded -> Kind.SUCCEEDED;
        case Failed -> Kind.FAILED;
        case Pending -> Kind.OTHER;
      };
    }
    return switch ((TargetPhase) t.to()) {
      case Restarting -> Kind.NAMESPACE_FLIPPED;
      case Held -> Kind.HELD;
      case Promoted -> Kind.PROMOTED;
      case RollingBack -> Kind.ROLLING_BACK;
      case RolledBack -> Kind.ROLLED_BACK;
      case Stalled -> Kind.STALLED;
      case Skipped -> Kind.SKIPPED;
      case Pending, Migrating, Verifying, Soaking -> Kind.OTHER;
    };
  }
}

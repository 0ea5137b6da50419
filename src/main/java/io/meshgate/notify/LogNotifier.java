package io.meshgate.notify;

import io.meshgate.logging.LogContext;
import io.meshgate.migration.Reason;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Notifications as log lines naming their unit of work; always on, Slack or not. */
public final class LogNotifier implements Notifier {
  private static final Logger LOG = LoggerFactory.getLogger("meshgate.notify");
  private static final Set<Notification.Kind> LOUD =
      EnumSet.of(
          Notification.Kind.ROLLING_BACK,
          Notification.Kind.ROLLED_BACK,
          Notification.Kind.STALLED,
          Notification.Kind.SKIPPED,
          Notification.Kind.PAUSED,
          Notification.Kind.FAILED);

  @Override
  public void notify(Notification n) {
    String change =
        n.fromPhase() == n.toPhase() ? n.toPhase().name() : n.fromPhase() + " -> " + n.toPhase();
    String verdict =
        n.verdict() == null ? "" : " [" + n.verdict().verdict() + ": " + n.verdict().reason() + "]";
    boolean loud =
        LOUD.contains(n.kind())
            || n.reason() == Reason.REVISION_UNAVAILABLE
            || n.reason() == Reason.REGRESSION_NO_ROLLBACK;
    try (LogContext migration =
            LogContext.migration(n.migration(), n.fromRevision(), n.toRevision());
        LogContext target = LogContext.target(n.namespace())) {
      if (loud) {
        LOG.warn("{} {}: {}{}", change, n.reason(), n.message(), verdict);
      } else {
        LOG.info("{} {}: {}{}", change, n.reason(), n.message(), verdict);
      }
    }
  }
}

package io.meshgate.notify;

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
    String subject =
        "migration="
            + n.migration()
            + (n.namespace() == null ? "" : " ns=" + n.namespace())
            + " "
            + n.fromRevision()
            + "\u2192"
            + n.toRevision();
    String change =
        n.fromPhase().equals(n.toPhase()) ? n.toPhase() : n.fromPhase() + " -> " + n.toPhase();
    String verdict =
        n.verdict() == null ? "" : " [" + n.verdict().verdict() + ": " + n.verdict().reason() + "]";
    boolean loud =
        LOUD.contains(n.kind())
            || (n.verdict() != null
                && n.verdict().reason() != null
                && n.verdict().reason().contains("RevisionUnavailable"));
    if (loud) {
      LOG.warn("{} {} {}: {}{}", subject, change, n.reason(), n.message(), verdict);
    } else {
      LOG.info("{} {} {}: {}{}", subject, change, n.reason(), n.message(), verdict);
    }
  }
}

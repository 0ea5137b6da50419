package io.meshgate.notify;

import io.meshgate.migration.Decision;
import io.meshgate.migration.NamespaceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Transitions as log lines naming their unit of work; the default when Slack is not set up. */
public final class LogNotifier implements Notifier {
  private static final Logger LOG = LoggerFactory.getLogger("meshgate.notify");

  @Override
  public void transition(String migration, Decision.Transition t, NamespaceStatus.Verdict verdict) {
    String subject =
        t.namespace() == null
            ? "migration=" + migration
            : "migration=" + migration + " ns=" + t.namespace();
    String detail =
        verdict == null || verdict.reason() == null
            ? ""
            : " [" + verdict.verdict() + ": " + verdict.reason() + "]";
    if (t.to().equals("RollingBack")
        || t.to().equals("Failed")
        || t.to().equals("Stalled")
        || t.to().equals("Paused")) {
      LOG.warn("{} {} -> {} {}: {}{}", subject, t.from(), t.to(), t.reason(), t.message(), detail);
    } else {
      LOG.info("{} {} -> {} {}: {}{}", subject, t.from(), t.to(), t.reason(), t.message(), detail);
    }
  }

  @Override
  public void verdictChanged(String migration, String namespace, NamespaceStatus.Verdict verdict) {
    boolean loud =
        verdict.reason() != null
            && (verdict.reason().contains("RevisionUnavailable")
                || verdict.verdict().equals("ROLLBACK"));
    if (loud) {
      LOG.warn(
          "migration={} ns={} {}: {}", migration, namespace, verdict.verdict(), verdict.reason());
    } else {
      LOG.info(
          "migration={} ns={} {}: {}", migration, namespace, verdict.verdict(), verdict.reason());
    }
  }
}

package io.meshgate.migration;

/** What outside the gate sends a started namespace back: an abort, or a rollback alert. */
final class RollbackCauses {
  private RollbackCauses() {}

  /** The cause of a rollback demanded this tick, or null. */
  static Cause of(TickContext tick, TargetState ns) {
    if (tick.in.aborted()) {
      return new Cause(Reason.ABORTED, "the migration was aborted (meshgate.io/abort)");
    }
    for (AlertRecord alert : tick.alerts(ns)) {
      if (alert.action() == AlertAction.ROLLBACK) {
        return new Cause(
            Reason.ALERT_FIRING,
            firing(alert)
                + " for "
                + (alert.namespace() != null
                    ? "namespace " + alert.namespace()
                    : "revision " + alert.revision()));
      }
    }
    return null;
  }

  /** "alert HighErrorRate is firing", or "3 alerts (HighErrorRate, ...) are firing". */
  private static String firing(AlertRecord alert) {
    String names = String.join(", ", alert.names());
    return alert.count() == 1
        ? "alert " + names + " is firing"
        : alert.count() + " alerts (" + names + ") are firing";
  }
}

package io.meshgate.kube;

import java.time.Duration;
import java.time.Instant;

/**
 * How long this replica may act on its last lease renewal: until {@code renewDeadline} after the
 * renew time of the last record the API server stored for it. Measured from the renew time the
 * record carries, which is taken before the request is sent, so a slow request shortens the time
 * left and never extends it.
 */
final class LeaseClock {
  private final Duration renewDeadline;
  private volatile Instant validUntil = Instant.MIN;

  LeaseClock(Duration renewDeadline) {
    this.renewDeadline = renewDeadline;
  }

  void renewed(Instant renewTime) {
    Instant until = renewTime.plus(renewDeadline);
    synchronized (this) {
      if (until.isAfter(validUntil)) {
        validUntil = until;
      }
    }
  }

  boolean holds(Instant now) {
    return now.isBefore(validUntil);
  }
}

package io.meshgate.controller;

import io.meshgate.sim.Backends;

/**
 * {@link AlertmanagerE2EIT} on Alertmanager 0.35 built from its Go module: the alert it delivers
 * rolls the namespace back, its resolved notification releases the alert and leaves the rollback
 * done.
 */
class AlertmanagerE2EAlertmanager035IT extends AlertmanagerE2EIT {
  @Override
  String alertmanagerBinary() {
    return Backends.alertmanager035();
  }

  @Override
  String alertmanagerName() {
    return "Alertmanager 0.35";
  }
}

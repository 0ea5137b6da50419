package io.meshgate.controller;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link EvidenceWindowIT}'s tests on Prometheus 3 ({@code
 * io.meshgate.sim.Backends#prometheus3()}).
 */
class EvidenceWindowPrometheus3IT extends EvidenceWindowIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

package io.meshgate.controller;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link RollbackLatencyIT}'s tests on Prometheus 3 ({@code
 * io.meshgate.sim.Backends#prometheus3()}).
 */
class RollbackLatencyPrometheus3IT extends RollbackLatencyIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

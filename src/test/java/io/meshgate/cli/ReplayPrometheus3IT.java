package io.meshgate.cli;

import io.meshgate.sim.PrometheusRelease;

/** {@link ReplayIT}'s tests on Prometheus 3 ({@code io.meshgate.sim.Backends#prometheus3()}). */
class ReplayPrometheus3IT extends ReplayIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

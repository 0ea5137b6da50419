package io.meshgate.cli;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link PrometheusOutageIT}'s tests on Prometheus 3 ({@code
 * io.meshgate.sim.Backends#prometheus3()}).
 */
class PrometheusOutagePrometheus3IT extends PrometheusOutageIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

package io.meshgate.cli;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link GatewayEvaluateIT}'s tests on Prometheus 3 ({@code
 * io.meshgate.sim.Backends#prometheus3()}).
 */
class GatewayEvaluatePrometheus3IT extends GatewayEvaluateIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

package io.meshgate.controller;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link GatewayGateIT}'s tests on Prometheus 3 ({@code io.meshgate.sim.Backends#prometheus3()}).
 */
class GatewayGatePrometheus3IT extends GatewayGateIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

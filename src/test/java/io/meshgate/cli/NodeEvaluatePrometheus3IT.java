package io.meshgate.cli;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link NodeEvaluateIT}'s tests on Prometheus 3 ({@code io.meshgate.sim.Backends#prometheus3()}).
 */
class NodeEvaluatePrometheus3IT extends NodeEvaluateIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

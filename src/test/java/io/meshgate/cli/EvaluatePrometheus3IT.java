package io.meshgate.cli;

import io.meshgate.sim.PrometheusRelease;

/** {@link EvaluateIT}'s tests on Prometheus 3 ({@code io.meshgate.sim.Backends#prometheus3()}). */
class EvaluatePrometheus3IT extends EvaluateIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

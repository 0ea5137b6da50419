package io.meshgate.cli;

import io.meshgate.sim.PrometheusRelease;

/**
 * {@link PartialAnswersIT}'s tests on Prometheus 3 ({@code
 * io.meshgate.sim.Backends#prometheus3()}).
 */
class PartialAnswersPrometheus3IT extends PartialAnswersIT {
  @Override
  PrometheusRelease release() {
    return PrometheusRelease.PROMETHEUS_3;
  }
}

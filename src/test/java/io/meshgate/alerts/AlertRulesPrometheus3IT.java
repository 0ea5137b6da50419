package io.meshgate.alerts;

import io.meshgate.sim.Backends;

/**
 * {@link AlertRulesIT} with the promtool of Prometheus 3: {@code promtool check rules} accepts
 * alerts/*.rules.yaml and {@code promtool test rules} passes every test of alerts/tests/ (which
 * evaluate the recording and alerting rules with 3.x's PromQL engine: left-open ranges included).
 */
class AlertRulesPrometheus3IT extends AlertRulesIT {
  @Override
  String promtool() {
    return Backends.promtool3();
  }
}

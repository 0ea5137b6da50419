package io.meshgate.controller;

import io.meshgate.sim.PrometheusRelease;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CohortIT}'s regression story on Prometheus 3. Of its two stories this one carries the
 * PromQL: the namespace's error rate and the cohort's, measured in the same query, must tell a
 * regression of the new revision (the cohort at 0) from a healthy mesh. The mesh-wide incident asks
 * the same queries and then waits out a 40 s soak and the migration's end (81 s), which is the
 * controller's work, the same on any Prometheus.
 */
class CohortPrometheus3IT {
  @TempDir Path dir;

  @Test
  void aRegressionOnTheNewRevisionOnlyStillRollsBack() throws Exception {
    CohortIT.withDaemon(
        dir,
        PrometheusRelease.PROMETHEUS_3,
        "regression",
        "10m",
        CohortScenario::regressionOnTheNewRevisionOnly);
  }
}

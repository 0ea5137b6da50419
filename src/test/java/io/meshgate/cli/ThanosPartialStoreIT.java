package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.ThanosStores;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, Thanos Querier with a store down, through {@code meshgate evaluate}: two Prometheus
 * servers holding different shards (the mesh's request metrics; the istiod revisions), each behind
 * a sidecar. A store that cannot answer never yields a PASS, whichever way Thanos loses it:
 *
 * <ul>
 *   <li>its Prometheus down behind a live sidecar: the querier fails the query, since meshgate asks
 *       with {@code partial_response=false} (with {@code true} it would answer from the other store
 *       with a warning); every rule is ERROR. Once the sidecar's heartbeat to its Prometheus fails
 *       (every {@code --prometheus.get_config_interval}, 30 s; thanos cmd/thanos/sidecar.go) it
 *       turns not ready, and the querier drops it as below;
 *   <li>its sidecar gone: within one health check ({@code --endpoint.info-timeout}, 5 s) the
 *       querier drops the endpoint and answers from the other store without error or warning
 *       (thanos pkg/query/endpointset.go, {@code isQueryable}: a non-strict endpoint whose last
 *       health check failed is not asked); {@code partial_response} cannot catch that, the rules'
 *       volume guards do: the rules on the missing shard are NO_DATA.
 * </ul>
 *
 * After the store is back the gate passes again.
 */
class ThanosPartialStoreIT {
  private static final int MESH = 0;
  private static final int ISTIOD = 1;
  private static final String[] TICK = {
    "--to-revision", "1-20-0", "--from-revision", "1-19-0", "-n", "payments"
  };

  @TempDir static Path dir;
  private static ThanosStores stores;
  private static Path rules;
  private static long started;

  @BeforeAll
  static void start() throws IOException {
    started = System.nanoTime();
    MeshSimulator mesh = new MeshSimulator(2801);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    rules = RealPrometheus.shortRules(dir.resolve("rules"));
    stores = ThanosStores.shards(mesh, dir);
  }

  @AfterAll
  static void stop() {
    if (stores != null) {
      stores.close();
    }
    System.out.printf(
        "FIGURE ThanosPartialStoreIT wall time %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  private static RealPrometheus.Evaluation tick() {
    return RealPrometheus.evaluate(stores.querier.url(), rules, TICK);
  }

  /** Evaluates every second until PROMOTE (90 s at most); the seconds it took. */
  private static double awaitPromote() {
    long from = System.nanoTime();
    AtomicReference<RealPrometheus.Evaluation> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              last.set(tick());
              assertThat(last.get().verdict()).as("%s", last.get().json()).isEqualTo("PROMOTE");
            });
    assertThat(last.get().exitCode()).isZero();
    return (System.nanoTime() - from) / 1e9;
  }

  private static String result(RealPrometheus.Evaluation run, String rule) {
    return run.result("payments", rule);
  }

  @Test
  void aStoreDownNeverPassesAndTheGatePassesAgainOnceItIsBack() throws Exception {
    awaitPromote();

    stores.killPrometheus(ISTIOD);
    RealPrometheus.Evaluation prometheusDown = tick();

    assertThat(prometheusDown.exitCode()).as(prometheusDown.err()).isEqualTo(1);
    assertThat(prometheusDown.verdict()).isEqualTo("HOLD");
    JsonNode payments = prometheusDown.namespace("payments");
    assertThat(payments.path("reasonCode").asText()).isEqualTo("QueryFailed");
    for (JsonNode rule : payments.path("rules")) {
      assertThat(rule.path("result").asText()).as("%s", rule).isEqualTo("ERROR");
      assertThat(rule.path("message").asText())
          .as("%s", rule)
          .startsWith("Prometheus answered execution: ")
          .contains("receive series from Addr: " + stores.sidecars.get(ISTIOD).grpcAddress());
    }

    // the sidecar's heartbeat to its Prometheus fails: it turns not ready, the querier drops it
    long down = System.nanoTime();
    stores.querier.awaitStores(1);
    System.out.printf(
        "FIGURE thanos: sidecar of a dead Prometheus dropped by the querier after %.1f s%n",
        (System.nanoTime() - down) / 1e9);
    RealPrometheus.Evaluation dropped = tick();
    assertThat(dropped.verdict()).as("%s", dropped.json()).isEqualTo("HOLD");
    assertThat(result(dropped, "convergence-time")).isEqualTo("NO_DATA");
    assertThat(result(dropped, "xds-rejects")).isEqualTo("NO_DATA");

    stores.restartPrometheus(ISTIOD);
    double afterPrometheus = awaitPromote();
    System.out.printf(
        "FIGURE thanos: Prometheus of one shard down -> HOLD (ERROR); PROMOTE again %.1f s after"
            + " it and its sidecar were back%n",
        afterPrometheus);

    stores.sidecars.get(ISTIOD).stop();
    stores.querier.awaitStores(1);
    RealPrometheus.Evaluation sidecarGone = tick();

    assertThat(sidecarGone.exitCode()).as("%s", sidecarGone.json()).isEqualTo(1);
    assertThat(sidecarGone.verdict()).isEqualTo("HOLD");
    assertThat(result(sidecarGone, "convergence-time")).isEqualTo("NO_DATA");
    assertThat(result(sidecarGone, "xds-rejects")).isEqualTo("NO_DATA");
    assertThat(result(sidecarGone, "error-rate")).isEqualTo("PASS");
    assertThat(sidecarGone.namespace("payments").path("reason").asText())
        .startsWith("no data for convergence-time")
        .contains("xds-rejects");

    stores.sidecars.get(ISTIOD).start();
    stores.querier.awaitStores(2);
    double afterSidecar = awaitPromote();
    System.out.printf(
        "FIGURE thanos: sidecar of the istiod shard gone -> HOLD (NO_DATA, no error from Thanos);"
            + " PROMOTE again %.1f s after the querier saw it back%n",
        afterSidecar);

    stores.sidecars.get(MESH).stop();
    stores.querier.awaitStores(1);
    RealPrometheus.Evaluation meshShardGone = tick();

    assertThat(meshShardGone.verdict()).isEqualTo("HOLD");
    assertThat(result(meshShardGone, "error-rate")).isEqualTo("NO_DATA");
    assertThat(result(meshShardGone, "p99-latency")).isEqualTo("NO_DATA");

    stores.sidecars.get(MESH).start();
    stores.querier.awaitStores(2);
    System.out.printf(
        "FIGURE thanos: sidecar of the mesh shard gone -> HOLD (NO_DATA); PROMOTE again %.1f s"
            + " after the querier saw it back%n",
        awaitPromote());
  }
}

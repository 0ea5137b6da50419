package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.PrometheusRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 27: the shipped rules, ztunnel-connection-failures among them, through {@code meshgate
 * evaluate --node} against a real Prometheus holding an hour of recorded ztunnel metrics (written
 * with {@code promtool tsdb create-blocks-from openmetrics}), labelled as the shipped PodMonitor
 * labels them: {@code node} from the pod's node, {@code app="ztunnel"}. worker-1 is healthy (its
 * only failures are AuthorizationPolicy denials), worker-2 fails 10% of its connections (and hosts
 * a sidecar whose own connections must not dilute that), worker-3 is nearly idle. On Debian's
 * Prometheus 2.42 here, on Prometheus 3 in {@link NodeEvaluatePrometheus3IT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeEvaluateIT {
  private static final Duration SCRAPE = Duration.ofSeconds(15);

  private PrometheusProcess prometheus;
  private Instant end;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  /**
   * One counter series of ztunnel at {@code perSecond} over the hour before {@code end}, exact (a
   * value rounded to 0.1 made the counter uneven, and Prometheus 3, extrapolating over the sample
   * its left-open window leaves out, read the quiet node's 30 connections as 30.11).
   */
  private void series(StringBuilder om, String name, String labels, double perSecond) {
    double total = 0;
    for (Instant t = end.minus(Duration.ofHours(1)); !t.isAfter(end); t = t.plus(SCRAPE)) {
      total += perSecond * SCRAPE.toSeconds();
      om.append(
          String.format(Locale.ROOT, "%s{%s} %.2f %d%n", name, labels, total, t.getEpochSecond()));
    }
  }

  private String ztunnel(String node, String reporter) {
    return "app=\"ztunnel\",node=\"" + node + "\",reporter=\"" + reporter + "\"";
  }

  @BeforeAll
  void history(@TempDir Path dir) throws Exception {
    end = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MINUTES);
    StringBuilder om = new StringBuilder("# TYPE istio_tcp_connections_opened counter\n");
    for (String reporter : List.of("source", "destination")) {
      series(om, "istio_tcp_connections_opened_total", ztunnel("worker-1", reporter), 10);
      series(om, "istio_tcp_connections_opened_total", ztunnel("worker-2", reporter), 10);
      series(om, "istio_tcp_connections_opened_total", ztunnel("worker-3", reporter), 0.05);
    }
    // a sidecar on worker-2, scraped with its node too: not ztunnel's traffic
    series(
        om,
        "istio_tcp_connections_opened_total",
        "app=\"reviews\",node=\"worker-2\",reporter=\"destination\"",
        1000);
    om.append("# TYPE istio_tcp_connections_failed counter\n");
    series(
        om,
        "istio_tcp_connections_failed_total",
        ztunnel("worker-1", "destination") + ",response_flags=\"DENY\"",
        2);
    series(
        om,
        "istio_tcp_connections_failed_total",
        ztunnel("worker-2", "source") + ",response_flags=\"CONNECT\"",
        2);
    om.append("# EOF\n");
    release()
        .backfill(
            Files.writeString(dir.resolve("ztunnel.om"), om.toString()), dir.resolve("prometheus"));
    prometheus = release().start(dir.resolve("prometheus"), "global: {}\n");
  }

  @AfterAll
  void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private JsonNode rule(JsonNode json, String node, String rule) {
    for (JsonNode target : json.path("namespaces")) {
      if (target.path("namespace").asText().equals("node:" + node)) {
        for (JsonNode r : target.path("rules")) {
          if (r.path("rule").asText().equals(rule)) {
            return r;
          }
        }
      }
    }
    throw new AssertionError("no rule " + rule + " for node " + node + " in " + json);
  }

  @Test
  void aNodeFailingItsConnectionsRollsBackAHealthyOnePassesAndAQuietOneHasNoData()
      throws IOException {
    Cli cli =
        Cli.run(
            "evaluate",
            "--prometheus",
            prometheus.url().toString(),
            "--to-revision",
            "1-20-0",
            "--node",
            "worker-1,worker-2,worker-3",
            "--rules",
            "rules",
            "--time",
            end.toString(),
            "-o",
            "json");

    JsonNode json = new ObjectMapper().readTree(cli.out());
    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(2);
    JsonNode healthy = rule(json, "worker-1", "ztunnel-connection-failures");
    assertThat(healthy.path("result").asText()).as("%s", healthy).isEqualTo("PASS");
    assertThat(healthy.path("value").asDouble()).as("DENY is left out").isZero();
    JsonNode failing = rule(json, "worker-2", "ztunnel-connection-failures");
    assertThat(failing.path("result").asText()).as("%s", failing).isEqualTo("FAIL");
    assertThat(failing.path("value").asDouble())
        .as("2 failed of 20 opened per second; the sidecar's 1000 not counted")
        .isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.001));
    JsonNode quiet = rule(json, "worker-3", "ztunnel-connection-failures");
    assertThat(quiet.path("result").asText()).isEqualTo("NO_DATA");
    assertThat(quiet.path("message").asText())
        .startsWith("volume 30 in 5m < minVolume 100, probably not receiving traffic");
    assertThat(json.path("namespaces").findValuesAsText("namespace"))
        .containsExactly("node:worker-1", "node:worker-2", "node:worker-3");
  }
}

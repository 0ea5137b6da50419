package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.ThanosStores;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, Thanos Querier: the shipped rules through a querier over an HA pair of Prometheus
 * servers (same targets, external label {@code replica: a|b}, {@code --query.replica-label
 * replica}) give what one of the pair gives directly, and the pair's requests count once, so a
 * rule's {@code minVolume} means what it says.
 */
class ThanosHaPairIT {
  private static final String[] NAMESPACES = {"payments", "checkout", "slowdown"};
  private static final String TOTAL =
      "sum(istio_requests_total{reporter=\"destination\","
          + " destination_workload_namespace=\"payments\"})";
  private static final String VOLUME =
      "sum(increase(istio_requests_total{reporter=\"destination\","
          + " destination_workload_namespace=\"payments\"}[10s]))";

  private static final Duration SETTLED = Duration.ofSeconds(8);

  @TempDir static Path dir;
  private static ThanosStores stores;
  private static Path rules;
  private static long started;

  @BeforeAll
  static void start() throws IOException {
    started = System.nanoTime();
    MeshSimulator mesh = new MeshSimulator(28);
    mesh.namespace("payments", Traffic.HEALTHY)
        .namespace("checkout", Traffic.HEALTHY.withErrorShare(0.2))
        .namespace("slowdown", Traffic.HEALTHY.withLatency(400, 2500))
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    rules = RealPrometheus.shortRules(dir.resolve("rules"));
    stores = ThanosStores.haPair(mesh, dir);
    System.out.printf(
        "FIGURE thanos HA pair (2 Prometheus, 2 sidecars, querier) ready in %.1f s%n",
        (System.nanoTime() - started) / 1e9);
  }

  @AfterAll
  static void stop() {
    if (stores != null) {
      stores.close();
    }
    System.out.printf(
        "FIGURE ThanosHaPairIT wall time %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  private static String[] tick(Instant time) {
    return new String[] {
      "--to-revision",
      "1-20-0",
      "--from-revision",
      "1-19-0",
      "--time",
      time.toString(),
      "-n",
      NAMESPACES[0],
      "-n",
      NAMESPACES[1],
      "-n",
      NAMESPACES[2]
    };
  }

  /**
   * A moment both replicas had scraped around, well before now: a scrape late under load would
   * otherwise leave one replica a sample short at the end of a 10 s window. The healthy namespace
   * passes every rule on each replica and through the querier by then.
   */
  private static Instant settled() {
    List<URI> all =
        List.of(
            stores.querier.url(), stores.prometheus.get(0).url(), stores.prometheus.get(1).url());
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                all.stream()
                    .allMatch(
                        url ->
                            RealPrometheus.evaluate(url, rules, tick(Instant.now().minus(SETTLED)))
                                .namespace("payments")
                                .path("verdict")
                                .asText()
                                .equals("PROMOTE")));
    return Instant.now().minus(SETTLED);
  }

  @Test
  void theShippedRulesGiveThroughTheQuerierWhatOneReplicaGivesDirectly() {
    Instant time = settled();

    RealPrometheus.Evaluation viaThanos =
        RealPrometheus.evaluate(stores.querier.url(), rules, tick(time));
    RealPrometheus.Evaluation direct =
        RealPrometheus.evaluate(stores.prometheus.get(0).url(), rules, tick(time));

    assertThat(viaThanos.verdict()).isEqualTo(direct.verdict()).isEqualTo("ROLLBACK");
    assertThat(viaThanos.exitCode()).isEqualTo(direct.exitCode()).isEqualTo(2);
    int compared = 0;
    for (String ns : NAMESPACES) {
      assertThat(viaThanos.namespace(ns).path("verdict").asText())
          .as(ns)
          .isEqualTo(direct.namespace(ns).path("verdict").asText());
      for (JsonNode rule : direct.namespace(ns).path("rules")) {
        String name = rule.path("rule").asText();
        JsonNode thanos = viaThanos.rule(ns, name);
        assertThat(thanos.path("result").asText())
            .as("%s %s: %s vs %s", ns, name, thanos, rule)
            .isEqualTo(rule.path("result").asText());
        if (rule.path("value").isNumber()) {
          double value = rule.path("value").asDouble();
          // the querier may take either replica's samples: scraped up to a second apart
          assertThat(thanos.path("value").asDouble())
              .as("%s %s: %s vs %s", ns, name, thanos, rule)
              .isCloseTo(value, within(Math.max(0.1 * Math.abs(value), 1e-9)));
          System.out.printf(
              "FIGURE thanos/direct %s %s: %s vs %s%n",
              ns, name, thanos.path("value").asText(), rule.path("value").asText());
          compared++;
        }
      }
    }
    assertThat(compared).as("values compared").isGreaterThanOrEqualTo(NAMESPACES.length * 2);
    assertThat(viaThanos.result("checkout", "error-rate")).isEqualTo("FAIL");
    assertThat(viaThanos.result("slowdown", "p99-latency")).isEqualTo("FAIL");
  }

  @Test
  void theReplicasOfThePairCountOnceSoAVolumeMinimumBetweenOneAndTwoReplicasHolds()
      throws IOException, InterruptedException {
    Instant time = settled();
    stores.querier.awaitStores(2);
    URI a = stores.prometheus.get(0).url();
    URI b = stores.prometheus.get(1).url();

    // the counter itself: the replicas scraped it at most a second apart
    double totalA = value(a, TOTAL, time);
    double totalB = value(b, TOTAL, time);
    double totalDeduplicated = value(stores.querier.url(), TOTAL, time);
    System.out.printf(
        "FIGURE payments requests counted: replica a %.0f, replica b %.0f, querier %.0f%n",
        totalA, totalB, totalDeduplicated);
    assertThat(totalDeduplicated)
        .as("the querier counts one replica's requests, not both")
        .isBetween(0.95 * Math.min(totalA, totalB), 1.05 * Math.max(totalA, totalB));

    // the rule's own volume query, over 10 s: noisy, the simulator's traffic comes in bursts
    double volumeA = value(a, VOLUME, time);
    double volumeB = value(b, VOLUME, time);
    double volumeDeduplicated = value(stores.querier.url(), VOLUME, time);
    System.out.printf(
        "FIGURE payments requests in 10s: replica a %.1f, replica b %.1f, querier %.1f%n",
        volumeA, volumeB, volumeDeduplicated);
    // halfway between the busier replica's volume and both replicas' together
    long minVolume = Math.round((Math.max(volumeA, volumeB) + volumeA + volumeB) / 2);
    Path guarded = guardedRules(minVolume);
    RealPrometheus.Evaluation viaThanos =
        RealPrometheus.evaluate(stores.querier.url(), guarded, tick(time));
    RealPrometheus.Evaluation viaReplica = RealPrometheus.evaluate(a, guarded, tick(time));

    assertThat(viaThanos.result("payments", "error-rate")).isEqualTo("NO_DATA");
    assertThat(viaReplica.result("payments", "error-rate")).isEqualTo("NO_DATA");
    for (RealPrometheus.Evaluation run : List.of(viaThanos, viaReplica)) {
      assertThat(run.rule("payments", "error-rate").path("message").asText())
          .startsWith("volume ")
          .contains(" in 10s < minVolume " + minVolume);
    }
    assertThat(viaThanos.namespace("payments").path("verdict").asText()).isEqualTo("HOLD");
  }

  /** The shipped rules with error-rate's minVolume at {@code minVolume} requests. */
  private static Path guardedRules(long minVolume) throws IOException {
    Path guarded = RealPrometheus.shortRules(dir.resolve("guarded-" + minVolume));
    Path errorRate = guarded.resolve("error-rate.yaml");
    String rule = Files.readString(errorRate);
    assertThat(rule).contains("minVolume: 100\n");
    Files.writeString(
        errorRate, rule.replace("minVolume: 100\n", "minVolume: " + minVolume + "\n"));
    return guarded;
  }

  /** The value of the one-series {@code query} at {@code time}, to the millisecond. */
  private static double value(URI url, String query, Instant time)
      throws IOException, InterruptedException {
    String form =
        "query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8)
            + "&time="
            + time.toEpochMilli() / 1000.0
            // as meshgate asks: a store that fails fails the query instead of leaving it out
            + "&partial_response=false";
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(url.resolve("/api/v1/query?" + form)).build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode envelope = new ObjectMapper().readTree(response.body());
    assertThat(envelope.path("warnings")).as(response.body()).isEmpty();
    JsonNode result = envelope.path("data").path("result");
    assertThat(result).as(response.body()).hasSize(1);
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }
}

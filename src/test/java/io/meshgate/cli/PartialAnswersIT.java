package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, "partial answers are not evidence": {@code meshgate evaluate} through a proxy in front
 * of a real Prometheus that adds what a Thanos Querier with a store down adds to every answer, a
 * {@code warnings} entry, to healthy values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartialAnswersIT {
  private static final String WARNING = "partial response: store 10.0.0.7:10901 unavailable";
  private static final String[] HEALTHY = {
    "--to-revision", "1-20-0", "--from-revision", "1-19-0", "-n", "payments"
  };

  private RealPrometheus real;
  private WarningProxy proxy;
  private Path accepting;

  /** The Prometheus this class runs on; its {@code Prometheus3} subclass overrides it. */
  PrometheusRelease release() {
    return PrometheusRelease.DEBIAN;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    MeshSimulator mesh = new MeshSimulator(22);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    real = new RealPrometheus(mesh, dir, release());
    proxy = new WarningProxy(real.prometheus.url(), WARNING);
    accepting = Files.createDirectories(dir.resolve("accepting"));
    try (Stream<Path> rules = Files.list(real.rules)) {
      for (Path rule : rules.toList()) {
        Files.writeString(
            accepting.resolve(rule.getFileName()),
            Files.readString(rule)
                + "\nacceptWarnings: ['partial response: store .* unavailable']\n");
      }
    }
  }

  @AfterAll
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (real != null) {
      real.close();
    }
  }

  private static Cli run(URI prometheus, Path rules, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "evaluate", "--prometheus", prometheus.toString(), "--rules", rules.toString()));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  private static RealPrometheus.Evaluation json(Cli cli) throws IOException {
    return new RealPrometheus.Evaluation(
        cli.exitCode(), new ObjectMapper().readTree(cli.out()), cli.err());
  }

  private static String[] with(String[] args, String... more) {
    return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
  }

  /** Waits until the healthy namespace's data, through the proxy, warrants PROMOTE. */
  private void awaitHealthyData() {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> run(proxy.url(), accepting, with(HEALTHY, "-o", "json")).exitCode() == 0);
  }

  @Test
  void aPartialAnswerHoldsAndARuleAcceptingItsWarningGetsTheVerdictTheDataWarrants()
      throws IOException {
    awaitHealthyData();
    int before = proxy.queries.get();

    RealPrometheus.Evaluation partial =
        json(run(proxy.url(), real.rules, with(HEALTHY, "-o", "json")));
    Cli table = run(proxy.url(), real.rules, HEALTHY);
    RealPrometheus.Evaluation accepted =
        json(run(proxy.url(), accepting, with(HEALTHY, "-o", "json")));

    assertThat(proxy.queries.get() - before).as("every answer went through the proxy").isPositive();
    assertThat(partial.exitCode()).as(partial.err()).isEqualTo(1);
    assertThat(partial.verdict()).isEqualTo("HOLD");
    JsonNode payments = partial.namespace("payments");
    assertThat(payments.path("reasonCode").asText()).isEqualTo("PartialResponse");
    assertThat(payments.path("reason").asText())
        .isEqualTo(
            "partial answer for convergence-time, error-rate, p99-latency, xds-rejects:"
                + " Prometheus answered with warnings: "
                + WARNING
                + " (not evidence; a rule may accept a known-harmless warning with"
                + " acceptWarnings)");
    for (JsonNode rule : payments.path("rules")) {
      assertThat(rule.path("result").asText()).as("%s", rule).isEqualTo("ERROR");
      assertThat(rule.path("reason").asText()).as("%s", rule).isEqualTo("PartialResponse");
      assertThat(rule.path("message").asText()).as("%s", rule).contains(WARNING);
      assertThat(rule.path("value").isNull()).as("%s", rule).isTrue();
    }
    assertThat(table.exitCode()).isEqualTo(1);
    assertThat(table.out()).contains("HOLD", WARNING);

    assertThat(accepted.exitCode()).as("%s", accepted.json()).isZero();
    assertThat(accepted.verdict()).isEqualTo("PROMOTE");
    for (JsonNode rule : accepted.namespace("payments").path("rules")) {
      assertThat(rule.path("result").asText()).as("%s", rule).isEqualTo("PASS");
    }
  }

  @Test
  void noBaselineIsTakenFromAPartialAnswer() throws IOException {
    awaitHealthyData();

    RealPrometheus.Evaluation run =
        json(
            run(
                proxy.url(),
                real.rules,
                with(
                    HEALTHY,
                    "-o",
                    "json",
                    "--baseline-time",
                    Instant.now().toString(),
                    "--baseline-window",
                    "10s")));

    assertThat(run.err())
        .contains(
            "no baseline at ",
            ": Prometheus answered with warnings no rule accepts, a partial answer is not"
                + " evidence; maxIncrease bounds are not checked");
    assertThat(run.rule("payments", "p99-latency").path("baseline").isNull()).isTrue();
    assertThat(run.verdict()).isEqualTo("HOLD");
  }

  @Test
  void aReplayOverPartialRangeAnswersHoldsAtEveryStep() throws IOException {
    awaitHealthyData();
    Instant to = Instant.now();
    int before = proxy.rangeQueries.get();

    Cli replay =
        run(
            proxy.url(),
            real.rules,
            with(
                HEALTHY,
                "--replay",
                "--from",
                to.minusSeconds(60).toString(),
                "--to",
                to.toString(),
                "--step",
                "10s",
                "-o",
                "json"));

    assertThat(replay.exitCode()).as(replay.err()).isEqualTo(1);
    assertThat(proxy.rangeQueries.get() - before).as("one range query per rule").isEqualTo(4);
    JsonNode report = new ObjectMapper().readTree(replay.out());
    assertThat(report.path("verdict").asText()).isEqualTo("HOLD");
    JsonNode steps = report.path("namespaces").get(0).path("steps");
    assertThat(steps).hasSize(7);
    for (JsonNode step : steps) {
      assertThat(step.path("verdict").asText()).as("%s", step).isEqualTo("HOLD");
      assertThat(step.path("reason").asText())
          .as("%s", step)
          .startsWith("partial answer for convergence-time, error-rate, p99-latency, xds-rejects:")
          .contains(WARNING);
    }
  }

  /**
   * Forwards every request to Prometheus and adds {@code warning} to each successful answer, as a
   * Thanos Querier does when a store does not answer.
   */
  static final class WarningProxy implements AutoCloseable {
    final AtomicInteger queries = new AtomicInteger();
    final AtomicInteger rangeQueries = new AtomicInteger();
    private final URI upstream;
    private final String warning;
    private final HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;

    WarningProxy(URI upstream, String warning) throws IOException {
      this.upstream = upstream;
      this.warning = warning;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", this::forward);
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void forward(HttpExchange exchange) throws IOException {
      try {
        String path = exchange.getRequestURI().getPath();
        (path.endsWith("/query_range") ? rangeQueries : queries).incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request =
            HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                .method(
                    exchange.getRequestMethod(),
                    body.length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
          request.header("Content-Type", type);
        }
        HttpResponse<byte[]> response =
            client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] answer = withWarning(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.statusCode(), answer.length);
        exchange.getResponseBody().write(answer);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(502, -1);
      } finally {
        exchange.close();
      }
    }

    private byte[] withWarning(byte[] body) throws IOException {
      JsonNode envelope = json.readTree(body);
      if (envelope instanceof ObjectNode o && "success".equals(o.path("status").asText())) {
        o.withArray("warnings").add(warning);
        return json.writeValueAsBytes(o);
      }
      return body;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}

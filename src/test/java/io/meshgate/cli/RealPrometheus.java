package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.PrometheusRelease;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A mesh simulator scraped every second by a real Prometheus of {@code release}, and the shipped
 * rules with their 5m windows shortened to 10s so that a change shows within seconds.
 */
final class RealPrometheus implements AutoCloseable {
  static final Duration WINDOW = Duration.ofSeconds(10);

  final MeshSimulator mesh;
  final PrometheusProcess prometheus;
  final Path rules;

  RealPrometheus(MeshSimulator mesh, Path workDir, PrometheusRelease release) throws IOException {
    this.mesh = mesh;
    mesh.start();
    this.prometheus =
        release.start(
            workDir.resolve("prometheus"),
            PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null));
    this.rules = shortRules(workDir.resolve("rules"));
  }

  /** The shipped rules with their 5m windows shortened to {@link #WINDOW}, in {@code dir}. */
  static Path shortRules(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> shipped = Files.list(Path.of("rules"))) {
      for (Path rule : shipped.toList()) {
        Files.writeString(
            dir.resolve(rule.getFileName()),
            Files.readString(rule).replace("window: 5m", "window: 10s"));
      }
    }
    return dir;
  }

  /** One {@code meshgate evaluate -o json} run: its exit code and parsed output. */
  record Evaluation(int exitCode, JsonNode json, String err) {
    String verdict() {
      return json.path("verdict").asText();
    }

    JsonNode namespace(String name) {
      for (JsonNode ns : json.path("namespaces")) {
        if (ns.path("namespace").asText().equals(name)) {
          return ns;
        }
      }
      throw new AssertionError("no namespace " + name + " in " + json);
    }

    JsonNode rule(String namespace, String rule) {
      for (JsonNode r : namespace(namespace).path("rules")) {
        if (r.path("rule").asText().equals(rule)) {
          return r;
        }
      }
      throw new AssertionError("no rule " + rule + " for " + namespace + " in " + json);
    }

    String result(String namespace, String rule) {
      return rule(namespace, rule).path("result").asText();
    }
  }

  Evaluation evaluate(String... args) {
    return evaluate(prometheus.url(), rules, args);
  }

  /**
   * One {@code meshgate evaluate -o json} run against {@code url} with the rules of {@code rules}.
   */
  static Evaluation evaluate(URI url, Path rules, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "evaluate",
                "--prometheus",
                url.toString(),
                "--rules",
                rules.toString(),
                "-o",
                "json"));
    all.addAll(List.of(args));
    Cli cli = Cli.run(all.toArray(String[]::new));
    try {
      JsonNode json = new ObjectMapper().readTree(cli.out());
      assertThat(json).as("stdout of meshgate evaluate; stderr: %s", cli.err()).isNotNull();
      return new Evaluation(cli.exitCode(), json, cli.err());
    } catch (IOException e) {
      throw new AssertionError(
          "evaluate printed no JSON (exit " + cli.exitCode() + "): " + cli.out() + cli.err(), e);
    }
  }

  /**
   * {@code meshgate evaluate} run every second until its verdict is {@code verdict} (90 s at most:
   * a change must first fill the 10 s windows); the last run.
   */
  Evaluation awaitVerdict(String verdict, String... args) {
    AtomicReference<Evaluation> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              last.set(evaluate(args));
              assertThat(last.get().verdict()).as("%s", last.get().json()).isEqualTo(verdict);
            });
    return last.get();
  }

  @Override
  public void close() {
    prometheus.close();
    mesh.close();
  }
}

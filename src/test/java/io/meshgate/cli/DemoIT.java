package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/meshgate.jar demo} as a user runs it, without a terminal: its own
 * temporary directory (java.io.tmpdir) tells afterwards whether any process it started is left.
 */
class DemoIT {
  private static final Path JAR = Path.of("target/meshgate.jar");

  /** A target's summary row: name, wave, phase, revision; a gateway's name on a line above. */
  private static final Pattern SUMMARY_ROW =
      Pattern.compile("^  (gateway \\S+\\n|\\S+) +(\\S+) +(\\S+) +on (\\S+.*)$", Pattern.MULTILINE);

  @TempDir Path tmp;

  private Process demo(Path out, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-jar");
    command.add(JAR.toString());
    command.add("demo");
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(tmp.resolve("stderr.txt").toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private List<ProcessHandle> leftBehind() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(tmp.toString())).orElse(false))
        .toList();
  }

  @Test
  void errorSpikeRollsBackPaymentsAndPromotesTheOthersAndTheGatewayThenStopsEverything()
      throws Exception {
    Path out = tmp.resolve("stdout.txt");
    Process process = demo(out, Map.of(), "--scenario", "error-spike");

    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("the demo ends by itself").isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(text).isZero();
    assertThat(text).doesNotContain("\033[").contains("Summary after");
    Matcher rows = SUMMARY_ROW.matcher(text.substring(text.indexOf("Summary after")));
    java.util.Map<String, String> phases = new java.util.TreeMap<>();
    while (rows.find()) {
      phases.put(rows.group(1).strip(), rows.group(3) + " on " + rows.group(4));
    }
    assertThat(phases)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "frontend", "Promoted on 1-20-0",
                "catalog", "Promoted on 1-20-0",
                "cart", "Promoted on 1-20-0",
                "shipping", "Promoted on 1-20-0",
                "payments", "RolledBack on 1-19-0",
                "gateway istio-ingress/istio-ingressgateway", "Promoted on 1-20-0"));
    assertThat(text)
        .contains("rolled back: error-rate")
        .contains(
            "As expected: payments rolled back to 1-19-0 by error-rate, the other 4 namespaces and"
                + " gateway istio-ingress/istio-ingressgateway promoted to 1-20-0.");
    assertThat(leftBehind()).as("processes the demo started").isEmpty();
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("a run that ended as expected leaves no work directory")
          .noneMatch(name -> name.startsWith("meshgate-demo-"));
    }
  }

  @Test
  void interruptStopsPrometheusAndTheSimulators() throws Exception {
    Path out = tmp.resolve("stdout.txt");
    Process process = demo(out, Map.of(), "--scenario", "all-healthy");
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.readString(out).contains("warming up"));
    assertThat(leftBehind()).as("Prometheus runs during the demo").isNotEmpty();

    new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(130);
    assertThat(Files.readString(out)).contains("Interrupted: stopped meshgate, Prometheus");
    await().atMost(Duration.ofSeconds(10)).until(() -> leftBehind().isEmpty());
  }

  @Test
  void keepRunningLeavesPrometheusAndTheApiUpUntilInterrupted() throws Exception {
    Path out = tmp.resolve("stdout.txt");
    Process process = demo(out, Map.of(), "--scenario", "xds-rejects", "--keep-running");
    await()
        .atMost(Duration.ofMinutes(5))
        .until(() -> Files.readString(out).contains("Still running until Ctrl-C"));
    String text = Files.readString(out);
    assertThat(text).contains("As expected: payments rolled back to 1-19-0 by xds-rejects");
    Matcher urls =
        Pattern.compile("Prometheus (http://\\S+), meshgate API (http://\\S+)").matcher(text);
    assertThat(urls.find()).isTrue();
    HttpClient http = HttpClient.newHttpClient();
    assertThat(get(http, urls.group(2))).contains("\"name\":\"demo-1-20\"", "\"phase\":\"Failed\"");
    assertThat(get(http, urls.group(1) + "/api/v1/query?query=up"))
        .contains("\"status\":\"success\"");

    new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(out)).contains("Stopped meshgate, Prometheus and the simulators.");
    await().atMost(Duration.ofSeconds(10)).until(() -> leftBehind().isEmpty());
  }

  private static String get(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void withoutPrometheusItSaysHowToInstallItAndStartsNothing() throws Exception {
    Path emptyPath = Files.createDirectory(tmp.resolve("empty-path"));
    Path out = tmp.resolve("stdout.txt");
    Process process = demo(out, Map.of("PATH", emptyPath.toString(), "MESHGATE_PROMETHEUS", ""));

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(69);
    assertThat(Files.readString(tmp.resolve("stderr.txt")))
        .contains("meshgate demo: prometheus not found on PATH")
        .contains("apt-get install prometheus");
    assertThat(leftBehind()).isEmpty();
  }
}

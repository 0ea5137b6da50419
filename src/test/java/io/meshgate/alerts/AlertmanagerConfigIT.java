package io.meshgate.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.sim.Backends;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example Alertmanager configuration ({@code alerts/alertmanager.yml}) checked and its routes
 * resolved by Debian's amtool (0.25) and by amtool 0.35: it loads, critical alerts of the mesh
 * reach meshgate's webhook and Slack, warnings and meshgate's own alerts only Slack.
 */
class AlertmanagerConfigIT {
  private static final Path CONFIG = PrometheusRuleGenerator.ALERTS.resolve("alertmanager.yml");

  static Stream<Arguments> amtools() {
    return Stream.of(
        Arguments.of("Debian's amtool", (Supplier<String>) () -> "amtool"),
        Arguments.of("amtool 0.35", (Supplier<String>) Backends::amtool035));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("amtools")
  void theExampleConfigLoadsAndSendsOnlyCriticalMeshAlertsToMeshgate(
      String name, Supplier<String> amtool) throws Exception {
    assertThat(run(amtool.get(), "check-config", CONFIG.toString())).contains("SUCCESS");
    assertThat(receivers(amtool.get(), "severity=critical", "namespace=payments"))
        .isEqualTo("meshgate,slack");
    assertThat(receivers(amtool.get(), "severity=critical", "istio_io_rev=1-20-0"))
        .isEqualTo("meshgate,slack");
    assertThat(receivers(amtool.get(), "severity=warning", "namespace=payments"))
        .isEqualTo("slack");
    assertThat(
            receivers(
                amtool.get(), "severity=critical", "namespace=payments", "component=meshgate"))
        .isEqualTo("slack");
  }

  /** The receivers {@code amtool config routes test} resolves for an alert with these labels. */
  private static String receivers(String amtool, String... labels)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + CONFIG));
    args.addAll(List.of(labels));
    String output = run(amtool, args.toArray(String[]::new));
    // amtool warns on standard error that --config.file overrides --alertmanager.url
    return output.lines().filter(l -> !l.startsWith("Warning:")).reduce((a, b) -> b).orElse("");
  }

  /** Runs amtool, asserts it exits 0 within 2 minutes, and returns its output. */
  private static String run(String amtool, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(amtool));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("amtool", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      boolean finished = process.waitFor(2, TimeUnit.MINUTES);
      if (!finished) {
        process.destroyForcibly().waitFor();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(finished).as("%s finished; output:%n%s", command, output).isTrue();
      assertThat(process.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}

package io.meshgate.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules, their unit tests and the example Alertmanager configuration, checked by the
 * real promtool and amtool (Debian packages prometheus and prometheus-alertmanager, installed by
 * daemon/ensure-tools.sh). {@link AlertRulesPrometheus3IT} runs the rule checks and unit tests with
 * the promtool of Prometheus 3.
 */
class AlertRulesIT {
  private static final Path ALERTS = PrometheusRuleGenerator.ALERTS;
  private static final Path TESTS = ALERTS.resolve("tests");

  /** The promtool checking and unit-testing the rules: Debian's, on PATH. */
  String promtool() {
    return onPath("promtool", "prometheus");
  }

  @Test
  void promtoolAcceptsTheRuleFiles() throws Exception {
    run(promtool(), List.of("check", "rules"), ruleFiles());
  }

  @Test
  void promtoolUnitTestsOfEveryAlertPass() throws Exception {
    run(promtool(), List.of("test", "rules"), testFiles());
  }

  @Test
  void amtoolAcceptsTheExampleAlertmanagerConfig() throws Exception {
    run(
        onPath("amtool", "prometheus-alertmanager"),
        List.of("check-config"),
        List.of(ALERTS.resolve("alertmanager.yml")));
  }

  @Test
  void everyAlertHasAFiringAndANotFiringTestAndNoTestNamesAnUnknownAlert() throws IOException {
    Set<String> alerts = new TreeSet<>();
    for (Path file : ruleFiles()) {
      Mappers.yaml()
          .readTree(file.toFile())
          .path("groups")
          .forEach(g -> g.path("rules").forEach(r -> addText(alerts, r.path("alert"))));
    }
    Set<String> firing = new TreeSet<>();
    Set<String> notFiring = new TreeSet<>();
    List<String> unasserted = new ArrayList<>();
    for (Path file : testFiles()) {
      for (JsonNode group : Mappers.yaml().readTree(file.toFile()).path("tests")) {
        for (JsonNode test : group.path("alert_rule_test")) {
          String alert = test.path("alertname").asText();
          JsonNode expected = test.path("exp_alerts");
          if (expected.isEmpty()) {
            notFiring.add(alert);
            continue;
          }
          firing.add(alert);
          for (JsonNode exp : expected) {
            if (!exp.path("exp_labels").has("severity") || exp.path("exp_annotations").isEmpty()) {
              unasserted.add(file + ": " + alert + " at " + test.path("eval_time").asText());
            }
          }
        }
      }
    }

    assertThat(alerts).as("alerts in %s/*.rules.yaml", ALERTS).isNotEmpty();
    assertThat(firing)
        .as("alerts with a firing test (exp_alerts not empty) in %s", TESTS)
        .containsExactlyElementsOf(alerts);
    assertThat(notFiring)
        .as("alerts with a not-firing test (exp_alerts: []) in %s", TESTS)
        .containsExactlyElementsOf(alerts);
    assertThat(unasserted)
        .as("firing tests whose exp_alerts do not assert severity and annotations")
        .isEmpty();
  }

  private static void addText(Set<String> names, JsonNode node) {
    if (node.isTextual()) {
      names.add(node.asText());
    }
  }

  private static List<Path> ruleFiles() throws IOException {
    return PrometheusRuleGenerator.ruleFiles(ALERTS);
  }

  private static List<Path> testFiles() throws IOException {
    try (Stream<Path> files = Files.list(TESTS)) {
      List<Path> list = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      assertThat(list).as("promtool test files in %s", TESTS).isNotEmpty();
      return list;
    }
  }

  /** Runs the binary {@code tool} in the project directory on some files; asserts it exits 0. */
  private static void run(String tool, List<String> args, List<Path> files)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(tool);
    command.addAll(args);
    files.forEach(f -> command.add(f.toString()));
    // output to a file, so that a tool that hangs cannot also hang the read
    Path log = Files.createTempFile(Path.of(tool).getFileName().toString(), ".log");
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
      assertThat(finished)
          .withFailMessage(
              "%s did not finish within 2 minutes; its output:%n%s",
              String.join(" ", command), output)
          .isTrue();
      assertThat(process.exitValue())
          .withFailMessage(
              "%s exited %d; expected 0. Its output:%n%s",
              String.join(" ", command), process.exitValue(), output)
          .isZero();
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String onPath(String tool, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail(
        "%s not found on PATH (%s); install the Debian package %s (daemon/ensure-tools.sh does,"
            + " as root)",
        tool, System.getenv("PATH"), debianPackage);
  }
}

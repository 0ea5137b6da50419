package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  @TempDir Path dir;

  @Test
  void shippedRulesAreValid() {
    Cli result = Cli.run("validate", "rules");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("ok  rules/error-rate.yaml (gate rule)");
  }

  @Test
  void reportsEveryProblemOfEveryFileAndExits64() throws IOException {
    Files.writeString(
        dir.resolve("a.yaml"),
        Files.readString(Path.of("rules/p99-latency.yaml")).replace("max: 1000", "max: fast"));
    Files.writeString(
        dir.resolve("meshgate.yaml"), "prometheus: {url: http://p:9090, timeot: 5s}\n");
    Files.writeString(dir.resolve("other.yaml"), "hello: world\n");

    Cli result = Cli.run("validate", dir.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(dir.resolve("a.yaml") + ": field 'max' is \"fast\"; expected a number")
        .contains(
            dir.resolve("meshgate.yaml")
                + ": has unknown field 'prometheus.timeot'; did you mean 'prometheus.timeout'?")
        .contains(dir.resolve("other.yaml") + ": is neither a gate rule");
  }

  @Test
  void duplicateRuleNamesAcrossArgumentsAreAnError() throws IOException {
    Files.writeString(dir.resolve("copy.yaml"), Files.readString(Path.of("rules/error-rate.yaml")));

    Cli result = Cli.run("validate", "rules", dir.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(
            dir.resolve("copy.yaml")
                + ": field 'name' is \"error-rate\", already used by rules/error-rate.yaml");
  }

  @Test
  void missingPathIsAnError() {
    Cli result = Cli.run("validate", dir.resolve("nothing").toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).contains(dir.resolve("nothing") + ": does not exist");
  }

  @Test
  void noArgumentIsBadUsage() {
    assertThat(Cli.run("validate").exitCode()).isEqualTo(64);
  }
}

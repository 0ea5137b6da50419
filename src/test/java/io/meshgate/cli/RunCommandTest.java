package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir Path dir;

  @Test
  void refusesToStartWithoutAConfig() {
    Cli result = Cli.run("run");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void badConfigStopsStartUpWithEveryProblemListed() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            """
            prometheus: {url: "prometheus:9090", bearerTokenFile: /nonexistent/token}
            http: {port: 0}
            leaderElecton: {enabled: true}
            """);

    Cli result = Cli.run("run", "--config", config.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(
            config + ": field 'prometheus.url' is \"prometheus:9090\"; expected an http(s) URL")
        .contains(
            config
                + ": field 'prometheus.bearerTokenFile' names /nonexistent/token, which does not exist or cannot be read")
        .contains(config + ": field 'http.port' is 0; expected a whole number from 1 to 65535")
        .contains(config + ": field 'leaderElecton' is unknown; did you mean 'leaderElection'?");
  }

  /** Issue 29: a typo in the bind address stops start-up naming the key, before any request. */
  @Test
  void anHttpAddressThatIsNotOfThisMachineStopsStartUp() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            "prometheus: {url: http://prometheus:9090}\nhttp: {address: 203.0.113.7}\n");

    Cli result = Cli.run("run", "--config", config.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .startsWith(
            "meshgate: "
                + config
                + ": field 'http.address' is 203.0.113.7, which is no address of this machine (")
        .doesNotContain("internal error");
  }

  /** Issue 26: found at start-up, not at the version bump that would need it. */
  @Test
  void aSailTemplateThatDoesNotValidateStopsStartUp() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            """
            prometheus: {url: http://p:9090}
            sail:
              autoMigrate: true
              template: {waves: [{name: all, namespaces: [a], soak: soon}]}
            """);

    Cli result = Cli.run("run", "--config", config.toString(), "--insecure-webhook");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(
            "daemon config: field 'sail.template.waves[0].soak' is \"soon\"; expected a duration"
                + " such as 30s, 5m or 1h30m");
  }
}

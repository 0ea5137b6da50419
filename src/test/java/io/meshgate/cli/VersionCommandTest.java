package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Issue 29: {@code meshgate version} and {@code --version}. */
class VersionCommandTest {
  private static final BuildInfo BUILD =
      new BuildInfo("0.1.0", "ab43980bf9a5805f559b94ea6bd00752a451987e", "2026-12-07T18:01:07Z");

  /** The real command line, its {@code version} reporting {@code build} instead of this one's. */
  private static Cli version(BuildInfo build, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = MeshgateCommand.commandLine();
    assertThat(cmd.getCommandSpec().removeSubcommand("version")).isNotNull();
    cmd.addSubcommand("version", new VersionCommand(build));
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  @Test
  void printsVersionCommitAndBuildDate() {
    Cli result = version(BUILD, "version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines())
        .containsExactly(
            "meshgate 0.1.0",
            "commit: ab43980bf9a5805f559b94ea6bd00752a451987e",
            "built: 2026-12-07T18:01:07Z");
  }

  @Test
  void printsOneJsonObjectWithOutputJson() {
    Cli result = version(BUILD, "version", "--output", "json");

    assertThat(result.out().strip())
        .isEqualTo(
            "{\"version\":\"0.1.0\",\"commit\":\"ab43980bf9a5805f559b94ea6bd00752a451987e\","
                + "\"date\":\"2026-12-07T18:01:07Z\"}");
  }

  @Test
  void refusesAnUnknownOutputFormat() {
    Cli result = version(BUILD, "version", "--output", "yaml");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .startsWith(
            "meshgate: Invalid value for option '--output': expected one of [text, json]"
                + " (case-sensitive) but was 'yaml'");
  }

  @Test
  void versionFlagPrintsTheSameLinesAsTheCommand() {
    Cli flag = Cli.run("--version");

    assertThat(flag.exitCode()).isZero();
    assertThat(flag.out().lines()).containsExactly(BuildInfo.current().lines());
  }

  private static Properties properties(String version, String commit, String date) {
    Properties properties = new Properties();
    properties.setProperty("version", version);
    properties.setProperty("commit", commit);
    properties.setProperty("date", date);
    return properties;
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "2026-12-07T18:01:07Z,       2026-12-07T18:01:07Z",
    "2026-12-07T19:01:07+01:00,  2026-12-07T18:01:07Z",
    "1796666467,                 2026-12-07T18:01:07Z",
    "'${git.commit.time}',       unknown",
    "'',                         unknown",
    "yesterday,                  unknown"
  })
  void theBuildDateIsShownInUtcWhateverFormTheBuildWroteIt(String written, String shown) {
    assertThat(BuildInfo.of(properties("0.1.0", "ab43980", written)).date()).isEqualTo(shown);
  }

  /** A source tree without .git: Maven leaves its expressions in the filtered resource. */
  @Test
  void aBuildWithoutGitSaysUnknown() {
    BuildInfo build = BuildInfo.of(properties("0.1.0", "${git.commit.id}", "${git.commit.time}"));

    assertThat(build.lines())
        .containsExactly("meshgate 0.1.0", "commit: unknown", "built: unknown");
    assertThat(BuildInfo.of(new Properties()).version()).isEqualTo("unknown");
  }
}

package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.sim.ClusterSimulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built jars as a user runs them: what {@code version} says about the build, the jars'
 * reproducible timestamps, and a CLI run that shows no library's warnings.
 */
class CliJarIT {
  private static final Path FULL = Path.of("target/meshgate.jar");

  @TempDir Path tmp;

  /** What a command printed and how it ended. */
  private record Run(int exitCode, String out, String err) {}

  private Run run(Path jar, List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "stdout", ".txt");
    Path err = Files.createTempFile(tmp, "stderr", ".txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not end within 2 minutes");
    }
    return new Run(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", command, out).isZero();
    return out.strip();
  }

  /**
   * Whether the project is built from a git checkout of its own (src/build/git-commit.sh's test): a
   * source tarball has no commit to show.
   */
  private static boolean builtFromCheckout() throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("git", "rev-parse", "--show-toplevel").redirectErrorStream(true).start();
    String top = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return process.waitFor() == 0
        && Path.of(top.strip()).toRealPath().equals(Path.of("").toRealPath());
  }

  /** The project's version as the pom gives it. */
  private static String projectVersion() throws IOException {
    Matcher version =
        Pattern.compile("<artifactId>meshgate</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(version.find()).as("the project's version in pom.xml").isTrue();
    return version.group(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"target/meshgate.jar", "target/meshgate-daemon.jar"})
  void versionNamesTheCommitOfTheCheckoutAndItsTimeAsTheBuildDate(String jar) throws Exception {
    Assumptions.assumeTrue(builtFromCheckout(), "built from a source tree without git");
    String commit = git("rev-parse", "HEAD");
    Instant committed = Instant.ofEpochSecond(Long.parseLong(git("log", "-1", "--format=%ct")));
    String projectVersion = projectVersion();

    Run version = run(Path.of(jar), List.of(), "version");
    Run json = run(Path.of(jar), List.of(), "version", "--output", "json");

    assertThat(version.exitCode()).as(version.err()).isZero();
    assertThat(version.out().lines())
        .containsExactly("meshgate " + projectVersion, "commit: " + commit, "built: " + committed);
    assertThat(json.out().strip())
        .isEqualTo(
            "{\"version\":\""
                + projectVersion
                + "\",\"commit\":\""
                + commit
                + "\",\"date\":\""
                + committed
                + "\"}");
    assertThat(run(Path.of(jar), List.of(), "--version").out()).isEqualTo(version.out());
  }

  /**
   * project.build.outputTimestamp is the commit's time: meshgate's own entries carry it (to the two
   * seconds a zip entry's time holds) instead of the time of the build, so a rebuild of the commit
   * gives the same bytes; the dependencies' entries keep the times their jars have.
   */
  @ParameterizedTest
  @ValueSource(strings = {"target/meshgate.jar", "target/meshgate-daemon.jar"})
  void meshgatesOwnEntriesAreStampedWithTheCommitTime(String jar) throws Exception {
    Assumptions.assumeTrue(builtFromCheckout(), "built from a source tree without git");
    Instant committed = Instant.ofEpochSecond(Long.parseLong(git("log", "-1", "--format=%ct")));
    List<ZipEntry> own;
    try (JarFile file = new JarFile(jar)) {
      own =
          file.stream()
              .filter(
                  e ->
                      e.getName().startsWith("io/meshgate/")
                          || e.getName().startsWith("meshgate/")
                          || e.getName().equals("META-INF/MANIFEST.MF"))
              .map(e -> (ZipEntry) e)
              .toList();
    }

    assertThat(own).hasSizeGreaterThan(100);
    assertThat(own)
        .allSatisfy(
            e ->
                assertThat(Duration.between(e.getLastModifiedTime().toInstant(), committed).abs())
                    .as(e.getName())
                    .isLessThanOrEqualTo(Duration.ofSeconds(2)));
  }

  /** What bash completes for {@code line} with the script of {@code meshgate completion}. */
  private List<String> completions(Path script, String line)
      throws IOException, InterruptedException {
    // the words as bash splits a command line, a trailing space starting an empty word
    List<String> words = new ArrayList<>(List.of(line.split(" ")));
    if (line.endsWith(" ")) {
      words.add("");
    }
    String quoted = String.join(" ", words.stream().map(w -> "'" + w + "'").toList());
    String test =
        "source '%s'; COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE='%s'; COMP_POINT=%d;"
                .formatted(script, quoted, words.size() - 1, line, line.length())
            + " _complete_meshgate 2>/dev/null; printf '%s\n' \"${COMPREPLY[@]}\"";
    Process bash = new ProcessBuilder("bash", "-c", test).redirectErrorStream(true).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor()).as(out).isZero();
    return out.lines().filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void completionPrintsABashScriptThatCompletesCommandsAndOptionValues() throws Exception {
    Run completion = run(FULL, List.of(), "completion");
    Path script = tmp.resolve("meshgate.bash");
    Files.writeString(script, completion.out());

    assertThat(completion.exitCode()).as(completion.err()).isZero();
    Process syntax = new ProcessBuilder("bash", "-n", script.toString()).start();
    assertThat(syntax.waitFor()).as("bash -n accepts it").isZero();
    assertThat(completions(script, "meshgate st")).containsExactly("status");
    assertThat(completions(script, "meshgate ")).contains("status", "version", "completion");
    assertThat(completions(script, "meshgate status --w")).containsExactly("--watch");
    assertThat(completions(script, "meshgate version --output ")).containsExactly("text", "json");
  }

  private static List<String> clusterOptions(ClusterSimulator cluster) {
    return List.of(
        "-Dkubernetes.master=" + cluster.config().getMasterUrl(),
        "-Dkubernetes.auth.tryKubeConfig=false",
        "-Dkubernetes.request.retry.backoffLimit=0");
  }

  /**
   * Issue 29: fabric8 warned about RevisionMigration's v1alpha1 on every {@code status}; a CLI
   * command shows what meshgate says, not its libraries' warnings.
   */
  @Test
  void statusPrintsTheTableAndNoLibraryWarning() throws Exception {
    try (ClusterSimulator cluster = ClusterSimulator.start()) {
      RevisionMigration migration =
          Serialization.unmarshal(
              Files.readString(Path.of("deploy/examples/istio-1-20.yaml")),
              RevisionMigration.class);
      cluster.client().resources(RevisionMigration.class).resource(migration).create();

      Run status = run(FULL, clusterOptions(cluster), "status");

      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains("istio-1-20");
      assertThat(status.err()).isEmpty();
    }
  }

  @Test
  void aClusterRefusingTheListStillReachesStderrWithoutLibraryWarnings() throws Exception {
    try (ClusterSimulator cluster = ClusterSimulator.start()) {
      cluster
          .server()
          .expect()
          .get()
          .withPath("/apis/meshgate.io/v1alpha1/revisionmigrations")
          .andReturn(
              403,
              new StatusBuilder()
                  .withStatus("Failure")
                  .withReason("Forbidden")
                  .withCode(403)
                  .withMessage(
                      "revisionmigrations.meshgate.io is forbidden: User \"alice\" cannot list"
                          + " resource \"revisionmigrations\"")
                  .build())
          .always();

      Run status = run(FULL, clusterOptions(cluster), "status");

      assertThat(status.exitCode()).isEqualTo(69);
      assertThat(status.err())
          .startsWith(
              "meshgate: cannot list RevisionMigrations in " + cluster.config().getMasterUrl())
          .contains("User \"alice\" cannot list resource \"revisionmigrations\"")
          .doesNotContain("WARN");
    }
  }
}

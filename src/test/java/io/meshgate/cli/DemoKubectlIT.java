package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.sim.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 29, "the demo you can poke": {@code meshgate demo --keep-running} as a user runs it (the
 * jar, as in {@link DemoIT}), then the printed {@code export KUBECONFIG=...} used with the real
 * kubectl of the test control plane's release ({@link Backends#kubectl()}), with {@code meshgate
 * status -w}, and with {@code kubectl meshgate} through the plugin shim {@code
 * bin/kubectl-meshgate}.
 */
class DemoKubectlIT {
  private static final Path JAR = Path.of("target/meshgate.jar");
  private static final Path PLUGIN_DIR = Path.of("bin").toAbsolutePath();
  private static final Pattern EXPORT =
      Pattern.compile("^export KUBECONFIG=(\\S+)$", Pattern.MULTILINE);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** Every process the test started, killed at its end whatever happened. */
  private final List<Process> processes = new ArrayList<>();

  private record Run(int exitCode, String out, String err) {}

  @Test
  void kubectlAndStatusWatchFollowTheDemoUntilItIsStoppedAndItsKubeconfigIsGone() throws Exception {
    Instant started = Instant.now();
    String kubectl = Backends.kubectl();
    Path out = tmp.resolve("demo.txt");
    Process demo =
        start(
            out,
            Map.of(),
            java(),
            "-Djava.io.tmpdir=" + tmp,
            "-jar",
            JAR.toString(),
            "demo",
            "--scenario",
            "all-healthy",
            "--keep-running");
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> EXPORT.matcher(Files.readString(out)).find());
      String text = Files.readString(out);
      Matcher export = EXPORT.matcher(text);
      assertThat(export.find()).isTrue();
      assertThat(EXPORT.matcher(text).results().count()).as("one export line").isEqualTo(1);
      Path kubeconfig = Path.of(export.group(1));
      assertThat(kubeconfig).isRegularFile();
      Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());

      // both follow the migration from before it exists until it ends
      Path getWatch = tmp.resolve("get-w.txt");
      Process kubectlWatch = start(getWatch, env, kubectl, "get", "revmig", "-w");
      Path statusWatch = tmp.resolve("status-w.txt");
      Process meshgateWatch =
          start(statusWatch, env, java(), "-jar", JAR.toString(), "status", "-w");

      await()
          .atMost(Duration.ofMinutes(5))
          .until(() -> Files.readString(out).contains("Still running until Ctrl-C"));
      assertThat(Files.readString(out))
          .contains(
              "kubectl get revmig -w, kubectl describe revmig demo-1-20 and meshgate status -w work"
                  + " with the KUBECONFIG exported above; Ctrl-C in this terminal stops the demo.");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(rows(getWatch, "demo-1-20")).contains("Succeeded"));
      List<String> watched = rows(getWatch, "demo-1-20");
      assertThat(Files.readString(getWatch).lines().findFirst().orElse(""))
          .matches("NAME +PHASE +WAVE +PROMOTED +AGE");
      assertThat(watched).as("the phase moving, row by row").contains("Progressing", "Succeeded");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(rows(statusWatch, "demo-1-20")).contains("Succeeded"));
      String status = Files.readString(statusWatch);
      assertThat(status.lines().filter(l -> l.startsWith("NAME ")).count())
          .as("the header once")
          .isEqualTo(1);
      assertThat(rows(statusWatch, "demo-1-20")).contains("Progressing", "Succeeded");
      List<String> changes =
          status.lines().filter(l -> l.startsWith("demo-1-20 ")).map(this::withoutAge).toList();
      for (int i = 1; i < changes.size(); i++) {
        assertThat(changes.get(i))
            .as("one row per change: no row repeats the one before it but for its AGE")
            .isNotEqualTo(changes.get(i - 1));
      }

      // Ctrl-C on meshgate status -w
      signal("INT", meshgateWatch);
      assertThat(meshgateWatch.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(meshgateWatch.exitValue()).isEqualTo(130);
      assertThat(Files.readString(stderrOf(statusWatch))).doesNotContain("Exception");

      Run columns = run(env, kubectl, "get", "revisionmigrations");
      assertThat(columns.exitCode()).as(columns.err()).isZero();
      assertThat(columns.out().lines().toList())
          .satisfiesExactly(
              header -> assertThat(header).matches("NAME +PHASE +WAVE +PROMOTED +AGE"),
              row ->
                  assertThat(row)
                      .as("no wave once it succeeded")
                      .matches("demo-1-20 +Succeeded +6/6 +\\S+"));

      Run namespaces = run(env, kubectl, "get", "ns", "-L", "istio.io/rev");
      assertThat(namespaces.exitCode()).as(namespaces.err()).isZero();
      assertThat(namespaces.out().lines().findFirst().orElse("")).matches("NAME +STATUS +AGE +REV");
      assertThat(namespaces.out().lines())
          .anySatisfy(line -> assertThat(line).matches("payments +Active +\\S+ +1-20-0"))
          .anySatisfy(line -> assertThat(line).matches("frontend +Active +\\S+ +1-20-0"));

      Run describe = run(env, kubectl, "describe", "revmig", "demo-1-20");
      assertThat(describe.exitCode()).as(describe.err()).isZero();
      assertThat(describe.out())
          .containsPattern("Name: +demo-1-20")
          .containsPattern("Kind: +RevisionMigration")
          .containsPattern("Phase: +Succeeded")
          .containsPattern("Normal +Flipped +\\S+ +meshgate +namespace payments: Migrating ->");

      Map<String, String> plugin =
          Map.of(
              "KUBECONFIG",
              kubeconfig.toString(),
              "PATH",
              PLUGIN_DIR + ":" + System.getenv("PATH"),
              "MESHGATE_JAR",
              JAR.toAbsolutePath().toString());
      Run pluginStatus = run(plugin, kubectl, "meshgate", "status");
      assertThat(pluginStatus.exitCode()).as(pluginStatus.err()).isZero();
      assertThat(pluginStatus.out()).containsPattern("demo-1-20 +Succeeded +\\S+ +6/6");
      Path pluginWatch = tmp.resolve("plugin-status-w.txt");
      Process pluginFollows = start(pluginWatch, plugin, kubectl, "meshgate", "status", "-w");
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(rows(pluginWatch, "demo-1-20")).contains("Succeeded"));
      Run pluginHelp = run(plugin, kubectl, "meshgate", "status", "--help");
      assertThat(pluginHelp.exitCode()).isZero();
      assertThat(pluginHelp.out()).startsWith("Usage: meshgate status");

      Path otherKubectl = Path.of("/usr/bin/kubectl");
      if (Files.isExecutable(otherKubectl)) {
        Run other = run(env, otherKubectl.toString(), "get", "revmig");
        assertThat(other.exitCode()).as(other.err()).isZero();
        assertThat(other.out()).containsPattern("demo-1-20 +Succeeded");
      }

      signal("INT", demo);
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(demo.exitValue()).isEqualTo(130);
      assertThat(Files.readString(out))
          .contains("Stopped meshgate, Prometheus and the simulators.");
      assertThat(kubeconfig).doesNotExist();
      assertThat(kubectlWatch.waitFor(30, TimeUnit.SECONDS))
          .as("kubectl get -w ends when the demo stops")
          .isTrue();
      assertThat(Files.readString(getWatch))
          .containsPattern("Failure +Gone +the simulated cluster has stopped");
      assertThat(pluginFollows.waitFor(30, TimeUnit.SECONDS))
          .as("kubectl meshgate status -w ends when the demo stops")
          .isTrue();
      assertThat(pluginFollows.exitValue()).isEqualTo(69);
      assertThat(Files.readString(stderrOf(pluginWatch)))
          .containsPattern(
              "meshgate: stopped following RevisionMigrations in http://127.0.0.1:\\d+/: the"
                  + " simulated cluster has stopped");
      await().atMost(Duration.ofSeconds(10)).until(() -> leftBehind().isEmpty());
      System.out.printf(
          "FIGURE DemoKubectlIT demo run with kubectl: %d s%n",
          Duration.between(started, Instant.now()).toSeconds());
    } finally {
      processes.forEach(DemoKubectlIT::kill);
    }
  }

  /** A process and what it started (the plugin's java), as a test that failed leaves them. */
  private static void kill(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** A row of status -w but its AGE, the fifth column. */
  private String withoutAge(String row) {
    List<String> cells = new ArrayList<>(List.of(row.trim().split(" +")));
    cells.remove(4);
    return String.join(" ", cells);
  }

  @Test
  void thePluginWithoutItsJarSaysWhereItLookedAndExits69() throws Exception {
    Path emptyDir = Files.createDirectory(tmp.resolve("plugins"));
    Files.copy(PLUGIN_DIR.resolve("kubectl-meshgate"), emptyDir.resolve("kubectl-meshgate"));
    emptyDir.resolve("kubectl-meshgate").toFile().setExecutable(true);
    Map<String, String> env = Map.of("PATH", emptyDir + ":" + System.getenv("PATH"));

    Run missing = run(env, Backends.kubectl(), "meshgate", "status");

    assertThat(missing.exitCode()).isEqualTo(69);
    assertThat(missing.out()).isEmpty();
    assertThat(missing.err())
        .isEqualTo(
            "kubectl-meshgate: meshgate.jar not found next to "
                + emptyDir.toRealPath().resolve("kubectl-meshgate")
                + " nor in "
                + emptyDir.toRealPath()
                + "/../target; set MESHGATE_JAR to its path (build it with ./mvnw -DskipTests"
                + " package)\n");

    Run wrongJar =
        run(
            Map.of("PATH", env.get("PATH"), "MESHGATE_JAR", tmp.resolve("nope.jar").toString()),
            Backends.kubectl(),
            "meshgate",
            "status");
    assertThat(wrongJar.exitCode()).isEqualTo(69);
    assertThat(wrongJar.err())
        .isEqualTo(
            "kubectl-meshgate: MESHGATE_JAR is "
                + tmp.resolve("nope.jar")
                + ", which is not a file\n");
  }

  /** The second column of each row of {@code name} printed so far. */
  private static List<String> rows(Path output, String name) throws IOException {
    List<String> phases = new ArrayList<>();
    for (String line : Files.readString(output, StandardCharsets.UTF_8).lines().toList()) {
      String[] cells = line.trim().split(" +");
      if (cells[0].equals(name) && cells.length > 1) {
        phases.add(cells[1]);
      }
    }
    return phases;
  }

  private Process start(Path out, Map<String, String> env, String... command) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(stderrOf(out).toFile());
    // kubectl's discovery cache in the test's directory, not the user's ~/.kube/cache
    builder.environment().put("KUBECACHEDIR", tmp.resolve("kube-cache").toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static Path stderrOf(Path out) {
    return out.resolveSibling(out.getFileName() + ".stderr");
  }

  private Run run(Map<String, String> env, String... command) throws Exception {
    Path out = Files.createTempFile(tmp, "run", ".txt");
    Process process = start(out, env, command);
    assertThat(process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as(String.join(" ", command))
        .isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(stderrOf(out)));
  }

  private static void signal(String signal, Process process) throws Exception {
    new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private List<ProcessHandle> leftBehind() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(tmp.toString())).orElse(false))
        .toList();
  }
}

package io.meshgate.cli;

import io.meshgate.gate.Durations;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.DemoScenario;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.PrometheusProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The main job on an embedded default: no cluster, a real Prometheus, the real controller. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Migrate five simulated namespaces and an injected ingress gateway from istiod 1-19-0 to"
          + " 1-20-0 in four waves, with a real Prometheus (found on PATH) scraping simulated Istio"
          + " metrics and the real controller deciding. One namespace regresses after its flip and"
          + " is rolled back (unless --scenario all-healthy); the others and the gateway are"
          + " promoted. Ends by itself in about two minutes with a summary; Ctrl-C stops everything"
          + " it started.",
      "Exit code: 0 when the run ends as the scenario expects, 1 when it does not, 64 bad usage,"
          + " 69 Prometheus missing, 130 interrupted."
    })
final class DemoCommand implements Callable<Integer> {
  static final int UNEXPECTED = 1;
  static final int INTERRUPTED = 130;
  private static final Duration REFRESH = Duration.ofMillis(500);
  private static final int SUMMARY_NAME_WIDTH = 9;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--scenario",
      defaultValue = "error-spike",
      completionCandidates = Scenarios.class,
      paramLabel = "NAME",
      description = "What goes wrong: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  String scenario;

  @Option(
      names = "--plain",
      description = "Plain lines instead of the live table (the default when not on a terminal).")
  boolean plain;

  @Option(
      names = "--keep-running",
      description =
          "After the summary, keep Prometheus, the simulators and meshgate's API up until Ctrl-C.")
  boolean keepRunning;

  @Option(
      names = "--timeout",
      defaultValue = "4m",
      converter = Converters.PositiveDuration.class,
      paramLabel = "DURATION",
      description = "Give up when the migration has not ended after this long (default: 4m).")
  Duration timeout;

  static final class Scenarios implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return DemoScenario.ids().iterator();
    }
  }

  @Override
  public Integer call() throws IOException {
    DemoScenario chosen;
    try {
      chosen = DemoScenario.of(scenario);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    try {
      PrometheusProcess.binary();
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("meshgate demo: " + e.getMessage());
      return ExitCodes.UNAVAILABLE;
    }
    boolean live = !plain && System.console() != null;
    Instant start = Instant.now();
    DemoDisplay display = new DemoDisplay(out, live, terminalWidth(), start);
    Path workDir = Files.createTempDirectory("meshgate-demo-");
    Path log = workDir.resolve("meshgate.log");
    Interruption interruption = Interruption.install();
    PrintStream console = System.err;
    boolean expected = false;
    boolean summarized = false;
    try {
      try (PrintStream logFile = new PrintStream(Files.newOutputStream(log), true)) {
        // the daemon logs to stderr; on the demo's screen its lines would tear the table apart
        System.setErr(logFile);
        display.step("meshgate demo, scenario " + chosen.id() + "; work directory " + workDir);
        try (DemoRun run = DemoRun.start(chosen, workDir, display::event, display::step)) {
          display.kubeconfig(run.kubeconfig());
          boolean ended = await(run, display, chosen);
          display.finish();
          MigrationStatus status = run.status();
          expected = ended && summary(out, chosen, status, display, start);
          summarized = ended;
          if (!ended) {
            out.printf(
                "%nThe migration did not end within %s; the log is %s%n",
                Durations.format(timeout), log);
          }
          if (keepRunning) {
            out.printf(
                "%nStill running until Ctrl-C: Prometheus %s, meshgate API http://127.0.0.1:%d/api/v1/migrations%n",
                run.prometheusUrl(), run.httpPort());
            out.printf(
                "kubectl get revmig -w, kubectl describe revmig %s and meshgate status -w work with"
                    + " the KUBECONFIG exported above; Ctrl-C in this terminal stops the demo.%n",
                DemoRun.MIGRATION);
            out.flush();
            interruption.await();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          System.setErr(console);
        }
      }
      // after a signal the JVM exits 130 (SIGINT) or 143 (SIGTERM) whatever this returns
      if (interruption.happened()) {
        boolean stoppedAsAsked = keepRunning && summarized;
        out.println();
        out.println(
            stoppedAsAsked
                ? "Stopped meshgate, Prometheus and the simulators."
                : "Interrupted: stopped meshgate, Prometheus and the simulators. Log: " + log);
        out.flush();
        if (stoppedAsAsked && expected) {
          LocalProcesses.deleteTree(workDir);
        }
        return INTERRUPTED;
      }
      if (expected) {
        LocalProcesses.deleteTree(workDir);
        return 0;
      }
      out.println("Kept the work directory for a look: " + workDir);
      return UNEXPECTED;
    } finally {
      interruption.done();
    }
  }

  /** Refreshes the display until the migration ends; false when it did not end in time. */
  private boolean await(DemoRun run, DemoDisplay display, DemoScenario chosen)
      throws InterruptedException {
    Instant deadline = run.migrationDueAt().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      MigrationStatus status = run.status();
      display.render(run, status, chosen.id());
      if (status != null
          && status.phase() != null
          && (status.phase().isTerminal() || stopped(status))) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(REFRESH.toMillis());
    }
    return false;
  }

  /** Paused with nothing in flight (the fleet brake): nothing more happens without a person. */
  private static boolean stopped(MigrationStatus status) {
    return status.phase() == MigrationPhase.Paused
        && status.targets().stream().noneMatch(n -> n.phase().isInFlight());
  }

  /** Prints the outcome and returns whether it is what the scenario expects. */
  private static boolean summary(
      PrintWriter out,
      DemoScenario scenario,
      MigrationStatus status,
      DemoDisplay display,
      Instant start) {
    Duration took = Duration.between(start, Instant.now());
    Map<String, String> causes = display.rollbackCauses();
    out.printf(
        "%nSummary after %dm%02ds (scenario %s)%n",
        took.toMinutes(), took.toSecondsPart(), scenario.id());
    String message =
        status.conditions().stream()
            .filter(c -> c.type().equals("Ready"))
            .map(c -> c.reason() + ": " + c.message())
            .findFirst()
            .orElse("");
    out.printf("  migration %s: %s  %s%n", DemoRun.MIGRATION, status.phase(), message);
    List<String> unexpected = new ArrayList<>();
    for (String name : DemoRun.namespaces()) {
      TargetPhase wanted =
          name.equals(scenario.victim()) ? TargetPhase.RolledBack : TargetPhase.Promoted;
      outcome(out, name, status.namespace(name).orElse(null), wanted, causes, unexpected);
    }
    // no scenario makes a gateway regress
    for (String gateway : DemoRun.gateways()) {
      outcome(
          out,
          gateway,
          status.gateway(gateway).orElse(null),
          TargetPhase.Promoted,
          causes,
          unexpected);
    }
    if (scenario.victim() != null) {
      String cause = causes.getOrDefault(scenario.victim(), "");
      if (!cause.contains(scenario.rule())) {
        unexpected.add(
            scenario.victim()
                + " was not rolled back by rule "
                + scenario.rule()
                + " ("
                + cause
                + ")");
      }
    }
    long promoted =
        status.namespaces().stream().filter(n -> n.phase() == TargetPhase.Promoted).count();
    String gateways =
        String.join(" and ", DemoRun.gateways().stream().map(DemoDisplay::shown).toList());
    if (unexpected.isEmpty()) {
      out.println(
          scenario.victim() == null
              ? "As expected: all "
                  + promoted
                  + " namespaces and "
                  + gateways
                  + " promoted to "
                  + DemoRun.TO
                  + "."
              : "As expected: "
                  + scenario.victim()
                  + " rolled back to "
                  + DemoRun.FROM
                  + " by "
                  + scenario.rule()
                  + ", the other "
                  + promoted
                  + " namespaces and "
                  + gateways
                  + " promoted to "
                  + DemoRun.TO
                  + ".");
    } else {
      out.println("Not what the scenario expects: " + String.join("; ", unexpected));
    }
    out.flush();
    return unexpected.isEmpty();
  }

  /**
   * A target's line of the summary (a name wider than its column on a line of its own above it),
   * why it was rolled back, and whether it ended as {@code wanted}.
   */
  static void outcome(
      PrintWriter out,
      String target,
      TargetStatus t,
      TargetPhase wanted,
      Map<String, String> causes,
      List<String> unexpected) {
    String name = DemoDisplay.shown(target);
    TargetPhase phase = t == null ? TargetPhase.Pending : t.phase();
    String revision =
        phase == TargetPhase.Promoted
            ? DemoRun.TO
            : phase == TargetPhase.RolledBack || phase == TargetPhase.Pending
                ? DemoRun.FROM
                : "in flight";
    boolean fits = name.length() <= SUMMARY_NAME_WIDTH;
    if (!fits) {
      out.println("  " + name);
    }
    out.printf(
        Locale.ROOT,
        "  %-" + SUMMARY_NAME_WIDTH + "s %-8s %-10s on %s%n",
        fits ? name : "",
        t == null ? "" : t.wave(),
        phase,
        revision);
    if (causes.containsKey(target)) {
      out.println("      rolled back: " + causes.get(target));
    }
    if (phase != wanted) {
      unexpected.add(name + " is " + phase + ", expected " + wanted);
    }
  }

  private static int terminalWidth() {
    try {
      return Math.max(60, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120")));
    } catch (NumberFormatException e) {
      return 120;
    }
  }

  /**
   * Ctrl-C (SIGINT) or SIGTERM: the JVM runs shutdown hooks and then halts. The hook wakes the demo
   * and holds the JVM until the demo has stopped what it started, Prometheus included.
   */
  private static final class Interruption {
    /**
     * How long the JVM is held for the demo to stop what it started. Stopping the daemon, the
     * simulated cluster and Prometheus takes a few seconds, but on a busy machine it took more than
     * 20 s once (DemoIT under a parallel build): the JVM halted before the demo said it had
     * stopped.
     */
    private static final Duration TEARDOWN = Duration.ofSeconds(45);

    private final AtomicBoolean happened = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final Thread hook;

    private Interruption(Thread demo) {
      this.hook =
          new Thread(
              () -> {
                happened.set(true);
                signalled.countDown();
                demo.interrupt();
                try {
                  done.await(TEARDOWN.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "demo-interrupted");
    }

    static Interruption install() {
      Interruption interruption = new Interruption(Thread.currentThread());
      Runtime.getRuntime().addShutdownHook(interruption.hook);
      return interruption;
    }

    boolean happened() {
      return happened.get();
    }

    void await() throws InterruptedException {
      signalled.await();
    }

    void done() {
      done.countDown();
      if (!happened.get()) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }
}

package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** Issue 29: a CLI command shows no library's warning; the daemon's log keeps them. */
class LibraryLogsTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      nullValues = "-",
      value = {
        "run --config c.yaml,             WARN",
        "demo --scenario all-healthy,     WARN",
        "status,                          ERROR",
        "status -w,                       ERROR",
        "evaluate --prometheus http://p,  ERROR",
        "validate rules,                  ERROR",
        "plan --from a --to b,            ERROR",
        "version,                         ERROR",
        "--version,                       ERROR",
        "-,                               ERROR"
      })
  void theDaemonKeepsLibraryWarningsAndEveryOtherCommandOnlyTheirErrors(
      String commandLine, String expected) {
    List<String> args = commandLine == null ? List.of() : Arrays.asList(commandLine.split(" "));

    assertThat(LibraryLogs.level(args)).isEqualTo(expected);
  }

  /** What logback.xml writes to stderr, configured as Main does for {@code command}. */
  private static String logged(String command) throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setProperty(LibraryLogs.PROPERTY, LibraryLogs.level(List.of(command)));
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LoggerContext context = new LoggerContext();
    // logback 1.5 drops events of a context without an MDC adapter
    context.setMDCAdapter(MDC.getMDCAdapter());
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LibraryLogsTest.class.getResource("/logback.xml"));
      Logger fabric8 =
          context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");
      fabric8.warn("The client is using resource type 'revisionmigrations' with unstable version");
      fabric8.error("Unexpected failure");
      context.getLogger("io.meshgate.prometheus.PrometheusGate").warn("baseline not taken");
    } finally {
      context.stop();
      System.setErr(stderr);
      System.clearProperty(LibraryLogs.PROPERTY);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCliCommandShowsMeshgatesWarningsAndLibraryErrorsButNoLibraryWarning() throws Exception {
    assertThat(logged("status").lines())
        .hasSize(2)
        .anyMatch(l -> l.contains("ERROR i.f.k.c.d.i.VersionUsageUtils Unexpected failure"))
        .anyMatch(l -> l.contains("WARN  i.m.p.PrometheusGate baseline not taken"));
  }

  @Test
  void theDaemonLogsLibraryWarningsToo() throws Exception {
    assertThat(logged("run").lines())
        .hasSize(3)
        .anyMatch(l -> l.contains("WARN  i.f.k.c.d.i.VersionUsageUtils The client is using"));
  }
}

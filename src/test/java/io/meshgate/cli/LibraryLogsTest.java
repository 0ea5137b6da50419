package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.logging.LogbackXml;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;

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
    return LogbackXml.stderr(
        LibraryLogs.PROPERTY,
        LibraryLogs.level(List.of(command)),
        context -> {
          Logger fabric8 =
              context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");
          fabric8.warn(
              "The client is using resource type 'revisionmigrations' with unstable version");
          fabric8.error("Unexpected failure");
          context.getLogger("io.meshgate.prometheus.PrometheusGate").warn("baseline not taken");
        });
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

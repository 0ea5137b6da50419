package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogFormatTest {
  @ParameterizedTest(name = "{0} | env {1} | terminal {2} -> {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        "run --config c.yaml,                    -,    false, json",
        "run --config c.yaml,                    -,    true,  text",
        "run --log-format text --config c.yaml,  json, false, text",
        "run --log-format=json,                  -,    true,  json",
        "run --log-format auto,                  text, false, json",
        "run --config c.yaml,                    TEXT, false, text",
        "run --log-format bogus,                 -,    true,  text",
        "evaluate --prometheus http://p,         json, false, text",
        "validate rules,                         -,    false, text",
        "-,                                      json, false, text"
      })
  void theDaemonLogsJsonUnlessOnATerminalOrToldAndEveryOtherCommandText(
      String commandLine, String environment, boolean terminal, String expected) {
    List<String> args = commandLine == null ? List.of() : Arrays.asList(commandLine.split(" "));

    assertThat(LogFormat.choose(args, environment, terminal)).isEqualTo(expected);
  }
}

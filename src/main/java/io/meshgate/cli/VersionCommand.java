package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meshgate.json.Mappers;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshgate version}: the version, commit and build date, as {@code --version} prints. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = {
      "Print meshgate's version, the git commit it was built from and the build date (the"
          + " commit's time).",
      "\"unknown\" where the build had no git checkout."
    })
final class VersionCommand implements Callable<Integer> {
  enum Output {
    text,
    json
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "text (the default) or json: {\"version\", \"commit\", \"date\"}.")
  Output output = Output.text;

  private final BuildInfo build;

  VersionCommand() {
    this(BuildInfo.current());
  }

  VersionCommand(BuildInfo build) {
    this.build = build;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    if (output == Output.json) {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("version", build.version());
      fields.put("commit", build.commit());
      fields.put("date", build.date());
      out.println(Mappers.json().writeValueAsString(fields));
    } else {
      for (String line : build.lines()) {
        out.println(line);
      }
    }
    out.flush();
    return 0;
  }
}

package io.meshgate.cli;

import io.meshgate.config.InvalidInputException;
import io.meshgate.validate.Validator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Checks RevisionMigration manifests, rule files and daemon configs, naming file, document, field
 * and problem.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Validate RevisionMigration manifests (against the CRD schema and for meaning), gate rules"
          + " and daemon configs (files, or directories of *.yaml; a file may hold several"
          + " documents separated by ---).",
      "Warnings (lines starting with 'meshgate: warning:') name what is valid but likely not"
          + " meant, such as a wave's soak shorter than its gates' windows.",
      "Exit code: 0 when everything is valid (with or without warnings), 64 on any problem."
    })
final class ValidateCommand implements Callable<Integer> {
  /** Tells a warning from an error, which reads {@code meshgate: <file>: ...}. */
  static final String WARNING = "meshgate: warning: ";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      defaultValue = "rules",
      description = "Rules that manifests' gates may name (default: ${DEFAULT-VALUE}).")
  Path rulesDir;

  @Parameters(
      arity = "1..*",
      paramLabel = "FILE|DIR",
      description = "Files or directories to validate.")
  List<Path> paths;

  @Override
  public Integer call() {
    Validator.Report report = Validator.validate(paths, rulesDir);
    PrintWriter err = spec.commandLine().getErr();
    report.warnings().forEach(warning -> err.println(WARNING + warning));
    err.flush();
    if (!report.problems().isEmpty()) {
      throw new InvalidInputException(report.problems());
    }
    report.valid().forEach(line -> spec.commandLine().getOut().println("ok  " + line));
    spec.commandLine().getOut().flush();
    return 0;
  }
}

package io.meshgate.cli;

import io.meshgate.config.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command; each subcommand is one job of meshgate. */
@Command(
    name = "meshgate",
    mixinStandardHelpOptions = true,
    versionProvider = MeshgateCommand.Version.class,
    description = "Drives Istio revision-based control-plane upgrades behind PromQL health gates.")
public final class MeshgateCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** A command line with meshgate's exit codes: 64 for bad usage or input, 70 for bugs. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new MeshgateCommand());
    cmd.addSubcommand(new RunCommand());
    cmd.addSubcommand("demo", demo());
    cmd.addSubcommand(new EvaluateCommand());
    cmd.addSubcommand(new ValidateCommand());
    cmd.addSubcommand(new StatusCommand());
    cmd.addSubcommand(new PlanCommand());
    cmd.addSubcommand(new VersionCommand());
    cmd.addSubcommand(new CompletionCommand());
    cmd.addSubcommand(new CommandLine.HelpCommand());
    cmd.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          if (!(e instanceof CommandLine.UnmatchedArgumentException)) {
            // picocli reports missing options first; a typo is the likelier cause, say it too
            for (String arg : e.getCommandLine().getUnmatchedArguments()) {
              err.println(
                  "meshgate: "
                      + (arg.startsWith("-") ? "Unknown option: '" : "Unmatched argument: '")
                      + arg
                      + "'");
            }
          }
          err.println("meshgate: " + e.getMessage());
          err.println(
              "Run '"
                  + e.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help' for usage.");
          return ExitCodes.USAGE;
        });
    cmd.setExecutionExceptionHandler(
        (e, command, parseResult) -> {
          PrintWriter err = command.getErr();
          if (e instanceof InvalidInputException invalid) {
            invalid.problems().forEach(p -> err.println("meshgate: " + p));
            return ExitCodes.USAGE;
          }
          err.println("meshgate: internal error: " + e);
          e.printStackTrace(err);
          return ExitCodes.INTERNAL;
        });
    return cmd;
  }

  /**
   * {@code demo} where the jar has it (target/meshgate.jar); the daemon image's jar leaves the
   * simulator out, and says where to run the demo instead.
   */
  private static Object demo() {
    try {
      return Class.forName("io.meshgate.cli.DemoCommand").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return new NoDemo();
    }
  }

  /** {@code --version}: the same lines as {@code meshgate version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return BuildInfo.current().lines();
    }

    /** The jar's version, "unknown" where the build could not tell. */
    static String number() {
      return BuildInfo.current().version();
    }
  }
}

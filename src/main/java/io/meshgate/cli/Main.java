package io.meshgate.cli;

/** {@code java -jar meshgate.jar <command>}: see {@link MeshgateCommand}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // before anything logs: logback reads it once, at its first use
    System.setProperty(
        LogFormat.PROPERTY,
        LogFormat.choose(
            java.util.List.of(args),
            System.getenv("MESHGATE_LOG_FORMAT"),
            System.console() != null));
    System.exit(MeshgateCommand.commandLine().execute(args));
  }
}

package io.meshgate.cli;

/** {@code java -jar meshgate.jar <command>}: see {@link MeshgateCommand}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // before anything logs: logback reads them once, at its first use
    System.setProperty(
        LogFormat.PROPERTY,
        LogFormat.choose(
            java.util.List.of(args),
            System.getenv("MESHGATE_LOG_FORMAT"),
            System.console() != null));
    System.setProperty(LibraryLogs.PROPERTY, LibraryLogs.level(java.util.List.of(args)));
    int code;
    try {
      code = MeshgateCommand.commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      // picocli handles exceptions, not errors: the JVM's own exit code 1 would read as HOLD
      System.err.println(
          "meshgate: out of memory ("
              + e.getMessage()
              + "); give the JVM more heap (java -Xmx1g -jar meshgate.jar ...) or, for a replay,"
              + " a shorter window, a larger --step or fewer namespaces");
      code = ExitCodes.INTERNAL;
    }
    System.exit(code);
  }
}

package io.meshgate.cli;

/** {@code java -jar meshgate.jar <command>}: see {@link MeshgateCommand}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(MeshgateCommand.commandLine().execute(args));
  }
}

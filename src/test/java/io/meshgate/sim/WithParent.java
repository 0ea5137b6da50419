package io.meshgate.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a program so that it ends with the test JVM however the JVM ends: a small bash wrapper
 * starts it and stops it when its own standard input (the JVM's end of the pipe) closes, which the
 * kernel does even when the JVM is killed, or when the wrapper gets SIGTERM ({@link
 * Process#destroy}). The control plane stops the same way; without this an istiod of a crashed test
 * run would outlive it.
 */
final class WithParent {
  private static final String SCRIPT =
      """
      exec 3<&0
      "$@" </dev/null &
      child=$!
      (cat <&3 >/dev/null; kill "$child" 2>/dev/null) &
      watcher=$!
      exec 3<&-
      trap 'kill "$child" "$watcher" 2>/dev/null; wait "$child"' TERM INT
      wait "$child"
      status=$?
      kill "$watcher" 2>/dev/null
      exit "$status"
      """;

  private WithParent() {}

  /** The command line that runs {@code command} under the wrapper. */
  static List<String> command(List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", SCRIPT, "with-parent"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** The wrapped program's own process (the wrapper's child running {@code program}). */
  static Optional<ProcessHandle> program(Process wrapper, String program) {
    return wrapper
        .children()
        .filter(c -> c.info().command().map(cmd -> cmd.endsWith("/" + program)).orElse(false))
        .findFirst();
  }
}

package io.meshgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command line run to its end, its output and error read apart (Helm warns on stderr). Both go to
 * files, never to pipes read here: a hung command cannot block the reader, so the timeout holds and
 * the failure shows what the command printed until then.
 */
final class Command {
  static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** What a run printed and how it ended. */
  record Result(List<String> command, int code, String out, String err) {
    Result orFail() {
      if (code != 0) {
        throw new AssertionError(String.join(" ", command) + " exited " + code + ": " + err);
      }
      return this;
    }
  }

  private Command() {}

  static Result run(List<String> command, Map<String, String> env) {
    return run(command, env, TIMEOUT);
  }

  static Result run(List<String> command, Map<String, String> env, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("command", ".out");
      err = Files.createTempFile("command", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new AssertionError(
            String.join(" ", command)
                + " did not end in "
                + timeout
                + "; it printed: "
                + read(out)
                + read(err));
      }
      return new Result(command, process.exitValue(), read(out), read(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      delete(out);
      delete(err);
    }
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static void delete(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

package io.meshgate.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The test programs of {@code src/test/go} (the control plane, Istio's istiod and istioctl): the
 * build script returns at once when this content is cached, and otherwise builds it (the Maven
 * build has run it already in pre-integration-test), saying what it does on standard error.
 */
final class GoBuilds {
  private static final Path BUILD_SCRIPT = Path.of("src/test/go/build.sh");

  private GoBuilds() {}

  /** The directory holding the programs of {@code module}, built for the current sources. */
  static Path of(String module) {
    try {
      Process build =
          new ProcessBuilder(
                  "bash", BUILD_SCRIPT.toString(), module, Path.of("target", module).toString())
              .redirectOutput(ProcessBuilder.Redirect.PIPE)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String path = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (build.waitFor() != 0) {
        throw new IllegalStateException(
            "building the test programs of "
                + module
                + " failed ("
                + BUILD_SCRIPT
                + " "
                + module
                + "); see its output above");
      }
      return Path.of(path.strip());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + BUILD_SCRIPT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building " + module, e);
    }
  }
}

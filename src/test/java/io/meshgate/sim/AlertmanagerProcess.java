package io.meshgate.sim;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Alertmanager (the {@code alertmanager} binary on PATH, Debian package {@code
 * prometheus-alertmanager}) on a free loopback port, without clustering, for end-to-end tests.
 *
 * <pre>{@code
 * try (AlertmanagerProcess am = AlertmanagerProcess.start(dir, configYaml)) {
 *   URI url = am.url();
 * }
 * }</pre>
 */
public final class AlertmanagerProcess implements AutoCloseable {
  private final Process process;
  private final URI url;

  private AlertmanagerProcess(Process process, URI url) {
    this.process = process;
    this.url = url;
  }

  public static AlertmanagerProcess start(Path workDir, String config) throws IOException {
    return start(debian(), workDir, config);
  }

  /** Starts the Alertmanager binary {@code binary} (Debian's or one of {@link Backends}). */
  public static AlertmanagerProcess start(String binary, Path workDir, String config)
      throws IOException {
    Files.createDirectories(workDir);
    Path configFile = Files.writeString(workDir.resolve("alertmanager.yml"), config);
    Path log = workDir.resolve("alertmanager.log");
    int port = LocalProcesses.freeLoopbackPort();
    Process process =
        new ProcessBuilder(
                binary,
                "--config.file=" + configFile,
                "--storage.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    AlertmanagerProcess alertmanager =
        new AlertmanagerProcess(process, URI.create("http://127.0.0.1:" + port));
    try {
      LocalProcesses.awaitReady(
          process,
          alertmanager.url.resolve("/-/ready"),
          Duration.ofSeconds(30),
          log,
          "alertmanager");
    } catch (IOException e) {
      alertmanager.close();
      throw e;
    }
    return alertmanager;
  }

  /** Debian's Alertmanager (0.25 on bookworm), the one the tests ran before issue 28. */
  public static String debian() {
    // Debian installs it as prometheus-alertmanager, upstream releases as alertmanager
    String found = LocalProcesses.onPath("alertmanager", "prometheus-alertmanager");
    if (found == null) {
      throw new IllegalStateException(
          "alertmanager not found on PATH; install it (Debian/Ubuntu: sudo apt-get install prometheus-alertmanager)");
    }
    return found;
  }

  public URI url() {
    return url;
  }

  @Override
  public void close() {
    LocalProcesses.stop(process);
  }
}

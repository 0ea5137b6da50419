package io.meshgate.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
  private final Path log;

  private AlertmanagerProcess(Process process, URI url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  public static AlertmanagerProcess start(Path workDir, String config) throws IOException {
    Files.createDirectories(workDir);
    Path configFile = Files.writeString(workDir.resolve("alertmanager.yml"), config);
    Path log = workDir.resolve("alertmanager.log");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                binary(),
                "--config.file=" + configFile,
                "--storage.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    AlertmanagerProcess alertmanager =
        new AlertmanagerProcess(process, URI.create("http://127.0.0.1:" + port), log);
    try {
      alertmanager.awaitReady();
    } catch (IOException e) {
      alertmanager.close();
      throw e;
    }
    return alertmanager;
  }

  static String binary() {
    // Debian installs it as prometheus-alertmanager, upstream releases as alertmanager
    for (String name : List.of("alertmanager", "prometheus-alertmanager")) {
      for (String dir :
          System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    throw new IllegalStateException(
        "alertmanager not found on PATH; install it (Debian/Ubuntu: sudo apt-get install prometheus-alertmanager)");
  }

  private void awaitReady() throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("alertmanager exited: " + tail());
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(url.resolve("/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for alertmanager", e);
      }
      try {
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for alertmanager", e);
      }
    }
    throw new IOException("alertmanager not ready after 30s: " + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public URI url() {
    return url;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

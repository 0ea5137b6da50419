package io.meshgate.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One revision's pilot-discovery as a process on loopback: every port it serves is a free one (two
 * revisions run side by side), its working directory its own (istiod writes its DNS certificates
 * relative to it), its log a file.
 */
final class Istiod {
  private static final Duration READY = Duration.ofSeconds(60);

  private final String revision;
  private final Path dir;
  private final int http;
  private final int https;
  private final int grpc;
  private final int secureGrpc;
  private final int monitoring;
  private final int ctrlz;
  private Map<String, String> environment = Map.of();
  private Process process;
  private Duration startup = Duration.ZERO;

  private Istiod(String revision, Path dir, int[] ports) {
    this.revision = revision;
    this.dir = dir;
    this.http = ports[0];
    this.https = ports[1];
    this.grpc = ports[2];
    this.secureGrpc = ports[3];
    this.monitoring = ports[4];
    this.ctrlz = ports[5];
  }

  /** Picks its ports (so that the chart can be rendered with its URL) without starting it. */
  static Istiod ports(String revision, Path dir) throws IOException {
    Files.createDirectories(dir);
    int[] ports = new int[6];
    for (int i = 0; i < ports.length; i++) {
      ports[i] = portBelowEphemeralRange();
    }
    return new Istiod(revision, dir, ports);
  }

  /**
   * A free loopback port below the kernel's ephemeral range. istiod binds its ports seconds after
   * they are picked (after the chart is rendered and applied), and again on a restart; a port of
   * the ephemeral range may meanwhile become the source port of some outgoing connection or the
   * port-0 listener of another process, and istiod would exit "address already in use".
   */
  private static int portBelowEphemeralRange() throws IOException {
    // readAllLines, not readString: procfs reports size 0 and readString returns a fragment
    int ephemeralFrom =
        Integer.parseInt(
            Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                .get(0)
                .strip()
                .split("\\s+")[0]);
    int from = Math.max(1024, ephemeralFrom / 2);
    if (from >= ephemeralFrom) {
      throw new IOException("the ephemeral port range starts at " + ephemeralFrom);
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(from, ephemeralFrom);
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // another listener has it: try the next one
      }
    }
    throw new IOException("no free loopback port below " + ephemeralFrom + " after 100 attempts");
  }

  /**
   * Where the API server calls istiod's webhook server (HTTPS): {@code /inject}, {@code /validate}.
   */
  URI webhookUrl(String path) {
    return URI.create("https://127.0.0.1:" + https + path);
  }

  void environment(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  Path log() {
    return dir.resolve("istiod.log");
  }

  synchronized boolean running() {
    return process != null && process.isAlive();
  }

  synchronized void start(Path binary, Path kubeconfig) {
    if (running()) {
      return;
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                WithParent.command(
                    List.of(
                        binary.toString(),
                        "discovery",
                        "--kubeconfig=" + kubeconfig,
                        "--httpAddr=127.0.0.1:" + http,
                        "--httpsAddr=127.0.0.1:" + https,
                        "--grpcAddr=127.0.0.1:" + grpc,
                        "--secureGRPCAddr=127.0.0.1:" + secureGrpc,
                        "--monitoringAddr=127.0.0.1:" + monitoring,
                        "--ctrlz_port=" + ctrlz,
                        "--ctrlz_address=127.0.0.1",
                        "--domain=cluster.local",
                        "--keepaliveMaxServerConnectionAge=30m",
                        "--log_output_level=default:info")))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    builder.environment().putAll(environment);
    builder.environment().put("REVISION", revision);
    try {
      long started = System.nanoTime();
      process = builder.start();
      LocalProcesses.awaitReady(
          process,
          URI.create("http://127.0.0.1:" + http + "/ready"),
          READY,
          log(),
          "istiod " + revision);
      startup = Duration.ofNanos(System.nanoTime() - started);
    } catch (IOException e) {
      if (process != null) {
        process.destroyForcibly();
      }
      throw new UncheckedIOException("istiod " + revision + " did not start", e);
    }
  }

  /** From the start of the process until it answered {@code /ready}, the last time it started. */
  synchronized Duration startup() {
    return startup;
  }

  /** The process's resident memory in MiB (VmRSS), or -1 when it does not run. */
  synchronized long rssMiB() {
    if (!running()) {
      return -1;
    }
    Optional<ProcessHandle> istiod = WithParent.program(process, "pilot-discovery");
    if (istiod.isEmpty()) {
      return -1;
    }
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(istiod.get().pid()), "status"))
          .stream()
          .filter(l -> l.startsWith("VmRSS:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
          .findFirst()
          .orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  synchronized void stop() {
    if (process != null) {
      List<ProcessHandle> started = process.descendants().toList();
      LocalProcesses.stop(process);
      // what the wrapper could not stop if it had to be killed itself
      started.forEach(ProcessHandle::destroyForcibly);
      process = null;
    }
  }
}

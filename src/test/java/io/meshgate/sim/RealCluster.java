package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshgate.kube.KubeCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Kubernetes control plane for tests: etcd, kube-apiserver and kube-controller-manager of
 * the {@code src/test/go/kubecluster} program (built from the Kubernetes Go modules, cached by
 * content hash), on loopback with free ports in a temporary directory. The API server enforces
 * RBAC, the CRD schema, admission webhooks and size limits; the real workload controllers roll out;
 * every request but the control plane's own is written to an audit log.
 *
 * <pre>{@code
 * try (RealCluster cluster = RealCluster.start()) {
 *   KubernetesClient admin = cluster.admin();
 * }
 * }</pre>
 */
public final class RealCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private static final Duration CONTROL_TIMEOUT = Duration.ofMinutes(3);

  private final Process process;
  private final BufferedReader output;
  private final Writer commands;
  private final Path dir;
  private final Path kubeconfig;
  private final String server;
  private final String caCertPem;
  private final AuditLog audit;
  private final Duration startup;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final KubernetesClient admin;

  private volatile boolean frozen;

  private RealCluster(Process process, BufferedReader output, Path dir, JsonNode ready)
      throws IOException {
    this.process = process;
    this.output = output;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.dir = dir;
    this.kubeconfig = Path.of(ready.path("kubeconfig").asText());
    this.server = ready.path("server").asText();
    this.caCertPem = Files.readString(Path.of(ready.path("caCert").asText()));
    this.audit = new AuditLog(Path.of(ready.path("auditLog").asText()));
    this.startup = Duration.ofMillis(ready.path("startupMs").asLong());
    this.admin = track(new KubernetesClientBuilder().withConfig(adminConfig()).build());
  }

  /**
   * Builds the control plane if this content was never built on this machine (the script says what
   * it does), then starts it and waits until it serves.
   */
  public static RealCluster start() {
    Path binary = binary();
    Path dir;
    Process process;
    try {
      dir = Files.createTempDirectory("kubecluster-");
      process =
          new ProcessBuilder(binary.toString(), "up", "--dir", dir.resolve("cluster").toString())
              .redirectError(dir.resolve("kubecluster.log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    BufferedReader output =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    try {
      JsonNode ready = JSON.readTree(readyLine(output, process, dir));
      return new RealCluster(process, output, dir, ready);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  private static String readyLine(BufferedReader output, Process process, Path dir) {
    CompletableFuture<String> line = nextLine(output);
    try {
      String ready = line.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (ready == null) {
        throw new IllegalStateException(
            "kubecluster exited before it was ready:\n" + log(dir.resolve("kubecluster.log")));
      }
      return ready;
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "kubecluster not ready within "
              + START_TIMEOUT
              + ":\n"
              + log(dir.resolve("kubecluster.log")));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting kubecluster", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read kubecluster's output", e.getCause());
    }
  }

  private static CompletableFuture<String> nextLine(BufferedReader output) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return output.readLine();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * Stops kube-apiserver (SIGTERM, as an upgrade does) and starts it again with the same flags on
   * the same etcd, returning once it is ready again; clients see their connections and watches end.
   *
   * @return how long it was away, as kubecluster measured it
   */
  public Duration restartApiServer() {
    return Duration.ofMillis(control("restart kube-apiserver").path("ms").asLong());
  }

  /**
   * Closes the embedded etcd: the API server keeps serving what needs no storage (discovery, and
   * {@code /readyz} failing), and every read or write of an object fails or times out.
   */
  public void stopEtcd() {
    control("stop etcd");
  }

  /** Starts etcd again on the same data directory and ports: nothing stored is lost. */
  public void startEtcd() {
    control("start etcd");
  }

  /**
   * SIGSTOP to kube-apiserver: connections stay open and requests are accepted by the kernel but
   * nothing is answered, as with a hung server or a network partition that drops nothing.
   */
  public void freezeApiServer() {
    signalApiServer("STOP");
    frozen = true;
  }

  /** SIGCONT to kube-apiserver: it answers what it received while frozen, then carries on. */
  public void thawApiServer() {
    signalApiServer("CONT");
    frozen = false;
  }

  private void signalApiServer(String signal) {
    String pid = control("pid kube-apiserver").path("pid").asText();
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal, e);
    }
  }

  /** One command of kubecluster's control protocol (see its main.go), answered once done. */
  private synchronized JsonNode control(String command) {
    try {
      commands.write(command + "\n");
      commands.flush();
      String line = nextLine(output).get(CONTROL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException(
            "kubecluster exited during '" + command + "':\n" + log(dir.resolve("kubecluster.log")));
      }
      JsonNode answer = JSON.readTree(line);
      if (!answer.path("ok").asBoolean()) {
        throw new IllegalStateException(
            "kubecluster '" + command + "' failed: " + answer.path("error").asText());
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send '" + command + "' to kubecluster", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "kubecluster did not answer '" + command + "' within " + CONTROL_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during '" + command + "'", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read kubecluster's answer", e.getCause());
    }
  }

  private static String log(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The control-plane binary for the current sources, built if this content never was. */
  static Path binary() {
    return GoBuilds.of("kubecluster").resolve("kubecluster");
  }

  private Config adminConfig() throws IOException {
    return Config.fromKubeconfig(Files.readString(kubeconfig));
  }

  private KubernetesClient track(KubernetesClient client) {
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  /** A cluster-admin client (group system:masters). */
  public KubernetesClient admin() {
    return admin;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public String server() {
    return server;
  }

  public AuditLog audit() {
    return audit;
  }

  /** How long the control plane took from start to serving, as it measured itself. */
  public Duration startup() {
    return startup;
  }

  /** A token for the ServiceAccount from the TokenRequest API, valid for an hour. */
  public String token(String namespace, String serviceAccount) {
    TokenRequest request =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build());
    return request.getStatus().getToken();
  }

  /** The configuration of a client that authenticates as the ServiceAccount, as a pod's would. */
  public Config serviceAccountConfig(String namespace, String serviceAccount) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(server)
        .withCaCertData(
            java.util.Base64.getEncoder()
                .encodeToString(caCertPem.getBytes(StandardCharsets.US_ASCII)))
        .withOauthToken(token(namespace, serviceAccount))
        .withNamespace(namespace)
        .withRequestRetryBackoffLimit(KubeCluster.REQUEST_RETRIES)
        .build();
  }

  /** A client that authenticates as the ServiceAccount; closed with the cluster. */
  public KubernetesClient serviceAccountClient(String namespace, String serviceAccount) {
    return track(
        new KubernetesClientBuilder()
            .withConfig(serviceAccountConfig(namespace, serviceAccount))
            .build());
  }

  /**
   * A kubeconfig file for the ServiceAccount, for a daemon started as its own process ({@code
   * meshgate run}).
   */
  public Path serviceAccountKubeconfig(String namespace, String serviceAccount) {
    String config =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: kubecluster
            cluster:
              server: %s
              certificate-authority-data: %s
        users:
          - name: %s
            user:
              token: %s
        contexts:
          - name: %s
            context: {cluster: kubecluster, user: %s, namespace: %s}
        current-context: %s
        """
            .formatted(
                server,
                java.util.Base64.getEncoder()
                    .encodeToString(caCertPem.getBytes(StandardCharsets.US_ASCII)),
                serviceAccount,
                token(namespace, serviceAccount),
                serviceAccount,
                serviceAccount,
                namespace,
                serviceAccount);
    try {
      Path file = dir.resolve(serviceAccount + ".kubeconfig");
      Files.writeString(file, config);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(KubernetesClient::close);
      clients.clear();
    }
    if (frozen) {
      // a stopped process would leave SIGTERM pending until it is killed
      thawApiServer();
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      LocalProcesses.deleteTree(dir);
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing a test for
    }
  }
}

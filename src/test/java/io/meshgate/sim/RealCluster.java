package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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

  private final Process process;
  private final Path dir;
  private final Path kubeconfig;
  private final String server;
  private final String caCertPem;
  private final AuditLog audit;
  private final Duration startup;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final KubernetesClient admin;

  private RealCluster(Process process, Path dir, JsonNode ready) throws IOException {
    this.process = process;
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
    try {
      JsonNode ready = JSON.readTree(readyLine(process, dir));
      return new RealCluster(process, dir, ready);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  private static String readyLine(Process process, Path dir) {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
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

package io.meshgate.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.Problems;
import io.meshgate.json.Mappers;
import io.meshgate.notify.Notifier;
import io.meshgate.sim.RealCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The daemon as a pod of the chart's Deployment would run it, but in this JVM (the test cluster's
 * kubelets are fake): as the pod's ServiceAccount, with the {@code meshgate.yaml} of the config
 * ConfigMap its pod spec mounts, the rules of the rules ConfigMap and the token of the Secret, read
 * from the cluster and written where this machine can read them; on a free port.
 */
final class ChartPod implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Daemon daemon;
  private final DaemonConfig config;

  private ChartPod(Daemon daemon, DaemonConfig config) {
    this.daemon = daemon;
    this.config = config;
  }

  static ChartPod start(RealCluster cluster, String namespace, String deployment, Path dir)
      throws IOException {
    KubernetesClient admin = cluster.admin();
    PodSpec pod =
        admin
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName(deployment)
            .get()
            .getSpec()
            .getTemplate()
            .getSpec();
    Path rules = Files.createDirectories(dir.resolve("rules"));
    for (Map.Entry<String, String> rule : configMap(admin, namespace, pod, "rules").entrySet()) {
      Files.writeString(rules.resolve(rule.getKey()), rule.getValue());
    }
    Path token = dir.resolve("webhook-token");
    Files.write(token, secretFile(admin, namespace, pod, "webhook-token"));
    ObjectNode config =
        (ObjectNode)
            Mappers.yaml()
                .readTree(configMap(admin, namespace, pod, "config").get("meshgate.yaml"));
    config.put("rulesDir", rules.toString());
    ((ObjectNode) config.path("http"))
        .put("port", freePort())
        .put("webhookTokenFile", token.toString());
    Problems problems = new Problems();
    DaemonConfig parsed = DaemonConfigLoader.parse("meshgate-config", config, true, problems);
    problems.throwIfAny();
    return new ChartPod(
        Daemon.start(
            parsed,
            cluster.serviceAccountClient(namespace, pod.getServiceAccountName()),
            Clock.systemUTC(),
            Notifier.NONE,
            Daemon.Options.production(deployment + "-in-process", false)),
        parsed);
  }

  /** The configuration the daemon started with, as it read it from the ConfigMap. */
  DaemonConfig config() {
    return config;
  }

  /** What the readiness probe asks: does {@code /readyz} answer 200. */
  boolean ready() {
    try {
      HttpResponse<Void> answer =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + daemon.httpPort() + "/readyz"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return answer.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    daemon.close();
  }

  /** The data of the ConfigMap mounted as the volume {@code volume}. */
  private static Map<String, String> configMap(
      KubernetesClient admin, String namespace, PodSpec pod, String volume) {
    String name =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(volume))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume " + volume))
            .getConfigMap()
            .getName();
    return admin.configMaps().inNamespace(namespace).withName(name).get().getData();
  }

  /** The content of the projected Secret item mounted as {@code path}. */
  private static byte[] secretFile(
      KubernetesClient admin, String namespace, PodSpec pod, String path) {
    VolumeProjection source =
        pod.getVolumes().stream()
            .filter(v -> v.getProjected() != null)
            .flatMap(v -> v.getProjected().getSources().stream())
            .filter(s -> s.getSecret() != null)
            .filter(s -> s.getSecret().getItems().stream().anyMatch(i -> i.getPath().equals(path)))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Secret mounted as " + path));
    String key =
        source.getSecret().getItems().stream()
            .filter(i -> i.getPath().equals(path))
            .findFirst()
            .orElseThrow()
            .getKey();
    String data =
        admin
            .secrets()
            .inNamespace(namespace)
            .withName(source.getSecret().getName())
            .get()
            .getData()
            .get(key);
    return Base64.getDecoder().decode(data);
  }

  /** A port nothing listens on now (the config's schema wants one from 1: no 0 for any). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

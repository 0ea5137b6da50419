package io.meshgate.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.kube.KubeCluster;
import io.meshgate.notify.LogNotifier;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The daemon: drives every RevisionMigration in the cluster until stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the meshgate daemon against the current cluster (in-cluster config or kubeconfig).",
      "A bad config stops start-up with every problem listed (exit 64)."
    })
final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Daemon config (see daemon/meshgate.yaml).")
  Path config;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description =
          "json (one object per line), text, or auto (the default: JSON unless on a terminal);"
              + " also MESHGATE_LOG_FORMAT.")
  // applied by Main before logging starts; declared here so that picocli documents and checks it
  LogFormat logFormat = LogFormat.auto;

  @Option(
      names = "--insecure-webhook",
      description =
          "Accept the webhook and API writes without a bearer token (never in production).")
  boolean insecureWebhook;

  @Override
  public Integer call() throws InterruptedException {
    DaemonConfig daemonConfig = DaemonConfigLoader.load(config, true);
    CountDownLatch stopped = new CountDownLatch(1);
    String identity = identity();
    try (KubernetesClient client = client(identity);
        Daemon daemon =
            Daemon.start(
                daemonConfig,
                client,
                Clock.systemUTC(),
                new LogNotifier(),
                Daemon.Options.production(identity, insecureWebhook))) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "meshgate-shutdown"));
      stopped.await();
    }
    return 0;
  }

  /**
   * The in-cluster service account, else the kubeconfig's current context; requests carry the
   * replica in their User-Agent, so that audit logs tell the replicas apart.
   */
  private static KubernetesClient client(String identity) {
    Config config =
        new ConfigBuilder(Config.autoConfigure(null))
            .withUserAgent("meshgate/" + MeshgateCommand.Version.number() + " (" + identity + ")")
            .withRequestRetryBackoffLimit(KubeCluster.REQUEST_RETRIES)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "meshgate-" + ProcessHandle.current().pid();
    }
  }
}

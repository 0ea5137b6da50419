package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.sim.Backends;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Helm's own CLI ({@link Backends#helm()}) on the chart of {@code deploy/helm/meshgate}, with
 * cache, config and data directories of its own (never the user's), and a kubeconfig when it talks
 * to a cluster.
 */
final class Helm {
  static final Path CHART = Path.of("deploy", "helm", "meshgate");
  static final String RELEASE = "meshgate";
  static final String NAMESPACE = "meshgate";

  /** Values for a cluster without the prometheus-operator's CRDs, as the test clusters are. */
  static final List<String> WITHOUT_OPERATOR =
      List.of(
          "--set", "serviceMonitor.enabled=false",
          "--set", "ztunnelPodMonitor.enabled=false",
          "--set", "prometheusRule.enabled=false");

  private final Map<String, String> env;

  private Helm(Path home, Path kubeconfig) {
    this.env =
        Map.of(
            "HELM_CACHE_HOME", home.resolve("cache").toString(),
            "HELM_CONFIG_HOME", home.resolve("config").toString(),
            "HELM_DATA_HOME", home.resolve("data").toString(),
            // rendering needs no cluster: a kubeconfig that does not exist keeps the user's out
            "KUBECONFIG", kubeconfig.toString());
  }

  /** Helm for rendering only: no cluster. */
  static Helm offline(Path home) {
    return new Helm(home, home.resolve("no-kubeconfig"));
  }

  /** Helm talking to the cluster of {@code kubeconfig}. */
  static Helm on(Path home, Path kubeconfig) {
    return new Helm(home, kubeconfig);
  }

  Command.Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Backends.helm());
    command.addAll(args);
    return Command.run(command, env);
  }

  Command.Result run(String... args) {
    return run(List.of(args));
  }

  /** {@code helm template} of the chart as release meshgate into namespace meshgate. */
  Command.Result template(String... flags) {
    List<String> args =
        new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "--namespace", NAMESPACE));
    args.addAll(List.of(flags));
    return run(args);
  }

  /**
   * {@code helm VERB} (install, upgrade) of the chart as release meshgate into namespace meshgate,
   * with {@code flags}.
   */
  Command.Result release(String verb, List<String> flags) {
    List<String> args =
        new ArrayList<>(List.of(verb, RELEASE, CHART.toString(), "--namespace", NAMESPACE));
    args.addAll(flags);
    return run(args);
  }

  /** The objects {@code helm template} renders with {@code flags}; fails when it refuses. */
  List<JsonNode> render(String... flags) {
    return Manifests.documents(template(flags).orFail().out());
  }
}

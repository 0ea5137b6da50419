package io.meshgate.config;

import io.meshgate.notify.SlackSettings;
import io.meshgate.prometheus.PrometheusSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The daemon configuration of DESIGN.md section 6, with every default applied. */
public record DaemonConfig(
    PrometheusSettings prometheus,
    Path rulesDir,
    String controlPlaneNamespace,
    Http http,
    Alerts alerts,
    SlackSettings slack,
    LeaderElection leaderElection) {

  public static final Path DEFAULT_RULES_DIR = Path.of("rules");

  /** The single HTTP port: health, metrics, API, Alertmanager webhook. */
  public record Http(int port, Path webhookTokenFile) {}

  /** How Alertmanager alerts map to actions and to namespaces or revisions. */
  public record Alerts(
      List<String> namespaceLabels, List<String> revisionLabels, List<AlertAction> actions) {
    public static final Alerts DEFAULT =
        new Alerts(
            List.of("namespace", "destination_workload_namespace", "destination_service_namespace"),
            List.of("istio_io_rev", "revision"),
            List.of(
                new AlertAction(Map.of("severity", "critical"), AlertAction.Kind.ROLLBACK),
                new AlertAction(Map.of("severity", "warning"), AlertAction.Kind.HOLD)));
  }

  /** Alerts whose labels include every {@code match} pair lead to {@code action}. */
  public record AlertAction(Map<String, String> match, Kind action) {
    /** What a matching firing alert does to the namespaces it names. */
    public enum Kind {
      ROLLBACK,
      HOLD
    }
  }

  /** Lease-based leader election, so that one replica acts at a time. */
  public record LeaderElection(boolean enabled, String namespace, String leaseName) {}
}

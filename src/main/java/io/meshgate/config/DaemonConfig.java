package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.gate.WaypointLabels;
import io.meshgate.migration.AlertAction;
import io.meshgate.notify.SlackSettings;
import io.meshgate.prometheus.PrometheusSettings;
import java.nio.file.Path;
import java.time.Duration;
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
    LeaderElection leaderElection,
    GateSettings gate,
    Sail sail) {

  public static final Path DEFAULT_RULES_DIR = Path.of("rules");

  /** A configuration without Sail's autoMigrate. */
  public DaemonConfig(
      PrometheusSettings prometheus,
      Path rulesDir,
      String controlPlaneNamespace,
      Http http,
      Alerts alerts,
      SlackSettings slack,
      LeaderElection leaderElection,
      GateSettings gate) {
    this(
        prometheus,
        rulesDir,
        controlPlaneNamespace,
        http,
        alerts,
        slack,
        leaderElection,
        gate,
        Sail.OFF);
  }

  /** A configuration with the default gate settings. */
  public DaemonConfig(
      PrometheusSettings prometheus,
      Path rulesDir,
      String controlPlaneNamespace,
      Http http,
      Alerts alerts,
      SlackSettings slack,
      LeaderElection leaderElection) {
    this(
        prometheus,
        rulesDir,
        controlPlaneNamespace,
        http,
        alerts,
        slack,
        leaderElection,
        GateSettings.DEFAULT);
  }

  /**
   * The evidence window (DESIGN.md section 3): {@code minWindow}, the shortest window after a
   * rollout a namespace-, gateway- or waypoint-scoped rule is judged on, at least two {@code
   * scrapeInterval}s of the Prometheus that scrapes Istio's metrics (a rate needs two samples); and
   * the labels the scrape attaches to a waypoint's metrics ({@code waypointLabels}, DESIGN.md
   * section 12).
   */
  public record GateSettings(
      Duration minWindow, Duration scrapeInterval, WaypointLabels waypointLabels) {
    public static final GateSettings DEFAULT =
        new GateSettings(Duration.ofMinutes(1), Duration.ofSeconds(15));

    /** Settings with the waypoint labels of Istio's sample Prometheus. */
    public GateSettings(Duration minWindow, Duration scrapeInterval) {
      this(minWindow, scrapeInterval, WaypointLabels.DEFAULT);
    }
  }

  /** This configuration with {@code sail} instead of its own. */
  public DaemonConfig withSail(Sail sail) {
    return new DaemonConfig(
        prometheus,
        rulesDir,
        controlPlaneNamespace,
        http,
        alerts,
        slack,
        leaderElection,
        gate,
        sail);
  }

  /**
   * Sail Operator (DESIGN.md section 12): with {@code autoMigrate}, a new active revision of an
   * {@code Istio} resource creates a RevisionMigration whose spec is {@code template} (a
   * RevisionMigration spec without {@code fromRevision} and {@code toRevision}, which come from the
   * Istio's revisions). {@code template} is null when not configured; it is checked against the CRD
   * and the rules at start-up, as {@code meshgate validate} checks a migration.
   */
  public record Sail(boolean autoMigrate, JsonNode template) {
    public static final Sail OFF = new Sail(false, null);
  }

  /**
   * The single HTTP port: health, metrics, API, Alertmanager webhook; bound on {@code address}, an
   * IP address of the pod ({@code 0.0.0.0}: every IPv4 interface).
   */
  public record Http(String address, int port, Path webhookTokenFile) {
    public static final String ALL_INTERFACES = "0.0.0.0";

    /** The port on every interface. */
    public Http(int port, Path webhookTokenFile) {
      this(ALL_INTERFACES, port, webhookTokenFile);
    }
  }

  /** How Alertmanager alerts map to actions and to namespaces or revisions. */
  public record Alerts(
      List<String> namespaceLabels, List<String> revisionLabels, List<AlertRoute> actions) {
    public static final Alerts DEFAULT =
        new Alerts(
            List.of("namespace", "destination_workload_namespace", "destination_service_namespace"),
            List.of("istio_io_rev", "revision"),
            List.of(
                new AlertRoute(Map.of("severity", "critical"), AlertAction.ROLLBACK),
                new AlertRoute(Map.of("severity", "warning"), AlertAction.HOLD)));
  }

  /** Alerts whose labels include every {@code match} pair lead to {@code action}. */
  public record AlertRoute(Map<String, String> match, AlertAction action) {}

  /** Lease-based leader election, so that one replica acts at a time. */
  public record LeaderElection(boolean enabled, String namespace, String leaseName) {}
}

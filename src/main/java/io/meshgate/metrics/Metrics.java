package io.meshgate.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/**
 * meshgate's own metrics, with the names and labels of DESIGN.md section 8 (alerts and dashboards
 * depend on them). The Java client adds {@code _total} to counters on exposition.
 *
 * <pre>{@code
 * Metrics metrics = new Metrics();
 * metrics.actions.labelValues("flip", "success").inc();
 * }</pre>
 */
public final class Metrics {
  public final PrometheusRegistry registry = new PrometheusRegistry();

  /** {@code meshgate_evaluations_total{migration,rule,result}}: rule results per tick. */
  public final Counter evaluations =
      Counter.builder()
          .name("meshgate_evaluations")
          .help("Gate rule results, per migration, rule and result (PASS, FAIL, NO_DATA, ERROR).")
          .labelNames("migration", "rule", "result")
          .register(registry);

  /** {@code meshgate_verdicts_total{migration,verdict}}. */
  public final Counter verdicts =
      Counter.builder()
          .name("meshgate_verdicts")
          .help(
              "Verdicts of namespaces, gateways and ztunnel nodes per tick (PROMOTE, HOLD, ROLLBACK).")
          .labelNames("migration", "verdict")
          .register(registry);

  /** {@code meshgate_namespace_phase{migration,namespace,phase}}: 1 for the current phase. */
  public final Gauge namespacePhase =
      Gauge.builder()
          .name("meshgate_namespace_phase")
          .help("1 for the current phase of each namespace of each migration.")
          .labelNames("migration", "namespace", "phase")
          .register(registry);

  /**
   * {@code meshgate_gateway_phase{migration,kind,namespace,name,phase}}: 1 for the current phase of
   * each gateway target. Apart from {@link #namespacePhase}, whose {@code namespace} label is the
   * namespace migrated: a gateway is not one, and the queries counting namespaces stay right.
   */
  public final Gauge gatewayPhase =
      Gauge.builder()
          .name("meshgate_gateway_phase")
          .help("1 for the current phase of each gateway of each migration.")
          .labelNames("migration", "kind", "namespace", "name", "phase")
          .register(registry);

  /**
   * {@code meshgate_node_phase{migration,node,phase}}: 1 for the current phase of each node of a
   * ztunnel wave; a node is in no namespace, so it has a series of its own too.
   */
  public final Gauge nodePhase =
      Gauge.builder()
          .name("meshgate_node_phase")
          .help("1 for the current phase of each node of each migration's ztunnel waves.")
          .labelNames("migration", "node", "phase")
          .register(registry);

  /** {@code meshgate_actions_total{action,result}}. */
  public final Counter actions =
      Counter.builder()
          .name("meshgate_actions")
          .help("Cluster actions taken (flip, restart, restore, status, event) and their result.")
          .labelNames("action", "result")
          .register(registry);

  /** {@code meshgate_prometheus_query_seconds{rule}}. */
  public final Histogram prometheusQuerySeconds =
      Histogram.builder()
          .name("meshgate_prometheus_query_seconds")
          .help("Duration of the PromQL query of each rule, retries included.")
          .classicOnly()
          .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
          .labelNames("rule")
          .register(registry);

  /** {@code meshgate_prometheus_errors_total{reason}}. */
  public final Counter prometheusErrors =
      Counter.builder()
          .name("meshgate_prometheus_errors")
          .help(
              "Failed PromQL queries by reason (unreachable, timeout, bad_data, circuit_open, ...).")
          .labelNames("reason")
          .register(registry);

  /** {@code meshgate_alerts_received_total{action}}. */
  public final Counter alertsReceived =
      Counter.builder()
          .name("meshgate_alerts_received")
          .help("Alerts received from Alertmanager by mapped action (rollback, hold, none).")
          .labelNames("action")
          .register(registry);

  /**
   * {@code meshgate_alerts_truncated_total}: alerts Alertmanager counted in a group but left out of
   * the webhook payload ({@code max_alerts}).
   */
  public final Counter alertsTruncated =
      Counter.builder()
          .name("meshgate_alerts_truncated")
          .help(
              "Alerts Alertmanager left out of webhook payloads (truncatedAlerts, from max_alerts).")
          .register(registry);

  /** {@code meshgate_notifications_total{channel,result}}. */
  public final Counter notifications =
      Counter.builder()
          .name("meshgate_notifications")
          .help("Notifications by channel and result (sent, failed, dropped, rejected).")
          .labelNames("channel", "result")
          .register(registry);

  /** {@code meshgate_leader}: 1 on the replica holding the lease. */
  public final Gauge leader =
      Gauge.builder()
          .name("meshgate_leader")
          .help("1 when this replica is the leader.")
          .register(registry);

  /** {@code meshgate_tick_seconds{migration}}: wall time of a tick, Prometheus queries included. */
  public final Histogram tickSeconds =
      Histogram.builder()
          .name("meshgate_tick_seconds")
          .help("Wall time of one tick of a migration: observe, decide, act, record.")
          .labelNames("migration")
          .register(registry);

  /**
   * {@code meshgate_cached_objects} and {@code meshgate_watched_namespaces}: what the daemon's
   * memory grows with, read when scraped.
   */
  public void watching(IntSupplier cachedObjects, IntSupplier watchedNamespaces) {
    GaugeWithCallback.builder()
        .name("meshgate_cached_objects")
        .help("Objects held in informer caches.")
        .callback(callback -> callback.call(cachedObjects.getAsInt()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("meshgate_watched_namespaces")
        .help("Namespaces whose workloads and pods are watched: those in flight.")
        .callback(callback -> callback.call(watchedNamespaces.getAsInt()))
        .register(registry);
  }

  /** {@code meshgate_last_evaluation_timestamp_seconds{migration}}. */
  public final Gauge lastEvaluation =
      Gauge.builder()
          .name("meshgate_last_evaluation_timestamp_seconds")
          .help("Unix time of the last completed tick of each migration.")
          .labelNames("migration")
          .register(registry);
}

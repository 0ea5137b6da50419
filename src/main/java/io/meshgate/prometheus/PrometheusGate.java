package io.meshgate.prometheus;

import io.meshgate.gate.EvidenceWindows;
import io.meshgate.gate.Gate;
import io.meshgate.gate.GatePlan;
import io.meshgate.gate.PlannedQuery;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.RangeResult;
import io.meshgate.gate.Replay;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Target;
import io.meshgate.gate.TickReport;
import io.meshgate.metrics.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One gate tick against Prometheus: plan (pure), send each planned query once, judge (pure). The
 * daemon and {@code meshgate evaluate} share this path.
 */
public final class PrometheusGate {
  private final PrometheusClient client;
  private final Metrics metrics;

  public PrometheusGate(PrometheusClient client) {
    this(client, new Metrics());
  }

  public PrometheusGate(PrometheusClient client, Metrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  public TickReport tick(
      List<Rule> rules, Target target, Instant time, Map<String, Map<String, Double>> baselines) {
    return tick(rules, target, time, baselines, EvidenceWindows.unclipped());
  }

  /** One tick, each namespace-scoped rule over each namespace's evidence window. */
  public TickReport tick(
      List<Rule> rules,
      Target target,
      Instant time,
      Map<String, Map<String, Double>> baselines,
      EvidenceWindows evidence) {
    List<PlannedQuery> plan = GatePlan.tick(rules, target, time, evidence);
    return Gate.evaluate(target, time, plan, send(plan), baselines);
  }

  /**
   * Baselines over {@code window} ending at {@code time}, by namespace and rule (and the target's
   * cohort over the same window, under {@code cohort/<rule>}).
   */
  public Map<String, Map<String, Double>> baselines(
      List<Rule> rules, Target target, Instant time, Duration window) {
    List<PlannedQuery> plan = GatePlan.baseline(rules, target, time, window);
    return Gate.baselines(plan, send(plan), target.cohort());
  }

  /** Each query of a replay once, as a range query over the steps that use it. */
  public Map<PlannedQuery, RangeResult> range(List<Replay.RangeQuery> queries, Duration step) {
    Map<PlannedQuery, RangeResult> answers = new LinkedHashMap<>();
    for (Replay.RangeQuery range : queries) {
      PlannedQuery q = range.query();
      if (q.isSendable()) {
        long start = System.nanoTime();
        RangeResult answer = client.queryRange(q.promql(), range.from(), range.to(), step);
        metrics
            .prometheusQuerySeconds
            .labelValues(q.rule().name())
            .observe((System.nanoTime() - start) / 1e9);
        if (answer instanceof RangeResult.Failure failure) {
          metrics.prometheusErrors.labelValues(failure.failure().reason()).inc();
        }
        answers.put(q, answer);
      }
    }
    return answers;
  }

  private Map<PlannedQuery, QueryResult> send(List<PlannedQuery> plan) {
    Map<PlannedQuery, QueryResult> answers = new LinkedHashMap<>();
    for (PlannedQuery q : plan) {
      if (q.isSendable()) {
        long start = System.nanoTime();
        QueryResult answer = client.query(q.promql(), q.time());
        metrics
            .prometheusQuerySeconds
            .labelValues(q.rule().name())
            .observe((System.nanoTime() - start) / 1e9);
        if (answer instanceof QueryResult.Failure failure) {
          metrics.prometheusErrors.labelValues(failure.reason()).inc();
        }
        answers.put(q, answer);
      }
    }
    return answers;
  }
}

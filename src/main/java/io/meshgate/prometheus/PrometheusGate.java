package io.meshgate.prometheus;

import io.meshgate.gate.Durations;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gate tick against Prometheus: plan (pure), send each planned query once, judge (pure). The
 * daemon and {@code meshgate evaluate} share this path.
 */
public final class PrometheusGate {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusGate.class);

  /** Infos said once at INFO, then at DEBUG: the same note each tick would drown the log. */
  private static final int INFOS_REMEMBERED = 1000;

  private final PrometheusClient client;
  private final Metrics metrics;
  private final Set<String> infosLogged = ConcurrentHashMap.newKeySet();
  private volatile QueryResult.Failure misconfigured;

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
   * Baselines over {@code window} ending at {@code time}, by target key (namespace or workload key)
   * and rule (and the target's cohort over the same window, under {@code cohort/<rule>}); null when
   * an answer was partial (see {@link Gate#baselines}).
   */
  public Map<String, Map<String, Double>> baselines(
      List<Rule> rules, Target target, Instant time, Duration window) {
    List<PlannedQuery> plan = GatePlan.baseline(rules, target, time, window);
    Map<PlannedQuery, QueryResult> answers = send(plan);
    Map<String, Map<String, Double>> baselines = Gate.baselines(plan, answers, target);
    if (baselines == null) {
      answers.forEach(
          (q, answer) -> {
            String why = null;
            if (answer instanceof QueryResult.Failure f && f.unavailable()) {
              why = "Prometheus could not answer: " + f.message();
            } else if (answer instanceof QueryResult.Success s
                && !q.rule().unacceptedWarnings(s.warnings()).isEmpty()) {
              why =
                  "Prometheus answered with warnings " + q.rule().unacceptedWarnings(s.warnings());
            }
            if (why != null) {
              LOG.warn(
                  "baseline of {} over {} ending {} not taken: rule={} {} (not evidence; asked"
                      + " again at the next tick)",
                  target.keys(),
                  Durations.format(window),
                  time,
                  q.rule().name(),
                  why);
            }
          });
    }
    return baselines;
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
          failed(failure.failure());
        } else if (answer instanceof RangeResult.Success success) {
          annotations(q.rule(), success.warnings(), success.infos());
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
          failed(failure);
        } else if (answer instanceof QueryResult.Success success) {
          annotations(q.rule(), success.warnings(), success.infos());
        }
        answers.put(q, answer);
      }
    }
    return answers;
  }

  /**
   * The last query Prometheus refused because of the connection settings ({@link
   * PrometheusClient#isConfigurationError}), or null: {@code meshgate evaluate} exits with it.
   */
  public QueryResult.Failure configurationError() {
    return misconfigured;
  }

  private void failed(QueryResult.Failure failure) {
    metrics.prometheusErrors.labelValues(failure.reason()).inc();
    if (PrometheusClient.isConfigurationError(failure.reason())) {
      misconfigured = failure;
    }
  }

  /**
   * An answer with warnings its rule does not accept is counted as a partial answer (the gate holds
   * on it); infos are logged, naming the rule, and otherwise ignored.
   */
  private void annotations(Rule rule, List<String> warnings, List<String> infos) {
    if (!rule.unacceptedWarnings(warnings).isEmpty()) {
      metrics.prometheusErrors.labelValues("partial").inc();
    }
    for (String info : infos) {
      boolean first =
          infosLogged.size() < INFOS_REMEMBERED && infosLogged.add(rule.name() + "\0" + info);
      if (first) {
        LOG.info("rule={} Prometheus answered with info: {}", rule.name(), info);
      } else {
        LOG.debug("rule={} Prometheus answered with info: {}", rule.name(), info);
      }
    }
  }
}

package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pure gate: from the answers to a tick's planned queries to per-rule results and a verdict per
 * namespace. No I/O, no clock: the time is the tick's, given by the caller.
 *
 * <pre>{@code
 * List<PlannedQuery> plan = GatePlan.tick(rules, target, now);
 * Map<PlannedQuery, QueryResult> answers = ...; // one query per rule, sent by the caller
 * TickReport report = Gate.evaluate(target, now, plan, answers, baselines);
 * }</pre>
 */
public final class Gate {
  /**
   * The reason of an answer that carries warnings its rule does not accept: possibly partial (a
   * Thanos store or a Mimir ingester was not asked), so not evidence either way.
   */
  public static final String PARTIAL_RESPONSE = "PartialResponse";

  private Gate() {}

  /**
   * Baselines by namespace and rule name; a namespace or rule without data is absent, and all are
   * when an answer is partial (null, see below).
   */
  public static Map<String, Map<String, Double>> baselines(
      List<PlannedQuery> plan, Map<PlannedQuery, QueryResult> answers) {
    return baselines(plan, answers, List.of());
  }

  /**
   * Baselines by namespace and rule name, and for rules compared with a cohort the cohort's value
   * over the same window under {@link Cohort#baselineKey}; null when an answer is partial (warnings
   * its rule does not accept) or Prometheus could not answer: a baseline is kept for the whole
   * migration, so none is taken from what may be a part of the data, or from nothing, and the
   * capture waits for the next tick.
   */
  public static Map<String, Map<String, Double>> baselines(
      List<PlannedQuery> plan, Map<PlannedQuery, QueryResult> answers, List<String> cohort) {
    List<Answer> indexed = plan.stream().map(q -> Answer.of(q, answers.get(q))).toList();
    if (indexed.stream().anyMatch(a -> a.partial() || a.unavailable())) {
      return null;
    }
    Map<String, Map<String, Double>> baselines = new HashMap<>();
    for (Answer answer : indexed) {
      PlannedQuery q = answer.query();
      Cohort.Value cohortValue = q.rule().comparesCohort() ? cohortValue(answer, cohort) : null;
      for (String ns : q.namespaces()) {
        Observation o = Observation.observeNamespace(answer, ns);
        if (o instanceof Observation.Value v) {
          baselines.computeIfAbsent(ns, k -> new HashMap<>()).put(q.rule().name(), v.value());
        }
        if (cohortValue != null) {
          baselines
              .computeIfAbsent(ns, k -> new HashMap<>())
              .put(Cohort.baselineKey(q.rule().name()), cohortValue.median());
        }
      }
    }
    return baselines;
  }

  /** The cohort's median over the members that carry volume; null when none does. */
  private static Cohort.Value cohortValue(Answer answer, List<String> cohort) {
    List<Double> values = new ArrayList<>();
    for (String member : cohort) {
      if (Observation.observeNamespace(answer, member) instanceof Observation.Value v) {
        values.add(v.value());
      }
    }
    return Cohort.of(values);
  }

  public static TickReport evaluate(
      Target target,
      Instant time,
      List<PlannedQuery> plan,
      Map<PlannedQuery, QueryResult> answers,
      Map<String, Map<String, Double>> baselines) {
    List<Answer> indexed = plan.stream().map(q -> Answer.of(q, answers.get(q))).toList();
    Map<Answer, Cohort.Value> cohorts = new HashMap<>();
    for (Answer answer : indexed) {
      if (answer.query().rule().comparesCohort()) {
        Cohort.Value value = cohortValue(answer, target.cohort());
        if (value != null) {
          cohorts.put(answer, value);
        }
      }
    }
    Map<PlannedQuery, DisplayQuery> displays = new HashMap<>();
    List<NamespaceVerdict> verdicts = new ArrayList<>();
    for (String ns : target.namespaces()) {
      List<RuleResult> results = new ArrayList<>();
      for (Answer answer : indexed) {
        if (answer.covers(ns)) {
          PlannedQuery q = answer.query();
          String display =
              displays.computeIfAbsent(q, k -> DisplayQuery.of(k, target)).forNamespace(ns);
          Rule rule = q.rule();
          Double baseline = baselines.getOrDefault(ns, Map.of()).get(rule.name());
          RuleResult result;
          if (q.waiting() != null) {
            result = Judge.waiting(rule, q.waiting(), baseline, display);
          } else {
            RuleResult own =
                Judge.sinceRollout(judgeQuery(target, answer, ns, display, baselines), q);
            result =
                answer.failure() != null
                    ? own
                    : Cohort.compare(
                        rule,
                        own,
                        cohorts.get(answer),
                        baselines.getOrDefault(ns, Map.of()).get(Cohort.baselineKey(rule.name())),
                        target.fromRevision() == null ? "the old revision" : target.fromRevision());
          }
          results.add(result.withWindow(q.window()));
        }
      }
      verdicts.add(decide(ns, results));
    }
    return new TickReport(time, verdicts);
  }

  private static RuleResult judgeQuery(
      Target target,
      Answer answer,
      String ns,
      String display,
      Map<String, Map<String, Double>> baselines) {
    Rule rule = answer.query().rule();
    if (rule.scope() == Scope.REVISION) {
      Double baseline = null;
      if (GatePlan.hasControl(rule, target)
          && Observation.observePart(answer, GatePlan.CONTROL, null)
              instanceof Observation.Value v) {
        baseline = v.value();
      }
      return Judge.judge(rule, Observation.observeRevision(answer, target), baseline, display);
    }
    Double baseline = baselines.getOrDefault(ns, Map.of()).get(rule.name());
    return Judge.judge(rule, Observation.observeNamespace(answer, ns), baseline, display);
  }

  /**
   * The display query of a planned query, rendered once per tick; only the namespace differs. A
   * query waiting for its window shows the rule over its own window, as it will run.
   */
  private record DisplayQuery(String template, boolean perNamespace) {
    static DisplayQuery of(PlannedQuery q, Target target) {
      if (q.problem() != null) {
        return new DisplayQuery(q.rule().query(), false);
      }
      Duration window = q.window() == null ? q.rule().window() : q.window();
      return new DisplayQuery(GatePlan.displayTemplate(q.rule(), target, window), true);
    }

    String forNamespace(String ns) {
      return perNamespace ? GatePlan.withNamespace(template, ns) : template;
    }
  }

  /**
   * The verdict of one tick on its own (no streaks): a critical failure rolls back, all passes
   * promote, anything else holds with every reason listed. No rules at all hold: never promote on
   * missing evidence.
   */
  public static NamespaceVerdict decide(String namespace, List<RuleResult> results) {
    List<RuleResult> critical = results.stream().filter(RuleResult::isCriticalFailure).toList();
    if (!critical.isEmpty()) {
      String reason =
          critical.stream()
              .map(r -> "critical rule " + r.rule() + " failed: " + r.message())
              .collect(Collectors.joining("; "));
      return new NamespaceVerdict(
          namespace, Verdict.ROLLBACK, reason, critical.get(0).reason(), results);
    }
    if (results.isEmpty()) {
      return new NamespaceVerdict(
          namespace, Verdict.HOLD, "no rules to evaluate", "NoRules", results);
    }
    if (results.stream().allMatch(r -> r.result() == Result.PASS)) {
      return new NamespaceVerdict(
          namespace,
          Verdict.PROMOTE,
          "all " + results.size() + " rules passed",
          "Healthy",
          results);
    }
    Map<String, List<String>> rulesByCause = new LinkedHashMap<>();
    String code = null;
    for (Result kind : List.of(Result.ERROR, Result.FAIL, Result.HOLD, Result.NO_DATA)) {
      for (RuleResult r : results) {
        if (r.result() == kind) {
          rulesByCause
              .computeIfAbsent(holdPhrase(r) + "\0" + r.message(), k -> new ArrayList<>())
              .add(r.rule());
          code = code == null ? r.reason() : code;
        }
      }
    }
    List<String> reasons = new ArrayList<>();
    rulesByCause.forEach(
        (cause, rules) -> {
          String[] phraseAndMessage = cause.split("\0", 2);
          reasons.add(
              phraseAndMessage[0].formatted(String.join(", ", rules)) + ": " + phraseAndMessage[1]);
        });
    return new NamespaceVerdict(namespace, Verdict.HOLD, String.join("; ", reasons), code, results);
  }

  /** One cause shared by several rules (a Prometheus outage) is said once, naming them all. */
  private static String holdPhrase(RuleResult r) {
    return switch (r.result()) {
      case ERROR ->
          switch (r.reason()) {
            case "PrometheusUnavailable" -> "prometheus unavailable for %s";
            case PARTIAL_RESPONSE -> "partial answer for %s";
            default -> "query error in %s";
          };
      case FAIL -> "warning rule %s failed";
      case HOLD -> Cohort.REASON + " in %s";
      case NO_DATA -> "no data for %s";
      case PASS -> throw new IllegalStateException("a passing rule is no reason to hold");
    };
  }
}

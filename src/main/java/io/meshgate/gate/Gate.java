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
 * target (namespace, gateway, waypoint or node, keyed by its key). No I/O, no clock: the time is
 * the tick's, given by the caller.
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
   * Baselines by target key (namespace or workload key) and rule name; a target or rule without
   * data is absent, and all are when an answer is partial (null, see below).
   */
  public static Map<String, Map<String, Double>> baselines(
      List<PlannedQuery> plan, Map<PlannedQuery, QueryResult> answers) {
    return baselines(plan, answers, List.of(), List.of());
  }

  /**
   * Baselines by target key (namespace or workload key) and rule name, and for rules compared with
   * a cohort the target's cohort over the same window under {@link Cohort#baselineKey}; null when
   * an answer is partial (warnings its rule does not accept) or Prometheus could not answer: a
   * baseline is kept for the whole migration, so none is taken from what may be a part of the data,
   * or from nothing, and the capture waits for the next tick.
   */
  public static Map<String, Map<String, Double>> baselines(
      List<PlannedQuery> plan, Map<PlannedQuery, QueryResult> answers, Target target) {
    return baselines(plan, answers, target.cohort(), target.workloadCohort());
  }

  private static Map<String, Map<String, Double>> baselines(
      List<PlannedQuery> plan,
      Map<PlannedQuery, QueryResult> answers,
      List<String> cohort,
      List<Workload> workloadCohort) {
    List<Answer> indexed = plan.stream().map(q -> Answer.of(q, answers.get(q))).toList();
    if (indexed.stream().anyMatch(a -> a.partial() || a.unavailable())) {
      return null;
    }
    Map<String, Map<String, Double>> baselines = new HashMap<>();
    for (Answer answer : indexed) {
      PlannedQuery q = answer.query();
      String rule = q.rule().name();
      Cohort.Value cohortValue =
          measuresCohort(q) ? cohortValue(answer, cohort, workloadCohort) : null;
      Map<String, Observation> observed = new LinkedHashMap<>();
      q.namespaces().forEach(ns -> observed.put(ns, Observation.observeNamespace(answer, ns)));
      q.workloads().forEach(w -> observed.put(w.key(), Observation.observeWorkload(answer, w)));
      observed.forEach(
          (key, o) -> {
            if (o instanceof Observation.Value v) {
              baselines.computeIfAbsent(key, k -> new HashMap<>()).put(rule, v.value());
            }
            if (cohortValue != null) {
              baselines
                  .computeIfAbsent(key, k -> new HashMap<>())
                  .put(Cohort.baselineKey(rule), cohortValue.median());
            }
          });
    }
    return baselines;
  }

  /**
   * Whether the query measured a cohort: its rule compares one, and it was sent (a query waiting
   * for its targets' evidence window has no window and no answer, so no cohort either).
   */
  private static boolean measuresCohort(PlannedQuery q) {
    return q.rule().comparesCohort() && q.waiting() == null && q.problem() == null;
  }

  /**
   * The cohort's median over the members of the answer's scope that carry volume; null when none
   * does.
   */
  private static Cohort.Value cohortValue(
      Answer answer, List<String> cohort, List<Workload> workloadCohort) {
    Scope scope = answer.query().rule().scope();
    List<Observation> observed = new ArrayList<>();
    if (scope == Scope.NAMESPACE) {
      cohort.forEach(member -> observed.add(Observation.observeNamespace(answer, member)));
    } else {
      workloadCohort.stream()
          .filter(member -> member.scope() == scope)
          .forEach(member -> observed.add(Observation.observeWorkload(answer, member)));
    }
    List<Double> values = new ArrayList<>();
    for (Observation o : observed) {
      if (o instanceof Observation.Value v) {
        values.add(v.value());
      }
    }
    return Cohort.of(values);
  }

  /**
   * The verdict of every target: each namespace judged by the namespace- and revision-scoped rules,
   * each workload by the rules of its scope and the revision-scoped ones, keyed by its key.
   */
  public static TickReport evaluate(
      Target target,
      Instant time,
      List<PlannedQuery> plan,
      Map<PlannedQuery, QueryResult> answers,
      Map<String, Map<String, Double>> baselines) {
    List<Answer> indexed = plan.stream().map(q -> Answer.of(q, answers.get(q))).toList();
    Map<Answer, Cohort.Value> cohorts = new HashMap<>();
    for (Answer answer : indexed) {
      if (measuresCohort(answer.query())) {
        Cohort.Value value = cohortValue(answer, target.cohort(), target.workloadCohort());
        if (value != null) {
          cohorts.put(answer, value);
        }
      }
    }
    Judging judging = new Judging(target, indexed, cohorts, baselines, new HashMap<>());
    List<NamespaceVerdict> verdicts = new ArrayList<>();
    for (String ns : target.namespaces()) {
      verdicts.add(judging.verdict(ns, null));
    }
    for (Workload w : target.workloads()) {
      verdicts.add(judging.verdict(w.key(), w));
    }
    return new TickReport(time, verdicts);
  }

  /** What judging every target of one tick shares: its answers, cohorts and display queries. */
  private record Judging(
      Target target,
      List<Answer> answers,
      Map<Answer, Cohort.Value> cohorts,
      Map<String, Map<String, Double>> baselines,
      Map<PlannedQuery, DisplayQuery> displays) {

    /** The verdict of the target keyed {@code key}: a namespace, or {@code workload}'s key. */
    NamespaceVerdict verdict(String key, Workload workload) {
      Map<String, Double> own = baselines.getOrDefault(key, Map.of());
      List<RuleResult> results = new ArrayList<>();
      for (Answer answer : answers) {
        if (!answer.covers(key)) {
          continue;
        }
        PlannedQuery q = answer.query();
        DisplayQuery shown = displays.computeIfAbsent(q, k -> DisplayQuery.of(k, target));
        String display = workload == null ? shown.forNamespace(key) : shown.forWorkload(workload);
        Rule rule = q.rule();
        Double baseline = own.get(rule.name());
        RuleResult result;
        if (q.waiting() != null) {
          result = Judge.waiting(rule, q.waiting(), baseline, display);
        } else {
          RuleResult judged =
              Judge.sinceRollout(
                  Judge.judge(rule, observe(answer, key, workload), baseline(answer, own), display),
                  q);
          result =
              answer.failure() != null
                  ? judged
                  : Cohort.compare(
                      rule,
                      judged,
                      cohorts.get(answer),
                      own.get(Cohort.baselineKey(rule.name())),
                      controlName(rule));
        }
        results.add(result.withWindow(q.window()));
      }
      return decide(key, results);
    }

    /**
     * What the control cohort runs, as messages name it: a node's cohort is the nodes still on the
     * old ztunnel template, which no istiod revision names; any other's the old revision.
     */
    private String controlName(Rule rule) {
      if (rule.scope() == Scope.NODE) {
        return "the old ztunnel";
      }
      return target.fromRevision() == null ? "the old revision" : target.fromRevision();
    }

    private Observation observe(Answer answer, String key, Workload workload) {
      if (answer.query().rule().scope() == Scope.REVISION) {
        return Observation.observeRevision(answer, target);
      }
      return workload == null
          ? Observation.observeNamespace(answer, key)
          : Observation.observeWorkload(answer, workload);
    }

    /**
     * The baseline a value is held against: for a revision-scoped rule the old revision's value in
     * the same answer, otherwise the target's own from before its flip.
     */
    private Double baseline(Answer answer, Map<String, Double> own) {
      Rule rule = answer.query().rule();
      if (rule.scope() != Scope.REVISION) {
        return own.get(rule.name());
      }
      if (GatePlan.hasControl(rule, target)
          && Observation.observePart(answer, GatePlan.CONTROL, null, Observation.REVISION)
              instanceof Observation.Value v) {
        return v.value();
      }
      return null;
    }
  }

  /**
   * The display query of a planned query, rendered once per tick; only the target's names differ. A
   * query waiting for its window shows the rule over its own window, as it will run.
   */
  private record DisplayQuery(String template, boolean perTarget) {
    static DisplayQuery of(PlannedQuery q, Target target) {
      if (q.problem() != null) {
        return new DisplayQuery(q.rule().query(), false);
      }
      Duration window = q.window() == null ? q.rule().window() : q.window();
      return new DisplayQuery(GatePlan.displayTemplate(q.rule(), target, window), true);
    }

    String forNamespace(String ns) {
      return perTarget ? GatePlan.withNamespace(template, ns) : template;
    }

    String forWorkload(Workload w) {
      return perTarget ? GatePlan.withWorkload(template, w) : template;
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

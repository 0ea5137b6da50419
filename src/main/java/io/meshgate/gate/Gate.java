package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

  /** A Thanos warning can list every store it missed; a status message must stay small. */
  private static final int WARNINGS_SHOWN = 3;

  private static final int WARNING_LENGTH = 300;

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
        Observation o = observeNamespace(answer, ns);
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
      if (observeNamespace(answer, member) instanceof Observation.Value v) {
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
            result = waiting(rule, q.waiting(), baseline, display);
          } else {
            RuleResult own = sinceRollout(judgeQuery(target, answer, ns, display, baselines), q);
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

  /** A value measured over a clipped window says so: its evidence is that short. */
  private static RuleResult sinceRollout(RuleResult r, PlannedQuery q) {
    if (!q.isClipped() || r.value() == null) {
      return r;
    }
    return r.withMessage(r.message() + " over " + Durations.format(q.window()) + " since rollout");
  }

  /**
   * No evidence window yet: NO_DATA whatever the rule's {@code onNoData}, which speaks of traffic
   * Prometheus did not see, not of traffic that has not been served on the new revision yet.
   */
  private static RuleResult waiting(Rule rule, String why, Double baseline, String query) {
    return new RuleResult(
        rule.name(),
        rule.severity(),
        Result.NO_DATA,
        null,
        null,
        baseline,
        query,
        EvidenceWindows.REASON,
        why);
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
          && observePart(answer, GatePlan.CONTROL, null) instanceof Observation.Value v) {
        baseline = v.value();
      }
      return judge(rule, observeRevision(answer, target), baseline, display);
    }
    Double baseline = baselines.getOrDefault(ns, Map.of()).get(rule.name());
    return judge(rule, observeNamespace(answer, ns), baseline, display);
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
   * One query's answer, indexed once by part and namespace so that judging N namespaces costs O(N)
   * rather than a scan of every series for every namespace.
   */
  private record Answer(
      PlannedQuery query,
      Set<String> namespaces,
      Observation.Failed failure,
      Map<String, Map<String, List<Series>>> byPartAndNamespace) {
    private static final String WHOLE = "";

    static Answer of(PlannedQuery q, QueryResult result) {
      Set<String> namespaces = new HashSet<>(q.namespaces());
      if (q.waiting() != null) {
        return new Answer(q, namespaces, null, Map.of());
      }
      if (!q.isSendable()) {
        return new Answer(
            q,
            namespaces,
            new Observation.Failed("query not sent: " + q.problem(), false),
            Map.of());
      }
      if (result == null) {
        return new Answer(
            q,
            namespaces,
            new Observation.Failed("no answer recorded for this query", true),
            Map.of());
      }
      if (result instanceof QueryResult.Failure f) {
        return new Answer(
            q, namespaces, new Observation.Failed(f.message(), f.unavailable()), Map.of());
      }
      QueryResult.Success success = (QueryResult.Success) result;
      List<String> unaccepted = q.rule().unacceptedWarnings(success.warnings());
      if (!unaccepted.isEmpty()) {
        return new Answer(
            q,
            namespaces,
            new Observation.Failed(partialMessage(unaccepted), false, PARTIAL_RESPONSE),
            Map.of());
      }
      Map<String, Map<String, List<Series>>> index = new HashMap<>();
      boolean byNamespace = q.rule().scope() == Scope.NAMESPACE;
      for (Series s : success.series()) {
        String part = s.labels().getOrDefault(GatePlan.PART_LABEL, GatePlan.VALUE);
        String key = byNamespace ? s.label(q.rule().groupBy()) : WHOLE;
        if (key != null) {
          index
              .computeIfAbsent(part, p -> new HashMap<>())
              .computeIfAbsent(key, k -> new ArrayList<>())
              .add(s);
        }
      }
      return new Answer(q, namespaces, null, index);
    }

    boolean covers(String ns) {
      return namespaces.contains(ns);
    }

    boolean partial() {
      return failure != null && failure.reason().equals(PARTIAL_RESPONSE);
    }

    /** Prometheus could not answer (down, timed out, circuit open): asked again later. */
    boolean unavailable() {
      return failure != null && failure.unavailable();
    }

    List<Series> series(String part, String ns) {
      return byPartAndNamespace
          .getOrDefault(part, Map.of())
          .getOrDefault(ns == null ? WHOLE : ns, List.of());
    }
  }

  /** What a query told about one rule for one namespace, before bounds are applied. */
  sealed interface Observation {
    record Value(double value) implements Observation {}

    record Missing(String why) implements Observation {}

    record Failed(String why, boolean unavailable, String reason) implements Observation {
      Failed(String why, boolean unavailable) {
        this(why, unavailable, unavailable ? "PrometheusUnavailable" : "QueryFailed");
      }
    }
  }

  private static String partialMessage(List<String> warnings) {
    String shown =
        warnings.stream()
            .limit(WARNINGS_SHOWN)
            .map(w -> w.length() > WARNING_LENGTH ? w.substring(0, WARNING_LENGTH) + "..." : w)
            .collect(Collectors.joining("; "));
    return "Prometheus answered with warnings: "
        + shown
        + (warnings.size() > WARNINGS_SHOWN
            ? " (and " + (warnings.size() - WARNINGS_SHOWN) + " more)"
            : "")
        + " (not evidence; a rule may accept a known-harmless warning with acceptWarnings)";
  }

  private static Observation observeNamespace(Answer answer, String ns) {
    Rule rule = answer.query().rule();
    Observation volume = observeVolume(answer, ns, "probably not receiving traffic");
    if (volume != null) {
      return volume;
    }
    Observation value = observePart(answer, GatePlan.VALUE, ns);
    if (value instanceof Observation.Missing m) {
      return new Observation.Missing(
          m.why()
              + " for namespace "
              + ns
              + " in "
              + Durations.format(answer.query().window())
              + ", probably not receiving traffic or not scraped");
    }
    return value;
  }

  private static Observation observeRevision(Answer answer, Target target) {
    String hint =
        "is the istiod of revision "
            + target.toRevision()
            + " up and scraped with label "
            + target.revisionLabel()
            + "?";
    Observation volume = observeVolume(answer, null, hint);
    if (volume != null) {
      return volume;
    }
    Observation value = observePart(answer, GatePlan.VALUE, null);
    if (value instanceof Observation.Missing m) {
      return new Observation.Missing(
          m.why() + " for revision " + target.toRevision() + "; " + hint);
    }
    return value;
  }

  /** The volume guard's verdict, or null when the guard is passed (or there is none). */
  private static Observation observeVolume(Answer answer, String ns, String hint) {
    Rule rule = answer.query().rule();
    if (!rule.hasVolumeGuard()) {
      return null;
    }
    Observation volume = observePart(answer, GatePlan.VOLUME, ns);
    double observed;
    if (volume instanceof Observation.Value v && !Double.isNaN(v.value())) {
      observed = v.value();
    } else if (volume instanceof Observation.Failed) {
      return volume;
    } else {
      observed = 0;
    }
    if (observed >= rule.minVolume()) {
      return null;
    }
    return new Observation.Missing(
        "volume "
            + Numbers.format(observed)
            + " in "
            + Durations.format(answer.query().window())
            + " < minVolume "
            + Numbers.format(rule.minVolume())
            + ", "
            + hint);
  }

  /** The single series of one part for one namespace (or for the revision when ns is null). */
  private static Observation observePart(Answer answer, String part, String ns) {
    if (answer.failure() != null) {
      return answer.failure();
    }
    List<Series> matching = answer.series(part, ns);
    if (matching.isEmpty()) {
      return new Observation.Missing("no series");
    }
    if (matching.size() > 1) {
      return new Observation.Failed(ambiguous(answer.query().rule(), part, ns, matching), false);
    }
    double value = matching.get(0).value();
    if (Double.isNaN(value)) {
      return new Observation.Missing("value is NaN (no samples to compute from)");
    }
    return new Observation.Value(value);
  }

  private static String ambiguous(Rule rule, String part, String ns, List<Series> series) {
    String sets =
        series.stream()
            .limit(3)
            .map(s -> withoutPartLabel(s.labels()).toString())
            .collect(Collectors.joining(", "));
    String subject = ns == null ? "the revision" : "namespace " + ns;
    String aggregate =
        ns == null
            ? "aggregate the query to one series"
            : "aggregate the query by " + rule.groupBy();
    return series.size()
        + " series for "
        + subject
        + (part.equals(GatePlan.VALUE) ? "" : " in the " + part + " query")
        + " ("
        + sets
        + (series.size() > 3 ? ", ..." : "")
        + "); ambiguous, "
        + aggregate;
  }

  private static Map<String, String> withoutPartLabel(Map<String, String> labels) {
    Map<String, String> copy = new TreeMap<>(labels);
    copy.remove(GatePlan.PART_LABEL);
    return copy;
  }

  static RuleResult judge(Rule rule, Observation observation, Double baseline, String query) {
    if (baseline != null && Double.isNaN(baseline)) {
      baseline = null;
    }
    if (observation instanceof Observation.Failed f) {
      return new RuleResult(
          rule.name(),
          rule.severity(),
          Result.ERROR,
          null,
          null,
          baseline,
          query,
          f.reason(),
          f.why());
    }
    if (observation instanceof Observation.Missing m) {
      return noData(rule, m.why(), baseline, query);
    }
    double value = ((Observation.Value) observation).value();
    String subject = rule.name() + " " + Numbers.format(value);
    if (rule.max() != null && value > rule.max()) {
      return fail(rule, value, rule.max(), baseline, query, subject + " > max " + fmt(rule.max()));
    }
    if (rule.min() != null && value < rule.min()) {
      return fail(rule, value, rule.min(), baseline, query, subject + " < min " + fmt(rule.min()));
    }
    Double upper = rule.max();
    String note = "";
    if (rule.isRelative()) {
      if (baseline == null) {
        note = " (maxIncrease not checked: no baseline)";
      } else {
        double effective =
            Math.max(baseline, rule.baselineFloor() == null ? 0 : rule.baselineFloor());
        double relative = effective * (1 + rule.maxIncrease());
        String explained =
            fmt(relative)
                + " (baseline "
                + fmt(baseline)
                + (effective > baseline ? ", floored to " + fmt(effective) : "")
                + " +"
                + fmt(rule.maxIncrease() * 100)
                + "%)";
        if (value > relative) {
          return fail(rule, value, relative, baseline, query, subject + " > " + explained);
        }
        if (upper == null || relative < upper) {
          upper = relative;
        }
      }
    }
    Double bound = upper != null ? upper : rule.min();
    String within =
        upper != null
            ? " <= " + fmt(upper)
            : rule.min() != null ? " >= min " + fmt(rule.min()) : "";
    return new RuleResult(
        rule.name(),
        rule.severity(),
        Result.PASS,
        value,
        bound,
        baseline,
        query,
        "WithinBounds",
        subject + within + note);
  }

  private static RuleResult noData(Rule rule, String why, Double baseline, String query) {
    return switch (rule.onNoData()) {
      case HOLD ->
          new RuleResult(
              rule.name(),
              rule.severity(),
              Result.NO_DATA,
              null,
              null,
              baseline,
              query,
              "NoData",
              why);
      case PASS ->
          new RuleResult(
              rule.name(),
              rule.severity(),
              Result.PASS,
              null,
              null,
              baseline,
              query,
              "NoDataPassed",
              why + "; counted as PASS (onNoData: pass)");
      case FAIL ->
          new RuleResult(
              rule.name(),
              rule.severity(),
              Result.FAIL,
              null,
              null,
              baseline,
              query,
              "NoData",
              why + "; counted as FAIL (onNoData: fail)");
    };
  }

  private static RuleResult fail(
      Rule rule, double value, double bound, Double baseline, String query, String message) {
    return new RuleResult(
        rule.name(),
        rule.severity(),
        Result.FAIL,
        value,
        bound,
        baseline,
        query,
        "ThresholdExceeded",
        message);
  }

  private static String fmt(double v) {
    return Numbers.format(v);
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

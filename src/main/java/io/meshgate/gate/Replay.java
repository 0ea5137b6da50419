package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gate over history: what meshgate would have decided at every step from {@code from} to {@code
 * to}, judged by the same {@link Gate#evaluate} as a tick, from one range query per planned query;
 * then the streak logic of a migration ({@code failureLimit}, {@code passStreak}) over the
 * timeline, for the first step where it would have rolled back or promoted. Pure: the answers are
 * given.
 *
 * <p>With evidence windows ({@code --since}), the steps of a namespace's first window after its
 * rollout each have their own, shorter window: those steps get their own queries, each range query
 * spanning the steps that share it, and every later step the same queries as a plain replay.
 *
 * <pre>{@code
 * Replay.Plan plan = Replay.plan(rules, target, window, EvidenceWindows.unclipped());
 * Map<PlannedQuery, RangeResult> answers = ...; // each plan.queries() element sent once
 * Replay.Report report = Replay.run(target, plan, answers, baselines, window, limits);
 * }</pre>
 */
public final class Replay {
  private Replay() {}

  /** The steps replayed and the streaks applied. */
  public record Window(Instant from, Instant to, Duration step) {
    public Window {
      if (step.isNegative() || step.isZero()) {
        throw new IllegalArgumentException("step must be positive, got " + step);
      }
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("to (" + to + ") is before from (" + from + ")");
      }
    }

    public List<Instant> times() {
      List<Instant> times = new ArrayList<>();
      for (Instant t = from; !t.isAfter(to); t = t.plus(step)) {
        times.add(t);
      }
      return times;
    }

    public long steps() {
      return Duration.between(from, to).toSeconds() / step.toSeconds() + 1;
    }
  }

  /** A migration's streak rules: consecutive critical failures, consecutive all-pass ticks. */
  public record Streaks(int failureLimit, int passStreak) {}

  /** One step of one target: that single tick's verdict, as {@code evaluate} gives it. */
  public record Step(Instant time, Verdict verdict, String reason, List<RuleResult> rules) {}

  /**
   * One target over the window (a namespace, or a workload by its key): every step, and the step at
   * which the streaks would have rolled it back or promoted it (null when never).
   */
  public record Timeline(
      String namespace, List<Step> steps, Instant firstRollback, Instant firstPromote) {

    /** The verdict the streaks reached: ROLLBACK, else PROMOTE, else HOLD. */
    public Verdict outcome() {
      if (firstRollback != null) {
        return Verdict.ROLLBACK;
      }
      return firstPromote != null ? Verdict.PROMOTE : Verdict.HOLD;
    }
  }

  /** The replay: the worst outcome of its targets, and each timeline. */
  public record Report(Window window, Verdict verdict, List<Timeline> namespaces) {}

  /**
   * One query of a replay, sent once as a range query over the steps from {@code from} to {@code
   * to}.
   */
  public record RangeQuery(PlannedQuery query, Instant from, Instant to) {}

  /**
   * The queries of every step: the steps before every window is whole each have their own (few: one
   * rule window's worth), every later step shares one plan, as a tick's.
   */
  public static final class Plan {
    private final Map<Instant, List<PlannedQuery>> early;
    private final List<PlannedQuery> settled;
    private final List<RangeQuery> queries;

    private Plan(
        Map<Instant, List<PlannedQuery>> early,
        List<PlannedQuery> settled,
        List<RangeQuery> queries) {
      this.early = early;
      this.settled = settled;
      this.queries = List.copyOf(queries);
    }

    /** The queries judged at step {@code time}. */
    public List<PlannedQuery> at(Instant time) {
      return early.getOrDefault(time, settled);
    }

    /** Every distinct query, each with the span of steps that use it. */
    public List<RangeQuery> queries() {
      return queries;
    }
  }

  /**
   * The plan of a replay over {@code window}: each step planned as a tick at that time (a query
   * keeps the replay's start as its time, so equal queries of different steps are one), each
   * distinct query sent once over the steps that use it.
   */
  public static Plan plan(
      List<Rule> rules, Target target, Window window, EvidenceWindows evidence) {
    Map<Instant, List<PlannedQuery>> early = new LinkedHashMap<>();
    List<PlannedQuery> settled = null;
    Instant settledFrom = null;
    Map<PlannedQuery, RangeQuery> spans = new LinkedHashMap<>();
    for (Instant time : window.times()) {
      if (isWhole(rules, target, evidence, time)) {
        settled = atStart(GatePlan.tick(rules, target, time, evidence), window.from());
        settledFrom = time;
        break;
      }
      List<PlannedQuery> step =
          atStart(GatePlan.tick(rules, target, time, evidence), window.from());
      early.put(time, step);
      for (PlannedQuery q : step) {
        if (q.isSendable()) {
          RangeQuery seen = spans.get(q);
          spans.put(q, new RangeQuery(q, seen == null ? time : seen.from(), time));
        }
      }
    }
    if (settled != null) {
      for (PlannedQuery q : settled) {
        if (q.isSendable()) {
          RangeQuery seen = spans.get(q);
          spans.put(q, new RangeQuery(q, seen == null ? settledFrom : seen.from(), window.to()));
        }
      }
    }
    return new Plan(early, settled == null ? List.of() : settled, List.copyOf(spans.values()));
  }

  /**
   * Whether every namespace-, gateway-, waypoint- or node-scoped rule has its whole window for
   * every target of its scope at {@code time}.
   */
  private static boolean isWhole(
      List<Rule> rules, Target target, EvidenceWindows evidence, Instant time) {
    for (Rule rule : rules) {
      List<String> keys =
          switch (rule.scope()) {
            case REVISION -> List.of();
            case NAMESPACE -> target.namespaces();
            case GATEWAY, WAYPOINT, NODE ->
                target.workloads(rule.scope()).stream().map(Workload::key).toList();
          };
      for (String key : keys) {
        if (!(evidence.of(rule, key, time) instanceof EvidenceWindows.Window.Open open)
            || open.clipped()) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<PlannedQuery> atStart(List<PlannedQuery> plan, Instant start) {
    return plan.stream()
        .map(
            q ->
                new PlannedQuery(
                    q.rule(),
                    q.namespaces(),
                    q.workloads(),
                    q.promql(),
                    start,
                    q.kind(),
                    q.problem(),
                    q.window(),
                    q.waiting()))
        .toList();
  }

  public static Report run(
      Target target,
      Plan plan,
      Map<PlannedQuery, RangeResult> answers,
      Map<String, Map<String, Double>> baselines,
      Window window,
      Streaks streaks) {
    Map<String, List<Step>> steps = new LinkedHashMap<>();
    target.keys().forEach(key -> steps.put(key, new ArrayList<>()));
    // a day of steps of a hundred namespaces: the same sentences again and again, kept once
    Map<String, String> sentences = new HashMap<>();
    for (Instant time : window.times()) {
      List<PlannedQuery> queries = plan.at(time);
      Map<PlannedQuery, QueryResult> instant = new HashMap<>();
      for (PlannedQuery q : queries) {
        RangeResult range = answers.get(q);
        if (range instanceof RangeResult.Success s) {
          instant.put(q, s.at(time.getEpochSecond()));
        } else if (range instanceof RangeResult.Failure f) {
          instant.put(q, f.failure());
        }
      }
      for (NamespaceVerdict v :
          Gate.evaluate(target, time, queries, instant, baselines).namespaces()) {
        steps
            .get(v.namespace())
            .add(
                new Step(
                    time,
                    v.verdict(),
                    sentences.computeIfAbsent(v.reason(), r -> r),
                    v.rules().stream().map(Replay::slim).toList()));
      }
    }
    List<Timeline> timelines = new ArrayList<>();
    Verdict worst = Verdict.PROMOTE;
    for (Map.Entry<String, List<Step>> e : steps.entrySet()) {
      Timeline timeline = streaks(e.getKey(), e.getValue(), streaks);
      timelines.add(timeline);
      worst = Verdict.worst(worst, timeline.outcome());
    }
    return new Report(window, worst, timelines);
  }

  /**
   * A step keeps a rule's result and numbers, not its resolved query and sentence: those are the
   * step's reason, and the same query each step.
   */
  private static RuleResult slim(RuleResult r) {
    return new RuleResult(
        r.rule(),
        r.severity(),
        r.result(),
        r.value(),
        r.bound(),
        r.baseline(),
        null,
        r.reason(),
        null,
        r.cohort(),
        r.window());
  }

  /** The daemon's streak rule over a timeline: per critical rule, and for all-pass ticks. */
  static Timeline streaks(String namespace, List<Step> steps, Streaks streaks) {
    Map<String, Integer> failing = new HashMap<>();
    int passing = 0;
    Instant rollback = null;
    Instant promote = null;
    for (Step step : steps) {
      for (RuleResult r : step.rules()) {
        failing.merge(r.rule(), 1, Integer::sum);
        if (!r.isCriticalFailure()) {
          failing.put(r.rule(), 0);
        }
      }
      boolean allPass =
          !step.rules().isEmpty() && step.rules().stream().allMatch(r -> r.result() == Result.PASS);
      passing = allPass ? passing + 1 : 0;
      if (rollback == null
          && failing.values().stream().anyMatch(n -> n >= streaks.failureLimit())) {
        rollback = step.time();
      }
      if (promote == null && passing >= streaks.passStreak()) {
        promote = step.time();
      }
    }
    return new Timeline(namespace, steps, rollback, promote);
  }
}

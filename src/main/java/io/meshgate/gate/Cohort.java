package io.meshgate.gate;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Telling a bad revision from a bad day: a namespace's failing result held against the control
 * cohort, the namespaces still on the revision it comes from, measured in the same query at the
 * same tick (a gateway's or a waypoint's against the gateways or waypoints still on it, a node's
 * against the nodes still on the old ztunnel template, alike). When the cohort breaches the same
 * absolute bound ({@code max}, {@code min}), or has changed since the namespace's baseline window
 * at least as much as the namespace (within the rule's {@code cohortMargin}), the failure is shared
 * by the old revision: the result is HOLD, reason {@code GlobalDegradation}, not FAIL.
 *
 * <p>The cohort's value is the median of its members that carry volume, so one odd namespace does
 * not decide it. With no member carrying volume the result stays the namespace's own, marked {@link
 * #UNMEASURED}; that fact is said once per migration or report, never in each reason.
 */
public final class Cohort {
  public static final String REASON = "GlobalDegradation";

  /** The key of the cohort's baseline in a namespace's baselines: {@code cohort/error-rate}. */
  public static String baselineKey(String rule) {
    return "cohort/" + rule;
  }

  /**
   * The {@link RuleResult#cohort()} of a result whose rule compares with a cohort none of whose
   * members carried volume (the last wave, or only NaN): the result was judged on the namespace's
   * bounds and baseline alone. A measured cohort is never NaN ({@link #of} leaves NaN out), and a
   * rule that does not compare keeps null.
   */
  public static final double UNMEASURED = Double.NaN;

  /** Whether {@code r}'s rule compares with a cohort and no member of it carried volume. */
  public static boolean unmeasured(RuleResult r) {
    return r.cohort() != null && r.cohort().isNaN();
  }

  /** Whether {@code r} was held against a cohort that carried volume. */
  public static boolean measured(RuleResult r) {
    return r.cohort() != null && !r.cohort().isNaN();
  }

  /**
   * The rules of {@code results} whose cohort carried no volume, sorted, each once: what the
   * migration's condition and {@code evaluate} say once instead of in every reason.
   */
  public static List<String> unmeasuredRules(Collection<RuleResult> results) {
    return results.stream()
        .filter(Cohort::unmeasured)
        .map(RuleResult::rule)
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * {@code nothing of the control cohort on 1-19-0 carried volume for error-rate, p99-latency:
   * failures are judged on bounds and baselines only}; {@code at} (may be null) says when.
   */
  public static String unmeasuredText(String fromRevision, List<String> rules, Instant at) {
    return "nothing of the control cohort on "
        + fromRevision
        + " carried volume for "
        + String.join(", ", rules)
        + (at == null ? "" : " at " + at)
        + ": failures are judged on bounds and baselines only";
  }

  /** The cohort at one tick: its median and how many members it stands for. */
  public record Value(double median, int members) {}

  private Cohort() {}

  /** The median of the members' values, or null when no member has one. */
  public static Value of(List<Double> memberValues) {
    List<Double> sorted = memberValues.stream().filter(v -> !v.isNaN()).sorted().toList();
    if (sorted.isEmpty()) {
      return null;
    }
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return new Value(median, n);
  }

  /**
   * The namespace's result compared with the cohort.
   *
   * @param own the result judged on the namespace's bounds and baseline
   * @param cohort the cohort now; null when no member carried volume (the last wave): the result is
   *     then {@code own} with cohort {@link #UNMEASURED}
   * @param cohortBaseline the cohort over the namespace's baseline window; null when unknown
   */
  public static RuleResult compare(
      Rule rule, RuleResult own, Value cohort, Double cohortBaseline, String fromRevision) {
    if (!rule.comparesCohort()) {
      return own;
    }
    String members = "the cohort on " + fromRevision;
    if (cohort == null) {
      // said once (condition ControlCohort, Slack, evaluate), not in every reason
      return own.withCohort(own.result(), own.reason(), own.message(), UNMEASURED);
    }
    String noun = rule.scope().token();
    String cohortText =
        members
            + " ("
            + cohort.members()
            + " "
            + (cohort.members() == 1 ? noun : noun + "s")
            + ") at "
            + Numbers.format(cohort.median())
            + (cohortBaseline == null ? "" : ", baseline " + Numbers.format(cohortBaseline));
    if (own.result() != Result.FAIL || own.value() == null || own.bound() == null) {
      return own.withCohort(own.result(), own.reason(), own.message(), cohort.median());
    }
    boolean above = own.value() > own.bound();
    // an absolute bound is the same for everyone; a relative one is the namespace's own, so
    // there only the change since the baseline window compares like with like
    Double absolute = above ? rule.max() : rule.min();
    boolean sameBound =
        own.bound().equals(absolute)
            && (above ? cohort.median() > absolute : cohort.median() < absolute);
    boolean sameChange = false;
    if (own.baseline() != null && cohortBaseline != null && !cohortBaseline.isNaN()) {
      double change = above ? own.value() - own.baseline() : own.baseline() - own.value();
      double cohortChange =
          above ? cohort.median() - cohortBaseline : cohortBaseline - cohort.median();
      sameChange = change > 0 && cohortChange >= change * (1 - rule.cohortMargin());
    }
    if (sameBound || sameChange) {
      return own.withCohort(
          Result.HOLD,
          REASON,
          own.message()
              + ", and "
              + cohortText
              + (sameBound ? " breaches it too" : " degraded as much")
              + ": shared by "
              + fromRevision
              + ", not the new revision",
          cohort.median());
    }
    return own.withCohort(
        Result.FAIL,
        own.reason(),
        own.message() + "; " + cohortText + ": the new revision only",
        cohort.median());
  }
}

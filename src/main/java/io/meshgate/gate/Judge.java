package io.meshgate.gate;

/**
 * Bounds applied to what a query told: an observation of one rule for one namespace becomes a
 * result (PASS, FAIL, NO_DATA or ERROR) with its value, bound, baseline and a sentence.
 */
final class Judge {
  private Judge() {}

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

  /** A value measured over a clipped window says so: its evidence is that short. */
  static RuleResult sinceRollout(RuleResult r, PlannedQuery q) {
    if (!q.isClipped() || r.value() == null) {
      return r;
    }
    return r.withMessage(r.message() + " over " + Durations.format(q.window()) + " since rollout");
  }

  /**
   * No evidence window yet: NO_DATA whatever the rule's {@code onNoData}, which speaks of traffic
   * Prometheus did not see, not of traffic that has not been served on the new revision yet.
   */
  static RuleResult waiting(Rule rule, String why, Double baseline, String query) {
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
}

package io.meshgate.gate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a query told about one rule for one namespace (or for the revision), before bounds are
 * applied: a value, nothing (and why), or a failure.
 */
sealed interface Observation {
  record Value(double value) implements Observation {}

  record Missing(String why) implements Observation {}

  record Failed(String why, boolean unavailable, String reason) implements Observation {
    Failed(String why, boolean unavailable) {
      this(why, unavailable, unavailable ? "PrometheusUnavailable" : "QueryFailed");
    }
  }

  static Observation observeNamespace(Answer answer, String ns) {
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

  static Observation observeRevision(Answer answer, Target target) {
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
  static Observation observePart(Answer answer, String part, String ns) {
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
}

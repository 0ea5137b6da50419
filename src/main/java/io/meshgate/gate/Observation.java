package io.meshgate.gate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a query told about one rule for one target (a namespace, a gateway, a waypoint or a node) or
 * for the revision, before bounds are applied: a value, nothing (and why), or a failure.
 */
sealed interface Observation {
  /** How messages name the revision's value. */
  String REVISION = "the revision";

  record Value(double value) implements Observation {}

  record Missing(String why) implements Observation {}

  record Failed(String why, boolean unavailable, String reason) implements Observation {
    Failed(String why, boolean unavailable) {
      this(why, unavailable, unavailable ? "PrometheusUnavailable" : "QueryFailed");
    }
  }

  static Observation observeNamespace(Answer answer, String ns) {
    return observe(answer, ns, "namespace " + ns, "");
  }

  /**
   * A waypoint's series carry the labels the scrape attached from its pod, a node's ztunnel's the
   * label its scrape relabelled from the pod's node: when there are none, the scrape may name them
   * otherwise or not at all, and the hint says which labels were read.
   */
  static Observation observeWorkload(Answer answer, Workload w) {
    List<String> labels = answer.query().rule().groupBy();
    String scrape =
        switch (w.scope()) {
          case WAYPOINT ->
              " with labels " + String.join(" and ", labels) + " (gate.waypointLabels)";
          case NODE ->
              " with label "
                  + labels.get(0)
                  + " (relabelled from __meta_kubernetes_pod_node_name on ztunnel's pods)";
          default -> "";
        };
    return observe(answer, w.qualifiedName(), w.displayName(), scrape);
  }

  private static Observation observe(Answer answer, String target, String subject, String scrape) {
    Observation volume =
        observeVolume(
            answer,
            target,
            subject,
            "probably not receiving traffic"
                + (scrape.isEmpty() ? "" : ", or not scraped" + scrape));
    if (volume != null) {
      return volume;
    }
    Observation value = observePart(answer, GatePlan.VALUE, target, subject);
    if (value instanceof Observation.Missing m) {
      return new Observation.Missing(
          m.why()
              + " for "
              + subject
              + " in "
              + Durations.format(answer.query().window())
              + ", probably not receiving traffic or not scraped"
              + scrape);
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
    Observation volume = observeVolume(answer, null, REVISION, hint);
    if (volume != null) {
      return volume;
    }
    Observation value = observePart(answer, GatePlan.VALUE, null, REVISION);
    if (value instanceof Observation.Missing m) {
      return new Observation.Missing(
          m.why() + " for revision " + target.toRevision() + "; " + hint);
    }
    return value;
  }

  /** The volume guard's verdict, or null when the guard is passed (or there is none). */
  private static Observation observeVolume(
      Answer answer, String target, String subject, String hint) {
    Rule rule = answer.query().rule();
    if (!rule.hasVolumeGuard()) {
      return null;
    }
    Observation volume = observePart(answer, GatePlan.VOLUME, target, subject);
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

  /**
   * The single series of one part for one target (a namespace, a workload's {@code namespace/name},
   * or the revision when null), {@code subject} naming it in messages.
   */
  static Observation observePart(Answer answer, String part, String target, String subject) {
    if (answer.failure() != null) {
      return answer.failure();
    }
    List<Series> matching = answer.series(part, target);
    if (matching.isEmpty()) {
      return new Observation.Missing("no series");
    }
    if (matching.size() > 1) {
      return new Observation.Failed(
          ambiguous(answer.query().rule(), part, target == null, subject, matching), false);
    }
    double value = matching.get(0).value();
    if (Double.isNaN(value)) {
      return new Observation.Missing("value is NaN (no samples to compute from)");
    }
    return new Observation.Value(value);
  }

  private static String ambiguous(
      Rule rule, String part, boolean revision, String subject, List<Series> series) {
    String sets =
        series.stream()
            .limit(3)
            .map(s -> withoutPartLabel(s.labels()).toString())
            .collect(Collectors.joining(", "));
    String aggregate =
        revision
            ? "aggregate the query to one series"
            : "aggregate the query by " + String.join(", ", rule.groupBy());
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

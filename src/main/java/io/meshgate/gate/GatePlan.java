package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns rules and a target into the PromQL of one tick: one query per rule and evidence window
 * whatever the number of namespaces and cohort members (rules written with {{namespace}} instead of
 * {{namespaces}} cannot be batched, get one query per namespace, and no cohort).
 *
 * <p>A rule's value, its volume guard and, for revision-scoped rules, the old revision's value
 * travel in one expression: each part is tagged with {@code label_replace} and joined with {@code
 * or}. The tags make the label sets disjoint, so {@code or} keeps every series.
 */
public final class GatePlan {
  public static final String PART_LABEL = "meshgate_part";
  static final String VALUE = "value";
  static final String VOLUME = "volume";
  static final String CONTROL = "control";
  private static final PlannedQuery.Kind TICK = PlannedQuery.Kind.TICK;

  /** Stands for the namespace in a display template; a NUL never occurs in PromQL. */
  private static final String NAMESPACE_MARK = "\u0000namespace\u0000";

  private GatePlan() {}

  /** One tick, every rule over its own window. */
  public static List<PlannedQuery> tick(List<Rule> rules, Target target, Instant time) {
    return tick(rules, target, time, EvidenceWindows.unclipped());
  }

  /**
   * One tick, each namespace-scoped rule over each namespace's evidence window: namespaces sharing
   * a window share a query, so a rule sends at most {@value EvidenceWindows#MAX_CLIPPED} + 1
   * queries whatever the number of namespaces; namespaces without a window yet get an unsent query
   * saying why.
   */
  public static List<PlannedQuery> tick(
      List<Rule> rules, Target target, Instant time, EvidenceWindows evidence) {
    List<PlannedQuery> queries = new ArrayList<>();
    for (Rule rule : rules) {
      if (rule.scope() == Scope.REVISION) {
        queries.addAll(plan(rule, target, target.namespaces(), time, rule.window(), TICK));
        continue;
      }
      // longest window first: once every namespace is past its first window, one query
      Map<Duration, List<String>> byWindow = new TreeMap<>(Comparator.reverseOrder());
      Map<String, List<String>> waiting = new LinkedHashMap<>();
      for (String ns : target.namespaces()) {
        EvidenceWindows.Window window = evidence.of(rule, ns, time);
        if (window instanceof EvidenceWindows.Window.Open open) {
          byWindow.computeIfAbsent(open.length(), w -> new ArrayList<>()).add(ns);
        } else {
          waiting
              .computeIfAbsent(
                  ((EvidenceWindows.Window.Waiting) window).why(), w -> new ArrayList<>())
              .add(ns);
        }
      }
      byWindow.forEach(
          (window, group) -> queries.addAll(plan(rule, target, group, time, window, TICK)));
      waiting.forEach(
          (why, group) ->
              queries.add(new PlannedQuery(rule, group, null, time, TICK, null, null, why)));
    }
    return queries;
  }

  /**
   * The baseline of every namespace-scoped rule over {@code window} ending at {@code time} (just
   * before a flip). Revision-scoped rules need none: their control group is measured live.
   */
  public static List<PlannedQuery> baseline(
      List<Rule> rules, Target target, Instant time, Duration window) {
    List<PlannedQuery> queries = new ArrayList<>();
    for (Rule rule : rules) {
      if (rule.scope() == Scope.NAMESPACE) {
        queries.addAll(
            plan(rule, target, target.namespaces(), time, window, PlannedQuery.Kind.BASELINE));
      }
    }
    return queries;
  }

  /** The queries of one rule for {@code namespaces}, all over {@code window}. */
  private static List<PlannedQuery> plan(
      Rule rule,
      Target target,
      List<String> namespaces,
      Instant time,
      Duration window,
      PlannedQuery.Kind kind) {
    if (rule.scope() == Scope.REVISION) {
      return List.of(
          query(rule, namespaces, () -> revisionQuery(rule, target, window), time, kind, window));
    }
    if (rule.isPerNamespace()) {
      return namespaces.stream()
          .map(
              ns ->
                  query(
                      rule,
                      List.of(ns),
                      () -> namespaceQuery(rule, target, List.of(ns), window),
                      time,
                      kind,
                      window))
          .toList();
    }
    // the cohort rides in the same query, over the same window: its members' series come back
    // beside the namespaces', like with like
    List<String> measured = new ArrayList<>(namespaces);
    if (rule.comparesCohort()) {
      measured.addAll(target.cohort());
    }
    return List.of(
        query(
            rule,
            namespaces,
            () -> namespaceQuery(rule, target, measured, window),
            time,
            kind,
            window));
  }

  private static PlannedQuery query(
      Rule rule,
      List<String> namespaces,
      Supplier<String> render,
      Instant time,
      PlannedQuery.Kind kind,
      Duration window) {
    try {
      return new PlannedQuery(rule, namespaces, render.get(), time, kind, null, window, null);
    } catch (IllegalArgumentException e) {
      return new PlannedQuery(rule, namespaces, null, time, kind, e.getMessage(), window, null);
    }
  }

  private static String namespaceQuery(
      Rule rule, Target target, List<String> namespaces, Duration window) {
    Map<String, String> values = values(target, target.toRevision(), window);
    values.put(QueryTemplate.NAMESPACES, String.join("|", namespaces));
    if (namespaces.size() == 1) {
      values.put(QueryTemplate.NAMESPACE, namespaces.get(0));
    }
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put(VALUE, QueryTemplate.render(rule.query(), values));
    if (rule.hasVolumeGuard()) {
      parts.put(VOLUME, QueryTemplate.render(rule.volumeQuery(), values));
    }
    return combine(parts);
  }

  private static String revisionQuery(Rule rule, Target target, Duration window) {
    Map<String, String> values = values(target, target.toRevision(), window);
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put(VALUE, QueryTemplate.render(rule.query(), values));
    if (rule.hasVolumeGuard()) {
      parts.put(VOLUME, QueryTemplate.render(rule.volumeQuery(), values));
    }
    if (hasControl(rule, target)) {
      parts.put(
          CONTROL,
          QueryTemplate.render(rule.query(), values(target, target.fromRevision(), window)));
    }
    return combine(parts);
  }

  /** Whether a revision-scoped rule's query measures the old revision as control group. */
  static boolean hasControl(Rule rule, Target target) {
    return rule.scope() == Scope.REVISION && rule.isRelative() && target.hasFromRevision();
  }

  /**
   * The query a person would run to see one namespace's value (for messages, status and links),
   * rendered but for the namespace: {@link #withNamespace} fills it in.
   */
  static String displayTemplate(Rule rule, Target target, Duration window) {
    Map<String, String> values = values(target, target.toRevision(), window);
    values.put(QueryTemplate.NAMESPACES, NAMESPACE_MARK);
    values.put(QueryTemplate.NAMESPACE, NAMESPACE_MARK);
    return QueryTemplate.render(rule.query(), values);
  }

  static String withNamespace(String displayTemplate, String namespace) {
    return displayTemplate.replace(NAMESPACE_MARK, namespace);
  }

  private static Map<String, String> values(Target target, String revision, Duration window) {
    Map<String, String> values = new HashMap<>();
    values.put(QueryTemplate.REVISION, revision);
    values.put(QueryTemplate.WINDOW, Durations.format(window));
    values.put(QueryTemplate.REVISION_LABEL, target.revisionLabel());
    if (target.hasFromRevision()) {
      values.put(QueryTemplate.FROM_REVISION, target.fromRevision());
    }
    return values;
  }

  private static String combine(Map<String, String> parts) {
    if (parts.size() == 1) {
      return parts.get(VALUE);
    }
    List<String> tagged = new ArrayList<>();
    parts.forEach(
        (part, promql) ->
            tagged.add(
                "label_replace(("
                    + promql
                    + "), \""
                    + PART_LABEL
                    + "\", \""
                    + part
                    + "\", \"\", \"\")"));
    return String.join(" or ", tagged);
  }
}

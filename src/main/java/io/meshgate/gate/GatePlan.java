package io.meshgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns rules and a target into the PromQL of one tick: one query per rule and evidence window
 * whatever the number of namespaces, gateways, waypoints, nodes and cohort members (rules written
 * with {{namespace}} instead of {{namespaces}} cannot be batched, get one query per namespace, and
 * no cohort). A rule judges the targets of its scope only; a revision-scoped rule judges them all.
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

  /** Stand for one target's names in a display template; a NUL never occurs in PromQL. */
  private static final String NAMESPACE_MARK = "\u0000namespace\u0000";

  private static final String WORKLOAD_MARK = "\u0000workload\u0000";
  private static final String WORKLOAD_NAMESPACE_MARK = "\u0000workloadNamespace\u0000";
  private static final String NODE_MARK = "\u0000node\u0000";

  private GatePlan() {}

  /** One tick, every rule over its own window. */
  public static List<PlannedQuery> tick(List<Rule> rules, Target target, Instant time) {
    return tick(rules, target, time, EvidenceWindows.unclipped());
  }

  /**
   * One tick, each namespace-, gateway-, waypoint- or node-scoped rule over each target's evidence
   * window: targets sharing a window share a query, so a rule sends at most {@value
   * EvidenceWindows#MAX_CLIPPED} + 1 queries whatever the number of targets; targets without a
   * window yet get an unsent query saying why.
   */
  public static List<PlannedQuery> tick(
      List<Rule> rules, Target target, Instant time, EvidenceWindows evidence) {
    List<PlannedQuery> queries = new ArrayList<>();
    for (Rule rule : rules) {
      switch (rule.scope()) {
        case REVISION ->
            queries.addAll(
                plan(
                    rule,
                    target,
                    target.namespaces(),
                    target.workloads(),
                    time,
                    rule.window(),
                    TICK));
        case NAMESPACE -> {
          Windows<String> windows = Windows.of(rule, target.namespaces(), ns -> ns, evidence, time);
          windows.open.forEach(
              (window, group) ->
                  queries.addAll(plan(rule, target, group, List.of(), time, window, TICK)));
          windows.waiting.forEach(
              (why, group) -> queries.add(waiting(rule, target, group, List.of(), time, why)));
        }
        case GATEWAY, WAYPOINT, NODE -> {
          Windows<Workload> windows =
              Windows.of(rule, target.workloads(rule.scope()), Workload::key, evidence, time);
          windows.open.forEach(
              (window, group) ->
                  queries.addAll(plan(rule, target, List.of(), group, time, window, TICK)));
          windows.waiting.forEach(
              (why, group) -> queries.add(waiting(rule, target, List.of(), group, time, why)));
        }
      }
    }
    return queries;
  }

  /**
   * The targets of one rule by their evidence window: open windows longest first (once every target
   * is past its first window, one query), then those still waiting, by why.
   */
  private record Windows<T>(Map<Duration, List<T>> open, Map<String, List<T>> waiting) {
    static <T> Windows<T> of(
        Rule rule,
        List<T> targets,
        Function<T, String> key,
        EvidenceWindows evidence,
        Instant time) {
      Windows<T> windows =
          new Windows<>(new TreeMap<>(Comparator.reverseOrder()), new LinkedHashMap<>());
      for (T target : targets) {
        EvidenceWindows.Window window = evidence.of(rule, key.apply(target), time);
        if (window instanceof EvidenceWindows.Window.Open open) {
          windows.open.computeIfAbsent(open.length(), w -> new ArrayList<>()).add(target);
        } else {
          windows
              .waiting
              .computeIfAbsent(
                  ((EvidenceWindows.Window.Waiting) window).why(), w -> new ArrayList<>())
              .add(target);
        }
      }
      return windows;
    }
  }

  private static PlannedQuery waiting(
      Rule rule,
      Target target,
      List<String> namespaces,
      List<Workload> workloads,
      Instant time,
      String why) {
    return new PlannedQuery(
        rule.withGroupLabels(target.waypointLabels()),
        namespaces,
        workloads,
        null,
        time,
        TICK,
        null,
        null,
        why);
  }

  /**
   * The baseline of every namespace-, gateway-, waypoint- or node-scoped rule over {@code window}
   * ending at {@code time} (just before a flip, or a node's cordon), for the target's namespaces or
   * workloads of its scope. Revision-scoped rules need none: their control group is measured live.
   */
  public static List<PlannedQuery> baseline(
      List<Rule> rules, Target target, Instant time, Duration window) {
    List<PlannedQuery> queries = new ArrayList<>();
    PlannedQuery.Kind kind = PlannedQuery.Kind.BASELINE;
    for (Rule rule : rules) {
      if (rule.scope() == Scope.NAMESPACE && !target.namespaces().isEmpty()) {
        queries.addAll(plan(rule, target, target.namespaces(), List.of(), time, window, kind));
      } else if (rule.scope().isWorkload() && !target.workloads(rule.scope()).isEmpty()) {
        queries.addAll(
            plan(rule, target, List.of(), target.workloads(rule.scope()), time, window, kind));
      }
    }
    return queries;
  }

  /**
   * The queries of one rule for {@code namespaces} or {@code workloads}, all over {@code window}.
   */
  private static List<PlannedQuery> plan(
      Rule rule,
      Target target,
      List<String> namespaces,
      List<Workload> workloads,
      Instant time,
      Duration window,
      PlannedQuery.Kind kind) {
    if (rule.scope() == Scope.REVISION) {
      return List.of(
          query(
              rule,
              target,
              namespaces,
              workloads,
              () -> revisionQuery(rule, target, window),
              time,
              kind,
              window));
    }
    if (rule.scope().isWorkload()) {
      // the cohort rides in the same query, over the same window, as for namespaces
      List<Workload> measured = new ArrayList<>(workloads);
      if (rule.comparesCohort()) {
        measured.addAll(target.workloadCohort(rule.scope()));
      }
      return List.of(
          query(
              rule,
              target,
              List.of(),
              workloads,
              () -> workloadQuery(rule, target, measured, window),
              time,
              kind,
              window));
    }
    if (rule.isPerNamespace()) {
      return namespaces.stream()
          .map(
              ns ->
                  query(
                      rule,
                      target,
                      List.of(ns),
                      List.of(),
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
            target,
            namespaces,
            List.of(),
            () -> namespaceQuery(rule, target, measured, window),
            time,
            kind,
            window));
  }

  private static PlannedQuery query(
      Rule rule,
      Target target,
      List<String> namespaces,
      List<Workload> workloads,
      Supplier<String> render,
      Instant time,
      PlannedQuery.Kind kind,
      Duration window) {
    Rule read = rule.withGroupLabels(target.waypointLabels());
    try {
      return new PlannedQuery(
          read, namespaces, workloads, render.get(), time, kind, null, window, null);
    } catch (IllegalArgumentException e) {
      return new PlannedQuery(
          read, namespaces, workloads, null, time, kind, e.getMessage(), window, null);
    }
  }

  private static String namespaceQuery(
      Rule rule, Target target, List<String> namespaces, Duration window) {
    Map<String, String> values = values(target, target.toRevision(), window);
    values.put(QueryTemplate.NAMESPACES, String.join("|", namespaces));
    if (namespaces.size() == 1) {
      values.put(QueryTemplate.NAMESPACE, namespaces.get(0));
    }
    return combine(valueAndVolume(rule, values));
  }

  /**
   * {{workloads}} and {{workloadNamespaces}} select the names and the namespaces apart, so they may
   * select more series than the workloads (one's name in another's namespace): the answer is read
   * by both labels together, and those are left unread. {{nodes}} selects nodes by their one name.
   */
  private static String workloadQuery(
      Rule rule, Target target, List<Workload> workloads, Duration window) {
    Map<String, String> values = values(target, target.toRevision(), window);
    if (rule.scope() == Scope.NODE) {
      values.put(QueryTemplate.NODES, alternation(workloads, Workload::name));
    } else {
      values.put(QueryTemplate.WORKLOADS, alternation(workloads, Workload::name));
      values.put(QueryTemplate.WORKLOAD_NAMESPACES, alternation(workloads, Workload::namespace));
    }
    return combine(valueAndVolume(rule, values));
  }

  private static String alternation(List<Workload> workloads, Function<Workload, String> part) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    workloads.forEach(w -> names.add(Names.inRegex(part.apply(w))));
    return String.join("|", names);
  }

  /** The value part and, with a guard, the volume part, rendered with {@code values}. */
  private static Map<String, String> valueAndVolume(Rule rule, Map<String, String> values) {
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put(VALUE, QueryTemplate.render(rule.query(), values));
    if (rule.hasVolumeGuard()) {
      parts.put(VOLUME, QueryTemplate.render(rule.volumeQuery(), values));
    }
    return parts;
  }

  private static String revisionQuery(Rule rule, Target target, Duration window) {
    Map<String, String> parts = valueAndVolume(rule, values(target, target.toRevision(), window));
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
   * The query a person would run to see one target's value (for messages, status and links),
   * rendered but for the target's names: {@link #withNamespace} or {@link #withWorkload} fills them
   * in.
   */
  static String displayTemplate(Rule rule, Target target, Duration window) {
    Map<String, String> values = values(target, target.toRevision(), window);
    values.put(QueryTemplate.NAMESPACES, NAMESPACE_MARK);
    values.put(QueryTemplate.NAMESPACE, NAMESPACE_MARK);
    values.put(QueryTemplate.WORKLOADS, WORKLOAD_MARK);
    values.put(QueryTemplate.WORKLOAD_NAMESPACES, WORKLOAD_NAMESPACE_MARK);
    values.put(QueryTemplate.NODES, NODE_MARK);
    return QueryTemplate.render(rule.query(), values);
  }

  static String withNamespace(String displayTemplate, String namespace) {
    return displayTemplate.replace(NAMESPACE_MARK, namespace);
  }

  static String withWorkload(String displayTemplate, Workload workload) {
    if (workload.scope() == Scope.NODE) {
      return displayTemplate.replace(NODE_MARK, Names.inRegex(workload.name()));
    }
    return displayTemplate
        .replace(WORKLOAD_MARK, Names.inRegex(workload.name()))
        .replace(WORKLOAD_NAMESPACE_MARK, workload.namespace());
  }

  private static Map<String, String> values(Target target, String revision, Duration window) {
    Map<String, String> values = new HashMap<>();
    values.put(QueryTemplate.REVISION, revision);
    values.put(QueryTemplate.WINDOW, Durations.format(window));
    values.put(QueryTemplate.REVISION_LABEL, target.revisionLabel());
    values.put(QueryTemplate.WAYPOINT_NAMESPACE_LABEL, target.waypointLabels().namespace());
    values.put(QueryTemplate.WAYPOINT_NAME_LABEL, target.waypointLabels().name());
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

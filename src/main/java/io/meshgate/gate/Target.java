package io.meshgate.gate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What one tick evaluates: the namespaces and the workloads (gateways, waypoints, nodes), the
 * target revision, optionally the revision they come from (the control group of revision-scoped
 * rules), the Prometheus label that tells revisions apart, the labels that name a waypoint, and the
 * control cohorts: namespaces and workloads still on {@code fromRevision} (nodes still on the old
 * ztunnel template), measured in the same queries as the targets of their kind (none evaluated
 * itself). Every name is validated here, before any of them can reach PromQL.
 *
 * <p>Namespaces and workloads' keys are the keys of verdicts, evidence windows and baselines, so
 * they are distinct.
 */
public record Target(
    List<String> namespaces,
    String toRevision,
    String fromRevision,
    String revisionLabel,
    List<String> cohort,
    List<Workload> workloads,
    List<Workload> workloadCohort,
    WaypointLabels waypointLabels) {

  public Target {
    namespaces = List.copyOf(new LinkedHashSet<>(namespaces));
    workloads = workloads == null ? List.of() : List.copyOf(new LinkedHashSet<>(workloads));
    LinkedHashSet<String> members = new LinkedHashSet<>(cohort == null ? List.of() : cohort);
    members.removeAll(namespaces);
    cohort = List.copyOf(members);
    workloadCohort = cohortOf(workloads, workloadCohort);
    waypointLabels = waypointLabels == null ? WaypointLabels.DEFAULT : waypointLabels;
    List<String> problems =
        problems(namespaces, workloads, toRevision, fromRevision, revisionLabel);
    for (String ns : cohort) {
      String p = Names.dns1123Problem(ns);
      if (p != null) {
        problems.add("cohort namespace " + p);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** A target of namespaces with their cohort, and no workload. */
  public Target(
      List<String> namespaces,
      String toRevision,
      String fromRevision,
      String revisionLabel,
      List<String> cohort) {
    this(
        namespaces,
        toRevision,
        fromRevision,
        revisionLabel,
        cohort,
        List.of(),
        List.of(),
        WaypointLabels.DEFAULT);
  }

  /** A target without a cohort: namespaces are judged on their bounds and baselines only. */
  public Target(
      List<String> namespaces, String toRevision, String fromRevision, String revisionLabel) {
    this(namespaces, toRevision, fromRevision, revisionLabel, List.of());
  }

  /**
   * The members of a workload cohort measured once each: neither one under evaluation nor a second
   * with the same series.
   */
  private static List<Workload> cohortOf(List<Workload> judged, List<Workload> members) {
    Map<String, Workload> bySeries = new LinkedHashMap<>();
    for (Workload member : members == null ? List.<Workload>of() : members) {
      if (judged.stream().noneMatch(member::sameSeries)) {
        bySeries.putIfAbsent(member.scope() + " " + member.qualifiedName(), member);
      }
    }
    return List.copyOf(bySeries.values());
  }

  /** Everything wrong with these targets and revisions; empty when they can be evaluated. */
  public static List<String> problems(
      List<String> namespaces,
      List<Workload> workloads,
      String toRevision,
      String fromRevision,
      String revisionLabel) {
    List<String> problems = new ArrayList<>();
    if (namespaces.isEmpty() && workloads.isEmpty()) {
      problems.add(
          "no namespace, gateway, waypoint or node given; name at least one target to evaluate");
    }
    for (String ns : namespaces) {
      String p = Names.dns1123Problem(ns);
      if (p != null) {
        problems.add("namespace " + p);
      }
    }
    problems.addAll(workloadProblems(namespaces, workloads));
    String to = Names.dns1123Problem(toRevision);
    if (to != null) {
      problems.add("target revision " + to);
    }
    if (fromRevision != null) {
      String from = Names.dns1123Problem(fromRevision);
      if (from != null) {
        problems.add("from revision " + from);
      } else if (fromRevision.equals(toRevision)) {
        problems.add("from revision equals the target revision \"" + toRevision + "\"");
      }
    }
    if (!Names.isPrometheusLabel(revisionLabel)) {
      problems.add("revision label is \"" + revisionLabel + "\"; expected a Prometheus label name");
    }
    return problems;
  }

  /** A key names one target; two workloads of one series could not be told apart. */
  private static List<String> workloadProblems(List<String> namespaces, List<Workload> workloads) {
    List<String> problems = new ArrayList<>();
    Map<String, Workload> byKey = new HashMap<>();
    List<Workload> seen = new ArrayList<>();
    for (Workload w : workloads) {
      if (namespaces.contains(w.key())) {
        problems.add(
            "workload key \""
                + w.key()
                + "\" of "
                + w.displayName()
                + " is also a namespace under evaluation; a key names one target");
      }
      Workload sameKey = byKey.putIfAbsent(w.key(), w);
      if (sameKey != null) {
        problems.add(
            "workload key \""
                + w.key()
                + "\" names both "
                + sameKey.displayName()
                + " and "
                + w.displayName()
                + "; a key names one target");
      }
      for (Workload other : seen) {
        if (other.sameSeries(w)) {
          problems.add(
              w.displayName()
                  + " is given twice (keys \""
                  + other.key()
                  + "\" and \""
                  + w.key()
                  + "\"); its series cannot tell them apart");
        }
      }
      seen.add(w);
    }
    return problems;
  }

  public boolean hasFromRevision() {
    return fromRevision != null;
  }

  /** The workloads of {@code scope} under evaluation. */
  public List<Workload> workloads(Scope scope) {
    return workloads.stream().filter(w -> w.scope() == scope).toList();
  }

  /** The control cohort of {@code scope}'s workloads: those still on {@code fromRevision}. */
  public List<Workload> workloadCohort(Scope scope) {
    return workloadCohort.stream().filter(w -> w.scope() == scope).toList();
  }

  /** The key of every target: the namespaces, then the workloads' keys. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>(namespaces);
    workloads.forEach(w -> keys.add(w.key()));
    return keys;
  }
}

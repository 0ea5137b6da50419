package io.meshgate.gate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What one tick evaluates: the namespaces, the target revision, optionally the revision they come
 * from (the control group of revision-scoped rules), the Prometheus label that tells revisions
 * apart, and the control cohort of namespace-scoped rules: namespaces still on {@code
 * fromRevision}, measured in the same queries (none evaluated itself). Every name is validated
 * here, before any of them can reach PromQL.
 */
public record Target(
    List<String> namespaces,
    String toRevision,
    String fromRevision,
    String revisionLabel,
    List<String> cohort) {

  public Target {
    namespaces = List.copyOf(new LinkedHashSet<>(namespaces));
    LinkedHashSet<String> members = new LinkedHashSet<>(cohort == null ? List.of() : cohort);
    members.removeAll(namespaces);
    cohort = List.copyOf(members);
    List<String> problems = problems(namespaces, toRevision, fromRevision, revisionLabel);
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

  /** A target without a cohort: namespaces are judged on their bounds and baselines only. */
  public Target(
      List<String> namespaces, String toRevision, String fromRevision, String revisionLabel) {
    this(namespaces, toRevision, fromRevision, revisionLabel, List.of());
  }

  public static List<String> problems(
      List<String> namespaces, String toRevision, String fromRevision, String revisionLabel) {
    List<String> problems = new ArrayList<>();
    if (namespaces.isEmpty()) {
      problems.add("no namespace given; name at least one namespace to evaluate");
    }
    for (String ns : namespaces) {
      String p = Names.dns1123Problem(ns);
      if (p != null) {
        problems.add("namespace " + p);
      }
    }
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

  public boolean hasFromRevision() {
    return fromRevision != null;
  }
}

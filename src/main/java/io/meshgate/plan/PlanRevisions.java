package io.meshgate.plan;

import io.meshgate.gate.Names;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The revisions a plan's {@code from} and {@code to} stand for: each a revision or a revision tag
 * of the cluster, checked before anything is read, and refused with what the cluster has.
 */
public final class PlanRevisions {
  private PlanRevisions() {}

  /** The names as given: each a DNS-1123 label, and not the same. */
  public static void checkNames(String from, String to) {
    for (String[] name : List.of(new String[] {"from", from}, new String[] {"to", to})) {
      String problem = Names.dns1123Problem(name[1]);
      if (problem != null) {
        throw new PlanRequestException(name[0] + " " + problem);
      }
    }
    if (from.equals(to)) {
      throw new PlanRequestException(
          "from and to are both " + from + "; a plan moves from one revision to another");
    }
  }

  /**
   * The revisions {@code from} and {@code to} name, each a revision or a tag (resolved through its
   * webhook); refused when either is unknown or both are the same revision.
   */
  public static List<String> resolve(
      Set<String> revisions, Map<String, String> tags, String from, String to) {
    checkNames(from, to);
    String fromRevision = revisionNamed("from", from, revisions, tags);
    String toRevision = revisionNamed("to", to, revisions, tags);
    if (fromRevision.equals(toRevision)) {
      throw new PlanRequestException(
          "from "
              + from
              + " and to "
              + to
              + " are both revision "
              + fromRevision
              + "; a plan moves from one revision to another");
    }
    return List.of(fromRevision, toRevision);
  }

  private static String revisionNamed(
      String which, String name, Set<String> revisions, Map<String, String> tags) {
    if (revisions.contains(name)) {
      return name;
    }
    if (tags.containsKey(name)) {
      return tags.get(name);
    }
    throw new PlanRequestException(
        which
            + " is "
            + name
            + ", which is no revision or revision tag of this cluster; "
            + found(revisions, tags));
  }

  private static String found(Set<String> revisions, Map<String, String> tags) {
    String found =
        revisions.isEmpty()
            ? "no revision found (no injector webhook labelled istio.io/rev, no istiod Deployment)"
            : "revisions: " + String.join(", ", new TreeSet<>(revisions));
    if (!tags.isEmpty()) {
      found +=
          "; tags: "
              + new TreeMap<>(tags)
                  .entrySet().stream()
                      .map(e -> e.getKey() + " -> " + e.getValue())
                      .collect(Collectors.joining(", "));
    }
    return found;
  }
}

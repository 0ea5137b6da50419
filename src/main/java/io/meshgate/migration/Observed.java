package io.meshgate.migration;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the controller observed in the cluster for one tick: the facts the machine decides on.
 *
 * @param toRevisionAvailable the target istiod is Available and its injector webhook exists
 * @param fromRevisionAvailable the old istiod is Available (needed before flips and rollbacks)
 * @param selected namespaces matched by each wave's selector, by wave name
 * @param namespaces per namespace of the migration
 * @param oldRevisionInUse namespaces labelled for, or running proxies of, the old revision; null
 *     when not looked up (it is needed once, when the migration succeeds)
 * @param tags every revision tag of the cluster (webhook {@code istio-revision-tag-<tag>}) by name
 * @param followingTag in tag mode, the namespaces of the migration whose labels select the tag
 */
public record Observed(
    boolean toRevisionAvailable,
    boolean fromRevisionAvailable,
    Map<String, List<String>> selected,
    Map<String, TargetFacts> namespaces,
    Set<String> oldRevisionInUse,
    Map<String, TagWebhook> tags,
    Set<String> followingTag) {

  public Observed {
    selected = Map.copyOf(selected);
    namespaces = Map.copyOf(namespaces);
    oldRevisionInUse = oldRevisionInUse == null ? null : Set.copyOf(oldRevisionInUse);
    tags = Map.copyOf(tags);
    followingTag = Set.copyOf(followingTag);
  }

  public Observed withOldRevisionInUse(Set<String> inUse) {
    return new Observed(
        toRevisionAvailable,
        fromRevisionAvailable,
        selected,
        namespaces,
        inUse,
        tags,
        followingTag);
  }

  /**
   * A revision tag as its webhook says: the revision it points at ({@code istio.io/rev} label) and,
   * when meshgate moved it, which migration did and where it pointed before (its annotations), so
   * that a daemon that died right after the move knows it was its own.
   */
  public record TagWebhook(String revision, String movedBy, String previousRevision) {}

  public TargetFacts facts(String namespace) {
    return namespaces.getOrDefault(namespace, TargetFacts.ABSENT);
  }

  /**
   * One namespace as observed.
   *
   * @param flipped its labels are this migration's flip (annotation {@code meshgate.io/migration})
   * @param restarted workloads carrying the current restart id, of {@code workloads}
   * @param rolledOut of those, how many finished their rollout
   * @param rolloutFailed a rollout reported it cannot finish (ProgressDeadlineExceeded)
   * @param proxiesByRevision sidecars by revision, pods of Jobs apart; pods without a sidecar are
   *     not counted
   * @param jobProxiesByRevision sidecars of pods of Jobs (and so CronJobs) by revision: never
   *     recreated, they take the new sidecar on their next run
   * @param unmanagedPods names of the stale pods (see {@link SidecarGoal}) that no workload of
   *     {@code restart.kinds} owns: bare pods, pods of operators meshgate does not know, sorted
   * @param obstacles what keeps the namespace's pods from moving, in the order found
   */
  public record TargetFacts(
      boolean exists,
      boolean flipped,
      int workloads,
      int restarted,
      int rolledOut,
      boolean rolloutFailed,
      Map<String, Integer> proxiesByRevision,
      Map<String, Integer> jobProxiesByRevision,
      List<String> unmanagedPods,
      List<Obstacle> obstacles) {
    public static final TargetFacts ABSENT =
        new TargetFacts(false, false, 0, 0, 0, false, Map.of());

    public TargetFacts {
      proxiesByRevision = Map.copyOf(proxiesByRevision);
      jobProxiesByRevision = Map.copyOf(jobProxiesByRevision);
      unmanagedPods = List.copyOf(unmanagedPods);
      obstacles = List.copyOf(obstacles);
    }

    /** A namespace whose every pod belongs to a workload meshgate restarts, and nothing blocks. */
    public TargetFacts(
        boolean exists,
        boolean flipped,
        int workloads,
        int restarted,
        int rolledOut,
        boolean rolloutFailed,
        Map<String, Integer> proxiesByRevision) {
      this(
          exists,
          flipped,
          workloads,
          restarted,
          rolledOut,
          rolloutFailed,
          proxiesByRevision,
          Map.of(),
          List.of(),
          List.of());
    }

    public boolean allRestarted() {
      return restarted >= workloads;
    }

    public boolean rolloutComplete() {
      return allRestarted() && rolledOut >= workloads;
    }

    public TargetStatus.Proxies proxies(String targetRevision) {
      int target = proxiesByRevision.getOrDefault(targetRevision, 0);
      int all = sum(proxiesByRevision);
      int jobsElsewhere =
          sum(jobProxiesByRevision) - jobProxiesByRevision.getOrDefault(targetRevision, 0);
      return new TargetStatus.Proxies(target, all - target, jobsElsewhere);
    }

    private static int sum(Map<String, Integer> counts) {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
  }
}

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
 * @param selectedGateways gateways matched by each wave's {@code gatewaySelector}, by wave name
 * @param gateways per gateway of the migration, by {@link GatewayRef#key()}
 * @param targetImage in an in-place upgrade ({@code mode: Restart}), the {@code istio-proxy} image
 *     the injector of {@code toRevision} gives newly injected pods now; null otherwise
 * @param sail what the Sail Operator says of the migration's revisions ({@link Sail#NONE} where it
 *     is not installed)
 * @param ambient the nodes and ztunnel DaemonSet of the migration's ztunnel waves ({@link
 *     Ambient#NONE} when it has none)
 */
public record Observed(
    boolean toRevisionAvailable,
    boolean fromRevisionAvailable,
    Map<String, List<String>> selected,
    Map<String, TargetFacts> namespaces,
    Set<String> oldRevisionInUse,
    Map<String, TagWebhook> tags,
    Set<String> followingTag,
    Map<String, List<GatewayRef>> selectedGateways,
    Map<String, GatewayFacts> gateways,
    ProxyImage targetImage,
    Sail sail,
    Ambient ambient) {

  public Observed {
    selected = Map.copyOf(selected);
    namespaces = Map.copyOf(namespaces);
    oldRevisionInUse = oldRevisionInUse == null ? null : Set.copyOf(oldRevisionInUse);
    tags = Map.copyOf(tags);
    followingTag = Set.copyOf(followingTag);
    selectedGateways = Map.copyOf(selectedGateways);
    gateways = Map.copyOf(gateways);
    sail = sail == null ? Sail.NONE : sail;
    ambient = ambient == null ? Ambient.NONE : ambient;
  }

  /** What was observed of a migration with no ztunnel wave. */
  public Observed(
      boolean toRevisionAvailable,
      boolean fromRevisionAvailable,
      Map<String, List<String>> selected,
      Map<String, TargetFacts> namespaces,
      Set<String> oldRevisionInUse,
      Map<String, TagWebhook> tags,
      Set<String> followingTag,
      Map<String, List<GatewayRef>> selectedGateways,
      Map<String, GatewayFacts> gateways,
      ProxyImage targetImage,
      Sail sail) {
    this(
        toRevisionAvailable,
        fromRevisionAvailable,
        selected,
        namespaces,
        oldRevisionInUse,
        tags,
        followingTag,
        selectedGateways,
        gateways,
        targetImage,
        sail,
        Ambient.NONE);
  }

  /** What was observed of a migration between two revisions. */
  public Observed(
      boolean toRevisionAvailable,
      boolean fromRevisionAvailable,
      Map<String, List<String>> selected,
      Map<String, TargetFacts> namespaces,
      Set<String> oldRevisionInUse,
      Map<String, TagWebhook> tags,
      Set<String> followingTag,
      Map<String, List<GatewayRef>> selectedGateways,
      Map<String, GatewayFacts> gateways) {
    this(
        toRevisionAvailable,
        fromRevisionAvailable,
        selected,
        namespaces,
        oldRevisionInUse,
        tags,
        followingTag,
        selectedGateways,
        gateways,
        null,
        Sail.NONE);
  }

  /**
   * The {@code istio-proxy} image a revision's injector gives, and where it was read ({@code
   * ConfigMap istio-system/istio-sidecar-injector-1-20-0}); with no image, {@code source} says why
   * it is not known.
   */
  public record ProxyImage(String image, String source) {}

  /** What was observed of a migration of namespaces only. */
  public Observed(
      boolean toRevisionAvailable,
      boolean fromRevisionAvailable,
      Map<String, List<String>> selected,
      Map<String, TargetFacts> namespaces,
      Set<String> oldRevisionInUse,
      Map<String, TagWebhook> tags,
      Set<String> followingTag) {
    this(
        toRevisionAvailable,
        fromRevisionAvailable,
        selected,
        namespaces,
        oldRevisionInUse,
        tags,
        followingTag,
        Map.of(),
        Map.of(),
        null,
        Sail.NONE);
  }

  public Observed withOldRevisionInUse(Set<String> inUse) {
    return new Observed(
        toRevisionAvailable,
        fromRevisionAvailable,
        selected,
        namespaces,
        inUse,
        tags,
        followingTag,
        selectedGateways,
        gateways,
        targetImage,
        sail,
        ambient);
  }

  /**
   * What the Sail Operator says of the migration's revisions (DESIGN.md section 12).
   *
   * @param from the IstioRevision of the old revision, null when it is none (installed another way,
   *     or Sail is not installed)
   * @param to the IstioRevision of the target revision, null when it is none
   * @param unreadable why Sail's resources cannot be read although its CRDs are installed (the
   *     optional grant missing); null when they can
   */
  public record Sail(SailRevision from, SailRevision to, String unreadable) {
    public static final Sail NONE = new Sail(null, null, null);
  }

  /**
   * An IstioRevision, with what the Istio resource owning it says.
   *
   * @param istio the owning Istio's name (null: no Istio owns it)
   * @param active it is the Istio's active revision ({@code status.activeRevisionName}), which Sail
   *     never prunes
   * @param gracePeriodSeconds {@code
   *     spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds} of the Istio, its default
   *     30 when unset
   * @param updateWorkloads {@code spec.updateStrategy.updateWorkloads} of the Istio: Sail moves
   *     workloads to a new revision itself
   */
  public record SailRevision(
      String istio, boolean active, long gracePeriodSeconds, boolean updateWorkloads) {
    public static final long DEFAULT_GRACE_PERIOD_SECONDS = 30;
  }

  /**
   * One gateway as observed: its rollout and the census of its pods ({@code facts}, one workload),
   * the {@code istio.io/rev} that selects its revision now (its own label, on the pod template or
   * the Gateway, else what it inherits; null: none, the default revision), and why meshgate cannot
   * move it by its label ({@code refused}: not a gateway, its namespace's label decides, the
   * Gateway API is not installed; null when it can). Its metrics name it by {@code workload} (the
   * Deployment's name; for a waypoint, its Gateway's), with the labels of {@code waypoint} rules
   * when it is one, else of {@code gateway} rules (DESIGN.md section 12).
   */
  public record GatewayFacts(
      TargetFacts facts, String selects, Obstacle refused, String workload, boolean waypoint) {
    public static final GatewayFacts ABSENT = new GatewayFacts(TargetFacts.ABSENT, null, null);

    /** A gateway (not a waypoint) whose metrics name it as its key does. */
    public GatewayFacts(TargetFacts facts, String selects, Obstacle refused) {
      this(facts, selects, refused, null, false);
    }
  }

  /** The facts of a namespace, or of a gateway by its key. */
  public TargetFacts target(String name) {
    return GatewayRef.isKey(name) ? gateway(name).facts() : facts(name);
  }

  public GatewayFacts gateway(String key) {
    return gateways.getOrDefault(key, GatewayFacts.ABSENT);
  }

  /**
   * A revision tag as its webhook says: the revision it points at ({@code istio.io/rev} label) and,
   * when meshgate moved it, which migration did and where it pointed before (its annotations; on
   * the IstioRevisionTag for a Sail tag), so that a daemon that died right after the move knows it
   * was its own.
   *
   * @param sail the IstioRevisionTag of a tag the Sail Operator renders, null for any other tag
   * @param helm its webhook is labelled {@code app.kubernetes.io/managed-by: Helm}: the next {@code
   *     helm upgrade} of the istiod release puts it back where the release's values say
   */
  public record TagWebhook(
      String revision, String movedBy, String previousRevision, SailTag sail, boolean helm) {
    /** A tag installed by istioctl. */
    public TagWebhook(String revision, String movedBy, String previousRevision) {
      this(revision, movedBy, previousRevision, null, false);
    }
  }

  /** An IstioRevisionTag's {@code spec.targetRef}: kind {@code Istio} or {@code IstioRevision}. */
  public record SailTag(String targetKind, String targetName) {
    public boolean followsIstio() {
      return "Istio".equals(targetKind);
    }
  }

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

    /**
     * The census against {@code targetRevision} (an image in an in-place upgrade; null when that is
     * not known: then no proxy is on it).
     */
    public TargetStatus.Proxies proxies(String targetRevision) {
      int target = targetRevision == null ? 0 : proxiesByRevision.getOrDefault(targetRevision, 0);
      int all = sum(proxiesByRevision);
      int jobsOnTarget =
          targetRevision == null ? 0 : jobProxiesByRevision.getOrDefault(targetRevision, 0);
      int jobsElsewhere = sum(jobProxiesByRevision) - jobsOnTarget;
      return new TargetStatus.Proxies(target, all - target, jobsElsewhere);
    }

    private static int sum(Map<String, Integer> counts) {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
  }
}

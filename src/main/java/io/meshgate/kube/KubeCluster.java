package io.meshgate.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.controller.ClusterPorts;
import io.meshgate.controller.EventPort;
import io.meshgate.controller.LabelPort;
import io.meshgate.controller.MigrationRef;
import io.meshgate.controller.ObservePort;
import io.meshgate.controller.RestartPort;
import io.meshgate.controller.TagPort;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.migration.Decision;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NamespacePhase;
import io.meshgate.migration.NamespaceStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import io.meshgate.migration.Resolution;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.migration.WorkloadKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as the controller sees it, through fabric8: reads from informer caches (an idle tick
 * sends no request), writes as RFC 7386 JSON merge patches that are safe to repeat.
 *
 * <pre>{@code
 * KubeCluster cluster = KubeCluster.start(client, "istio-system", Clock.systemUTC(), WriteHook.NONE);
 * Observed facts = cluster.ports().observer().observe("istio-1-20", spec, status);
 * }</pre>
 */
public final class KubeCluster
    implements ObservePort, LabelPort, TagPort, RestartPort, EventPort, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubeCluster.class);
  private static final ObjectMapper JSON = Mappers.json();
  private static final String EVENTS_NAMESPACE = "default";
  private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(60);

  /** The index of namespaces by each of their labels, {@code key=value}. */
  private static final String BY_LABEL = "label";

  private final KubernetesClient client;
  private final KubernetesClient metadata;
  private final String controlPlaneNamespace;
  private final Clock clock;
  private final WriteHook hook;
  private final Watched<GenericKubernetesResource> namespaces;
  private final Watched<Deployment> istiods;
  private final Watched<MutatingWebhookConfiguration> webhooks;
  private final InFlightWatches inFlight;
  private final Evictions evictions;

  /** Restart ids patched onto workloads whose change the cache has not shown yet, by key. */
  private final Map<String, String> restartsInFlight = new ConcurrentHashMap<>();

  private KubeCluster(
      KubernetesClient client, String controlPlaneNamespace, Clock clock, WriteHook hook) {
    this.client = client;
    this.metadata = MetadataOnly.client(client);
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.clock = clock;
    this.hook = hook;
    this.namespaces =
        new Watched<>(
            "namespaces (metadata)",
            "namespaces",
            () ->
                metadata
                    .genericKubernetesResources(MetadataOnly.NAMESPACES)
                    .withLimit(NamespaceWatch.PAGE)
                    .withIndexers(Map.of(BY_LABEL, KubeCluster::labelPairs))
                    .runnableInformer(0),
            List.of());
    this.istiods =
        new Watched<>(
            "istiod deployments in " + controlPlaneNamespace,
            "deployments",
            () ->
                client
                    .apps()
                    .deployments()
                    .inNamespace(controlPlaneNamespace)
                    .withLabel("app", "istiod")
                    .withLimit(NamespaceWatch.PAGE)
                    .runnableInformer(0),
            List.of());
    this.webhooks =
        new Watched<>(
            "mutatingwebhookconfigurations labelled " + Annotations.REV_LABEL,
            "mutatingwebhookconfigurations",
            () ->
                client
                    .admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withLabel(Annotations.REV_LABEL)
                    .withLimit(NamespaceWatch.PAGE)
                    .runnableInformer(0),
            List.of());
    this.inFlight = new InFlightWatches(client, metadata, STARTUP_DEADLINE);
    this.evictions = new Evictions(client, hook);
  }

  /**
   * Starts the informers and waits until their caches are filled.
   *
   * @throws IllegalStateException naming the resource when a list is refused or takes longer than a
   *     minute
   */
  public static KubeCluster start(
      KubernetesClient client, String controlPlaneNamespace, Clock clock, WriteHook hook) {
    KubeCluster cluster = new KubeCluster(client, controlPlaneNamespace, clock, hook);
    try {
      Informers.startAll(
          STARTUP_DEADLINE, cluster.informers().stream().map(Watched::named).toList());
      cluster.checkInFlightGrants();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static final ListOptions ONE = new ListOptionsBuilder().withLimit(1L).build();

  private void checkInFlightGrants() {
    Informers.checkList(
        "pods (all namespaces)",
        "pods",
        () -> metadata.genericKubernetesResources(MetadataOnly.PODS).inAnyNamespace().list(ONE));
    Informers.checkList(
        "deployments (all namespaces)",
        "deployments",
        () -> client.apps().deployments().inAnyNamespace().list(ONE));
    Informers.checkList(
        "statefulsets (all namespaces)",
        "statefulsets",
        () -> client.apps().statefulSets().inAnyNamespace().list(ONE));
    Informers.checkList(
        "daemonsets (all namespaces)",
        "daemonsets",
        () -> client.apps().daemonSets().inAnyNamespace().list(ONE));
  }

  /** What the controller acts on the cluster through. */
  public ClusterPorts ports() {
    return new ClusterPorts(this, this, this, this, this);
  }

  private List<Watched<?>> informers() {
    return List.of(namespaces, istiods, webhooks);
  }

  public boolean hasSynced() {
    return informers().stream().allMatch(Watched::hasSynced) && inFlight.hasSynced();
  }

  /** Objects held in informer caches: what the daemon's memory grows with. */
  public int cachedObjects() {
    return informers().stream().mapToInt(w -> w.list().size()).sum() + inFlight.cachedObjects();
  }

  /** The namespaces whose workloads and pods are watched now. */
  public Set<String> watchedNamespaces() {
    return inFlight.watched();
  }

  @Override
  public void close() {
    evictions.close();
    inFlight.close();
    informers().forEach(Watched::close);
    metadata.close();
  }

  // ---- reading ---------------------------------------------------------------------------

  @Override
  public Observed observe(String migration, MigrationSpec spec, MigrationStatus status) {
    Map<String, List<String>> selected = new HashMap<>();
    for (MigrationSpec.Wave wave : spec.waves()) {
      if (!wave.selector().isEmpty()) {
        selected.put(wave.name(), selected(wave.selector()));
      }
    }
    Set<String> members = new HashSet<>();
    spec.waves().forEach(w -> members.addAll(w.namespaces()));
    selected.values().forEach(members::addAll);
    status.namespaces().forEach(n -> members.add(n.name()));
    watch(
        migration,
        status.namespaces().stream()
            .filter(n -> n.phase().isInFlight())
            .map(NamespaceStatus::name)
            .collect(Collectors.toSet()));
    Map<String, Observed.TagWebhook> tags = tags();
    Resolution revisions = Resolution.of(spec, status, tags);
    Map<String, Observed.NamespaceFacts> facts = new HashMap<>();
    Set<String> followingTag = new HashSet<>();
    for (String ns : members) {
      Optional<NamespaceStatus> recorded = status.namespace(ns);
      String restartId = recorded.map(NamespaceStatus::restartId).orElse(null);
      SidecarGoal goal =
          SidecarGoal.of(
              recorded.map(NamespaceStatus::phase).orElse(NamespacePhase.Pending), revisions.to());
      facts.put(ns, facts(migration, ns, restartId, spec.restart(), goal));
      if (spec.tagMode() && follows(namespaces.get(ns), spec.tag().name())) {
        followingTag.add(ns);
      }
    }
    return new Observed(
        revisionAvailable(revisions.to(), true),
        revisionAvailable(revisions.from(), false),
        selected,
        facts,
        null,
        tags,
        followingTag);
  }

  /**
   * Whether a namespace's pods are injected through tag {@code tag}: labelled {@code
   * istio.io/rev=<tag>} without {@code istio-injection} (which would override it), or for tag
   * {@code default} also {@code istio-injection=enabled}, as Istio's webhooks select them.
   */
  static boolean follows(GenericKubernetesResource namespace, String tag) {
    if (namespace == null) {
      return false;
    }
    Map<String, String> labels = labels(namespace.getMetadata());
    String injection = labels.get(Annotations.INJECTION_LABEL);
    if (injection != null) {
      return "default".equals(tag)
          && "enabled".equals(injection)
          && !labels.containsKey(Annotations.REV_LABEL);
    }
    return tag.equals(labels.get(Annotations.REV_LABEL));
  }

  /** Every revision tag, from its webhook {@code istio-revision-tag-<tag>} in the cache. */
  Map<String, Observed.TagWebhook> tags() {
    Map<String, Observed.TagWebhook> tags = new HashMap<>();
    for (MutatingWebhookConfiguration w : webhooks.list()) {
      Map<String, String> labels = labels(w.getMetadata());
      String tag = labels.get(Annotations.TAG_LABEL);
      if (tag != null && w.getMetadata().getName().equals(Annotations.TAG_WEBHOOK_PREFIX + tag)) {
        Map<String, String> annotations = annotations(w.getMetadata());
        tags.put(
            tag,
            new Observed.TagWebhook(
                labels.get(Annotations.REV_LABEL),
                annotations.get(Annotations.MIGRATION),
                annotations.get(Annotations.PREVIOUS_REVISION)));
      }
    }
    return tags;
  }

  /** Watches the workloads and pods of exactly these namespaces for {@code migration}. */
  void watch(String migration, Set<String> inFlightNamespaces) {
    inFlight.need(migration, inFlightNamespaces);
  }

  @Override
  public List<String> cohort(MigrationSpec spec, MigrationStatus status, int limit) {
    Set<String> started =
        status.namespaces().stream()
            .filter(n -> n.phase() != NamespacePhase.Pending)
            .map(NamespaceStatus::name)
            .collect(Collectors.toSet());
    Map<String, Observed.TagWebhook> tags = tags();
    Set<String> labels = labelsOf(Resolution.of(spec, status, tags).from(), tags);
    if (spec.tagMode()) {
      labels.add(spec.tag().name());
    }
    return labels.stream()
        .flatMap(
            label ->
                namespaces
                    .indexer()
                    .byIndex(BY_LABEL, Annotations.REV_LABEL + "=" + label)
                    .stream())
        .map(n -> n.getMetadata().getName())
        .filter(n -> !started.contains(n))
        .distinct()
        .sorted()
        .limit(limit)
        .toList();
  }

  /** The {@code istio.io/rev} values that select {@code revision}: itself and its tags. */
  private static Set<String> labelsOf(String revision, Map<String, Observed.TagWebhook> tags) {
    Set<String> labels = new HashSet<>();
    labels.add(revision);
    tags.forEach(
        (tag, webhook) -> {
          if (revision.equals(webhook.revision())) {
            labels.add(tag);
          }
        });
    return labels;
  }

  @Override
  public void release(String migration) {
    inFlight.release(migration);
  }

  /**
   * Namespaces with every label of {@code selector}, from the label index: as many lookups as the
   * selector has labels, whatever the number of namespaces.
   */
  private List<String> selected(Map<String, String> selector) {
    List<GenericKubernetesResource> candidates = null;
    for (Map.Entry<String, String> label : selector.entrySet()) {
      List<GenericKubernetesResource> matching =
          namespaces.indexer().byIndex(BY_LABEL, label.getKey() + "=" + label.getValue());
      if (candidates == null || matching.size() < candidates.size()) {
        candidates = matching;
      }
    }
    return candidates.stream()
        .filter(n -> labels(n.getMetadata()).entrySet().containsAll(selector.entrySet()))
        .map(n -> n.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static List<String> labelPairs(GenericKubernetesResource namespace) {
    return labels(namespace.getMetadata()).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .toList();
  }

  /**
   * Facts of one namespace; workloads and proxies only while it is in flight (the machine reads
   * them for no other namespace).
   */
  private Observed.NamespaceFacts facts(
      String migration,
      String ns,
      String restartId,
      MigrationSpec.Restart policy,
      SidecarGoal goal) {
    GenericKubernetesResource namespace = namespaces.get(ns);
    if (namespace == null) {
      return Observed.NamespaceFacts.ABSENT;
    }
    boolean flipped =
        migration.equals(annotations(namespace.getMetadata()).get(Annotations.MIGRATION));
    NamespaceView view = view(ns, policy, goal);
    int restarted = 0;
    int rolledOut = 0;
    boolean failed = false;
    for (NamespaceView.Workload w : view.workloads) {
      if (restartId != null && restartId.equals(w.restartId())) {
        restarted++;
        rolledOut += w.state() == Rollouts.State.COMPLETE ? 1 : 0;
        failed |= w.state() == Rollouts.State.FAILED;
      }
      if (w.evictable().isEmpty()) {
        evictions.done(w);
      }
    }
    List<Obstacle> obstacles = new ArrayList<>(view.obstacles);
    obstacles.addAll(evictions.refused(ns, List.copyOf(view.stale.values())));
    return new Observed.NamespaceFacts(
        true,
        flipped,
        view.workloads.size(),
        restarted,
        rolledOut,
        failed,
        view.proxies,
        view.jobProxies,
        view.unmanaged,
        obstacles);
  }

  /** The namespace as the restart sees it; empty when it is not watched (not in flight). */
  NamespaceView view(String ns, MigrationSpec.Restart policy, SidecarGoal goal) {
    NamespaceWatch watch = inFlight.get(ns);
    if (watch == null) {
      return NamespaceView.empty();
    }
    List<GenericKubernetesResource> rollouts =
        policy.kinds().contains(WorkloadKind.Rollout) ? watch.rollouts().list() : List.of();
    return NamespaceView.of(watch, rollouts, policy, goal);
  }

  /**
   * Whether the workload got this restart: its template in the cache says so, or this process
   * patched it a moment ago and the cache has not caught up yet (patching again would start a
   * second rollout).
   */
  private boolean carries(NamespaceView.Workload w, String restartId) {
    if (restartId.equals(w.restartId())) {
      restartsInFlight.remove(w.key(), restartId);
      return true;
    }
    return restartId.equals(restartsInFlight.get(w.key()));
  }

  /** Sidecars by revision, pods of Jobs left out (as istioctl reads a sidecar's revision). */
  Map<String, Integer> census(String ns) {
    return view(ns, MigrationSpec.Restart.DEFAULT, SidecarGoal.onto("")).proxies;
  }

  static String sidecarRevision(GenericKubernetesResource pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return null;
    }
    String phase = MetadataOnly.podPhase(pod);
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return null;
    }
    Map<String, String> annotations = annotations(pod.getMetadata());
    String revision = annotations.get(Annotations.REV_LABEL);
    if (revision != null && !revision.isBlank()) {
      return revision;
    }
    String status = annotations.get(Annotations.SIDECAR_STATUS);
    if (status == null) {
      return null;
    }
    try {
      JsonNode parsed = JSON.readTree(status);
      String fromStatus = parsed.path("revision").asText("");
      return fromStatus.isEmpty() ? "default" : fromStatus;
    } catch (JsonProcessingException e) {
      LOG.warn(
          "pod {}/{} has an unreadable {} annotation: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          Annotations.SIDECAR_STATUS,
          e.getOriginalMessage());
      return null;
    }
  }

  /**
   * istiod of the revision Available in the control-plane namespace; for the target also its
   * webhook.
   */
  boolean revisionAvailable(String revision, boolean needsWebhook) {
    boolean istiod =
        istiods.list().stream()
            .filter(d -> revision.equals(labels(d.getMetadata()).get(Annotations.REV_LABEL)))
            .filter(d -> "istiod".equals(labels(d.getMetadata()).get("app")))
            .anyMatch(KubeCluster::serving);
    if (!istiod || !needsWebhook) {
      return istiod;
    }
    return injectorWebhook(revision).isPresent();
  }

  /** The revision's own injector webhook: labelled with it, and not a tag's. */
  private Optional<MutatingWebhookConfiguration> injectorWebhook(String revision) {
    return webhooks.list().stream()
        .filter(w -> revision.equals(labels(w.getMetadata()).get(Annotations.REV_LABEL)))
        .filter(w -> !labels(w.getMetadata()).containsKey(Annotations.TAG_LABEL))
        .filter(w -> w.getWebhooks() != null && !w.getWebhooks().isEmpty())
        .min(Comparator.comparing(w -> w.getMetadata().getName()));
  }

  /**
   * Available with at least one available pod: a Deployment scaled to zero reports Available (it
   * has all the replicas it wants), but an istiod without a pod serves no proxy.
   */
  private static boolean serving(Deployment d) {
    return d.getStatus() != null
        && d.getStatus().getAvailableReplicas() != null
        && d.getStatus().getAvailableReplicas() > 0
        && d.getStatus().getConditions() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Namespaces labelled for, or running proxies of, {@code fromRevision}: the namespaces from the
   * cache, the proxies from a list of every pod's metadata, page by page (asked for once, when a
   * migration succeeds: no cache holds every pod).
   */
  @Override
  public Set<String> oldRevisionInUse(String fromRevision) {
    Set<String> inUse = new HashSet<>();
    Set<String> selecting = labelsOf(fromRevision, tags());
    for (GenericKubernetesResource n : namespaces.list()) {
      if (selecting.contains(labels(n.getMetadata()).get(Annotations.REV_LABEL))) {
        inUse.add(n.getMetadata().getName());
      }
    }
    String page = null;
    do {
      GenericKubernetesResourceList pods =
          metadata
              .genericKubernetesResources(MetadataOnly.PODS)
              .inAnyNamespace()
              .list(
                  new ListOptionsBuilder()
                      .withLimit(NamespaceWatch.PAGE)
                      .withContinue(page)
                      .withFieldSelector("status.phase!=Succeeded,status.phase!=Failed")
                      .build());
      for (GenericKubernetesResource pod : pods.getItems()) {
        if (fromRevision.equals(sidecarRevision(pod))) {
          inUse.add(pod.getMetadata().getNamespace());
        }
      }
      page = pods.getMetadata() == null ? null : pods.getMetadata().getContinue();
    } while (page != null && !page.isEmpty());
    return inUse;
  }

  // ---- writing ---------------------------------------------------------------------------

  @Override
  public void flip(String migration, String ns, String toRevision) {
    GenericKubernetesResource namespace = namespaces.get(ns);
    if (namespace == null) {
      throw new IllegalStateException("namespace " + ns + " does not exist");
    }
    Map<String, String> labels = labels(namespace.getMetadata());
    Map<String, String> previous = new LinkedHashMap<>();
    previous.put(Annotations.REV_LABEL, labels.get(Annotations.REV_LABEL));
    previous.put(Annotations.INJECTION_LABEL, labels.get(Annotations.INJECTION_LABEL));
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    ObjectNode labelPatch = metadata.putObject("labels");
    labelPatch.put(Annotations.REV_LABEL, toRevision);
    // any istio-injection value, even "disabled", overrides istio.io/rev
    labelPatch.putNull(Annotations.INJECTION_LABEL);
    ObjectNode annotationPatch = metadata.putObject("annotations");
    annotationPatch.put(Annotations.MIGRATION, migration);
    annotationPatch.put(Annotations.PREVIOUS_LABELS, json(previous));
    Refusals.refusedAs(
        "flip",
        "patch",
        "namespaces",
        ns,
        () ->
            client
                .namespaces()
                .withName(ns)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    LOG.info(
        "flipped {}={} (previous labels {})", Annotations.REV_LABEL, toRevision, json(previous));
    hook.afterWrite("patch", "namespaces", ns);
  }

  @Override
  public void moveTag(String migration, String tag, String revision, String previousRevision) {
    String name = Annotations.TAG_WEBHOOK_PREFIX + tag;
    MutatingWebhookConfiguration current =
        webhooks.list().stream()
            .filter(w -> w.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("tag " + tag + " has no webhook " + name));
    MutatingWebhookConfiguration injector =
        injectorWebhook(revision)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "revision "
                            + revision
                            + " has no injector webhook to point tag "
                            + tag
                            + " at"));
    // istioctl points every webhook of the tag at the revision's injector; the selectors,
    // which name the tag, stay
    WebhookClientConfig target = injector.getWebhooks().get(0).getClientConfig();
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.putObject("labels").put(Annotations.REV_LABEL, revision);
    ObjectNode annotationPatch = metadata.putObject("annotations");
    annotationPatch.put(Annotations.MIGRATION, migration);
    annotationPatch.put(Annotations.PREVIOUS_REVISION, previousRevision);
    ArrayNode webhookPatch = patch.putArray("webhooks");
    for (MutatingWebhook w : current.getWebhooks()) {
      ObjectNode moved = JSON.valueToTree(w);
      moved.set("clientConfig", JSON.valueToTree(target));
      webhookPatch.add(moved);
    }
    Refusals.refusedAs(
        "tag",
        "patch",
        "mutatingwebhookconfigurations",
        name,
        () ->
            client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    LOG.info(
        "moved tag {} to {} (was on {}; webhooks now call {})",
        tag,
        revision,
        labels(current.getMetadata()).get(Annotations.REV_LABEL),
        injector.getMetadata().getName());
    hook.afterWrite("patch", "mutatingwebhookconfigurations", name);
  }

  @Override
  public void restoreLabels(String ns) {
    GenericKubernetesResource namespace = namespaces.get(ns);
    if (namespace == null) {
      throw new IllegalStateException("namespace " + ns + " does not exist");
    }
    String recorded = annotations(namespace.getMetadata()).get(Annotations.PREVIOUS_LABELS);
    if (recorded == null) {
      throw new IllegalStateException(
          "namespace "
              + ns
              + " has no "
              + Annotations.PREVIOUS_LABELS
              + " annotation; cannot restore its labels");
    }
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    ObjectNode labelPatch = metadata.putObject("labels");
    try {
      JsonNode previous = JSON.readTree(recorded);
      for (String key : List.of(Annotations.REV_LABEL, Annotations.INJECTION_LABEL)) {
        JsonNode value = previous.path(key);
        if (value.isTextual()) {
          labelPatch.put(key, value.asText());
        } else {
          labelPatch.putNull(key);
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "namespace "
              + ns
              + " has an unreadable "
              + Annotations.PREVIOUS_LABELS
              + " annotation: "
              + recorded,
          e);
    }
    ObjectNode annotationPatch = metadata.putObject("annotations");
    annotationPatch.putNull(Annotations.MIGRATION);
    annotationPatch.putNull(Annotations.PREVIOUS_LABELS);
    Refusals.refusedAs(
        "restore",
        "patch",
        "namespaces",
        ns,
        () ->
            client
                .namespaces()
                .withName(ns)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    LOG.info("restored labels {}", recorded);
    hook.afterWrite("patch", "namespaces", ns);
  }

  /**
   * Restarts the workloads not yet carrying {@code restartId}, at most {@code maxConcurrent} in
   * progress at once; then replaces, one pod per workload at a time, the stale pods of the
   * workloads whose controller will not (OnDelete, a partition with {@code partitioned: Evict}),
   * and with {@code evictUnmanaged} the stale pods no workload owns, within the same budget.
   */
  @Override
  public void restart(
      String migration,
      String ns,
      String restartId,
      SidecarGoal goal,
      MigrationSpec.Restart policy) {
    inFlight.add(migration, ns);
    NamespaceView view = view(ns, policy, goal);
    long inProgress =
        view.workloads.stream()
            .filter(w -> carries(w, restartId))
            .filter(w -> !restartId.equals(w.restartId()) || w.state() != Rollouts.State.COMPLETE)
            .count();
    long budget = policy.maxConcurrent() - inProgress;
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    for (NamespaceView.Workload w : view.workloads) {
      if (budget <= 0) {
        break;
      }
      if (carries(w, restartId)) {
        continue;
      }
      patchRestart(w, restartId, now);
      restartsInFlight.put(w.key(), restartId);
      budget--;
    }
    List<GenericKubernetesResource> pods = inFlight.get(ns).pods.list();
    for (NamespaceView.Workload w : view.workloads) {
      // a workload's own pods are replaced only once its template carries the restart
      if (!w.evictable().isEmpty()
          && restartId.equals(w.restartId())
          && evictions.mayEvictNext(w, pods)) {
        Refusals.refusedAs(
            "evict",
            "create",
            "pods/eviction",
            ns + "/" + w.evictable().get(0),
            () -> evictions.evict(w, view.stale.get(w.evictable().get(0))));
      }
    }
    if (policy.evictUnmanaged()) {
      for (String name : view.unmanaged) {
        if (budget <= 0) {
          return;
        }
        if (Refusals.refusedAs(
            "evict",
            "create",
            "pods/eviction",
            ns + "/" + name,
            () -> evictions.evict(null, view.stale.get(name)))) {
          budget--;
        }
      }
    }
  }

  /** {@code kubectl rollout restart}, or for an Argo Rollout its own {@code spec.restartAt}. */
  private void patchRestart(NamespaceView.Workload w, String restartId, String now) {
    String ns = w.namespace();
    ObjectNode body = JSON.createObjectNode();
    if (w.kind() == WorkloadKind.Rollout) {
      // the marker on the object, not the template: a template change is a new canary
      body.putObject("metadata").putObject("annotations").put(Annotations.RESTART_ID, restartId);
      body.putObject("spec").put("restartAt", now);
    } else {
      body.putObject("spec")
          .putObject("template")
          .putObject("metadata")
          .putObject("annotations")
          .put(Annotations.RESTARTED_AT, now)
          .put(Annotations.RESTART_ID, restartId);
    }
    String patch = body.toString();
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    String resource = w.kind().resource();
    Refusals.refusedAs(
        "restart",
        "patch",
        resource,
        ns + "/" + w.name(),
        () ->
            switch (w.kind()) {
              case Deployment ->
                  client
                      .apps()
                      .deployments()
                      .inNamespace(ns)
                      .withName(w.name())
                      .patch(merge, patch);
              case StatefulSet ->
                  client
                      .apps()
                      .statefulSets()
                      .inNamespace(ns)
                      .withName(w.name())
                      .patch(merge, patch);
              case DaemonSet ->
                  client.apps().daemonSets().inNamespace(ns).withName(w.name()).patch(merge, patch);
              case Rollout ->
                  client
                      .genericKubernetesResources(NamespaceWatch.ROLLOUTS)
                      .inNamespace(ns)
                      .withName(w.name())
                      .patch(merge, patch);
            });
    LOG.info("restarted {}/{} (restart-id {})", w.kind(), w.name(), restartId);
    hook.afterWrite("patch", resource, ns + "/" + w.name());
  }

  @Override
  public void recordEvent(MigrationRef migration, Decision.Transition t) {
    event(
        migration,
        t.to().needsAttention(),
        t.reason().token(),
        (t.namespace() == null ? "" : "namespace " + t.namespace() + ": ")
            + t.from()
            + " -> "
            + t.to()
            + ": "
            + t.message());
  }

  @Override
  public void warn(MigrationRef migration, Reason reason, String message) {
    event(migration, true, reason.token(), message);
  }

  private void event(MigrationRef migration, boolean warning, String reason, String message) {
    Instant now = clock.instant();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(migration.name() + "." + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(EVENTS_NAMESPACE)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion("meshgate.io/v1alpha1")
            .withKind("RevisionMigration")
            .withName(migration.name())
            .withUid(migration.uid())
            .endInvolvedObject()
            .withReason(reason)
            .withMessage(message)
            .withType(warning ? "Warning" : "Normal")
            .withFirstTimestamp(now.toString())
            .withLastTimestamp(now.toString())
            .withCount(1)
            .withNewSource()
            .withComponent("meshgate")
            .endSource()
            .build();
    Refusals.refusedAs(
        "event",
        "create",
        "events",
        EVENTS_NAMESPACE + "/" + event.getMetadata().getName(),
        () -> client.v1().events().inNamespace(EVENTS_NAMESPACE).resource(event).create());
    hook.afterWrite("create", "events", event.getMetadata().getName());
  }

  private static Map<String, String> labels(ObjectMeta meta) {
    return meta.getLabels() == null ? Map.of() : meta.getLabels();
  }

  private static Map<String, String> annotations(ObjectMeta meta) {
    return meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

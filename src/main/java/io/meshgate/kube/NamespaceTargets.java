package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshgate.controller.ObservePort;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Resolution;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The migration's targets observed: namespaces here, gateways through {@link GatewayTargets}, the
 * nodes of ztunnel waves through {@link ZtunnelNodes}. Namespaces as migration targets, which ones
 * a migration's waves name or select, and for each its labels, workloads, rollouts and proxies,
 * with the revisions and tags around them. Everything from informer caches; the workloads and pods
 * of a namespace only while it is in flight, when {@link InFlightWatches} watches them.
 *
 * <pre>{@code
 * Observed facts = targets.observe("istio-1-20", spec, status);
 * }</pre>
 */
final class NamespaceTargets implements ObservePort {
  private final NamespaceIndex namespaces;
  private final Revisions revisions;
  private final RevisionTags tags;
  private final InFlightWatches inFlight;
  private final Evictions evictions;
  private final ProxyCensus census;
  private final GatewayTargets gateways;
  private final ProxyImages images;
  private final SailOperator sail;
  private final ZtunnelNodes ztunnel;

  NamespaceTargets(
      NamespaceIndex namespaces,
      Revisions revisions,
      RevisionTags tags,
      InFlightWatches inFlight,
      Evictions evictions,
      ProxyCensus census,
      GatewayTargets gateways,
      ProxyImages images,
      SailOperator sail,
      ZtunnelNodes ztunnel) {
    this.namespaces = namespaces;
    this.ztunnel = ztunnel;
    this.images = images;
    this.sail = sail;
    this.gateways = gateways;
    this.revisions = revisions;
    this.tags = tags;
    this.inFlight = inFlight;
    this.evictions = evictions;
    this.census = census;
  }

  @Override
  public Observed observe(String migration, MigrationSpec spec, MigrationStatus status) {
    Map<String, List<String>> selected = new HashMap<>();
    for (MigrationSpec.Wave wave : spec.waves()) {
      if (!wave.selector().isEmpty()) {
        selected.put(wave.name(), namespaces.selected(wave.selector()));
      }
    }
    Set<String> members = new HashSet<>();
    spec.waves().forEach(w -> members.addAll(w.namespaces()));
    selected.values().forEach(members::addAll);
    status.namespaces().forEach(n -> members.add(n.name()));
    GatewayApi.Discovery discovery = gateways.discovery();
    Map<String, List<GatewayRef>> selectedGateways = gateways.selected(spec, discovery);
    Set<String> watched =
        status.namespaces().stream()
            .filter(n -> n.phase().isInFlight())
            .map(TargetStatus::name)
            .collect(Collectors.toSet());
    watched.addAll(GatewayTargets.namespaces(spec, status, selectedGateways));
    watch(migration, watched);
    Map<String, Observed.TagWebhook> tagWebhooks = tags.all();
    Resolution resolved = Resolution.of(spec, status, tagWebhooks);
    Map<String, Observed.TargetFacts> facts = new HashMap<>();
    Set<String> followingTag = new HashSet<>();
    // an in-place upgrade counts proxies by the image toRevision injects now
    Observed.ProxyImage targetImage = spec.restartMode() ? images.of(resolved.to()) : null;
    for (String ns : members) {
      Optional<TargetStatus> recorded = status.namespace(ns);
      String restartId = recorded.map(TargetStatus::restartId).orElse(null);
      SidecarGoal goal =
          targetImage != null
              ? SidecarGoal.ontoImage(targetImage.image())
              : SidecarGoal.of(
                  recorded.map(TargetStatus::phase).orElse(TargetPhase.Pending), resolved.to());
      facts.put(ns, facts(migration, ns, restartId, spec.restart(), goal));
      if (spec.tagMode() && RevisionTags.follows(namespaces.get(ns), spec.tag().name())) {
        followingTag.add(ns);
      }
    }
    return new Observed(
        available(resolved.to(), true),
        available(resolved.from(), false),
        selected,
        facts,
        null,
        tagWebhooks,
        followingTag,
        selectedGateways,
        gateways.facts(migration, spec, status, selectedGateways, resolved.to(), discovery),
        targetImage,
        sail.facts(resolved.from(), resolved.to()),
        ztunnel.observe(migration, spec, status));
  }

  /**
   * istiod Available (and for the target its injector webhook), and where the revision is a Sail
   * IstioRevision, that one Ready (DESIGN.md section 12).
   */
  private boolean available(String revision, boolean needsWebhook) {
    return revisions.available(revision, needsWebhook) && sail.revisionReady(revision).orElse(true);
  }

  /** Watches the workloads and pods of exactly these namespaces for {@code migration}. */
  void watch(String migration, Set<String> inFlightNamespaces) {
    inFlight.need(migration, inFlightNamespaces);
  }

  @Override
  public List<String> cohort(MigrationSpec spec, MigrationStatus status, int limit) {
    Set<String> started =
        status.namespaces().stream()
            .filter(n -> n.phase() != TargetPhase.Pending)
            .map(TargetStatus::name)
            .collect(Collectors.toSet());
    Map<String, Observed.TagWebhook> tagWebhooks = tags.all();
    Set<String> labels =
        RevisionTags.labelsOf(Resolution.of(spec, status, tagWebhooks).from(), tagWebhooks);
    if (spec.tagMode()) {
      labels.add(spec.tag().name());
    }
    return labels.stream()
        .flatMap(label -> namespaces.labelled(Annotations.REV_LABEL, label).stream())
        .map(n -> n.getMetadata().getName())
        .filter(n -> !started.contains(n))
        .distinct()
        .sorted()
        .limit(limit)
        .toList();
  }

  @Override
  public void release(String migration) {
    inFlight.release(migration);
  }

  /**
   * Namespaces labelled for, or running proxies of, {@code fromRevision}: the namespaces from the
   * cache, the proxies from the census of every pod.
   */
  @Override
  public Set<String> oldRevisionInUse(String fromRevision) {
    Set<String> inUse = new HashSet<>();
    Set<String> selecting = RevisionTags.labelsOf(fromRevision, tags.all());
    for (GenericKubernetesResource n : namespaces.list()) {
      if (selecting.contains(Meta.labels(n.getMetadata()).get(Annotations.REV_LABEL))) {
        inUse.add(n.getMetadata().getName());
      }
    }
    inUse.addAll(census.namespacesRunning(fromRevision));
    return inUse;
  }

  /**
   * Facts of one namespace; workloads and proxies only while it is in flight (the machine reads
   * them for no other namespace).
   */
  private Observed.TargetFacts facts(
      String migration,
      String ns,
      String restartId,
      MigrationSpec.Restart policy,
      SidecarGoal goal) {
    GenericKubernetesResource namespace = namespaces.get(ns);
    if (namespace == null) {
      return Observed.TargetFacts.ABSENT;
    }
    boolean flipped =
        migration.equals(Meta.annotations(namespace.getMetadata()).get(Annotations.MIGRATION));
    NamespaceView view = inFlight.view(ns, policy, goal);
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
    return new Observed.TargetFacts(
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
}

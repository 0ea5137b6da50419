package io.meshgate.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.controller.ClusterPorts;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.WriteHook;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The cluster as the controller sees it, through fabric8: builds the adapters behind the
 * controller's ports, starts the informers they read from, and closes them. Reads come from
 * informer caches (an idle tick sends no request); writes are RFC 7386 JSON merge patches that are
 * safe to repeat.
 *
 * <ul>
 *   <li>{@link NamespaceTargets}: observing namespaces and their workloads ({@link
 *       io.meshgate.controller.ObservePort});
 *   <li>{@link NamespaceLabels}: flip and restore ({@link io.meshgate.controller.LabelPort});
 *   <li>{@link RevisionTags}: tags read and moved ({@link io.meshgate.controller.TagPort});
 *   <li>{@link Restarts}: restarts and evictions ({@link io.meshgate.controller.RestartPort});
 *   <li>{@link NodeDrains}: cordons, drains and ztunnel pods of ztunnel waves ({@link
 *       io.meshgate.controller.NodePort}), read by {@link ZtunnelNodes};
 *   <li>{@link MigrationEvents}: Kubernetes Events ({@link io.meshgate.controller.EventPort});
 *   <li>{@link Revisions}, {@link ProxyCensus}, {@link NamespaceIndex}, {@link InFlightWatches},
 *       {@link ProxyImages}: what they read.
 * </ul>
 *
 * <pre>{@code
 * KubeCluster cluster = KubeCluster.start(client, "istio-system", Clock.systemUTC(), WriteHook.NONE);
 * Observed facts = cluster.ports().observer().observe("istio-1-20", spec, status);
 * }</pre>
 */
public final class KubeCluster implements AutoCloseable {
  /**
   * How often the daemon's client retries a request the API server answered with a 5xx or not at
   * all (fabric8's default is 10, with a backoff doubling from 100 ms: one request of a tick could
   * then block for minutes while etcd is down, and with it the tick and the daemon's shutdown).
   * Every action is idempotent and re-derived on the next tick, so the controller loses nothing by
   * giving up early.
   */
  public static final int REQUEST_RETRIES = 2;

  private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(60);
  private static final ListOptions ONE = new ListOptionsBuilder().withLimit(1L).build();

  private final KubernetesClient client;
  private final KubernetesClient metadata;
  private final NamespaceIndex namespaces;
  private final Revisions revisions;
  private final SailOperator sail;
  private final InFlightWatches inFlight;
  private final Evictions evictions;
  private final ProxyCensus census;
  private final NamespaceTargets targets;
  private final ProxyImages images;
  private final ClusterPorts ports;

  private KubeCluster(
      KubernetesClient client, String controlPlaneNamespace, Clock clock, WriteHook hook) {
    this.client = client;
    this.metadata = MetadataOnly.client(client);
    this.namespaces = new NamespaceIndex(metadata);
    this.revisions = new Revisions(client, controlPlaneNamespace);
    this.sail = new SailOperator(client, metadata);
    this.inFlight = new InFlightWatches(client, metadata, STARTUP_DEADLINE);
    this.evictions = new Evictions(client, hook);
    this.census = new ProxyCensus(metadata, inFlight);
    RevisionTags tags = new RevisionTags(client, hook, revisions, sail);
    GatewayApi gatewayApi = new GatewayApi(client);
    this.images = new ProxyImages(client, controlPlaneNamespace, revisions, STARTUP_DEADLINE);
    this.targets =
        new NamespaceTargets(
            namespaces,
            revisions,
            tags,
            inFlight,
            evictions,
            census,
            new GatewayTargets(client, namespaces, inFlight, gatewayApi),
            images,
            sail,
            new ZtunnelNodes(client, name -> namespaceLabels(client, name)));
    this.ports =
        new ClusterPorts(
            targets,
            new NamespaceLabels(client, hook, namespaces),
            tags,
            new Restarts(client, clock, hook, inFlight, evictions),
            new GatewayLabels(client, clock, hook, gatewayApi),
            new NodeDrains(client, clock, hook, evictions),
            new MigrationEvents(client, clock, hook));
  }

  /**
   * A pod's namespace's labels for ztunnel's drain: from the cache, else (an informer relisting
   * after a restart of its watch) read from the API server, since a namespace label that makes a
   * pod ambient must not be missed; a namespace gone is one without labels.
   */
  private Map<String, String> namespaceLabels(KubernetesClient client, String name) {
    if (namespaces.get(name) != null) {
      return namespaces.labels(name);
    }
    Namespace live = client.namespaces().withName(name).get();
    return live == null ? Map.of() : Meta.labels(live.getMetadata());
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

  /** What the controller acts on the cluster through. */
  public ClusterPorts ports() {
    return ports;
  }

  /** The observer, for tests that choose what is in flight. */
  NamespaceTargets targets() {
    return targets;
  }

  ProxyCensus census() {
    return census;
  }

  /** Sail Operator's resources, empty where Sail is not installed. */
  SailResources sail() {
    return sail;
  }

  /**
   * {@code sail.autoMigrate} over this cluster's Sail informers: the migrations {@code template}
   * calls for, created while {@code leading}.
   */
  public SailAutoMigrator sailAutoMigrator(
      JsonNode template,
      Supplier<List<MigrationObject>> migrations,
      BooleanSupplier leading,
      Clock clock,
      WriteHook hook) {
    return new SailAutoMigrator(client, sail, migrations, template, leading, clock, hook);
  }

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

  private List<Watched<?>> informers() {
    List<Watched<?>> informers = new ArrayList<>();
    informers.add(namespaces.watched());
    informers.addAll(revisions.informers());
    // Sail's kinds are not among them: they start when their CRDs appear, and without their
    // optional grant a migration that needs them is refused while the daemon stays ready
    informers.add(sail.crds());
    return informers;
  }

  public boolean hasSynced() {
    return informers().stream().allMatch(Watched::hasSynced) && inFlight.hasSynced();
  }

  /** Objects held in informer caches: what the daemon's memory grows with. */
  public int cachedObjects() {
    return informers().stream().mapToInt(w -> w.list().size()).sum()
        + sail.cachedObjects()
        + inFlight.cachedObjects();
  }

  /** The namespaces whose workloads and pods are watched now. */
  public Set<String> watchedNamespaces() {
    return inFlight.watched();
  }

  @Override
  public void close() {
    evictions.close();
    inFlight.close();
    sail.close();
    images.close();
    informers().forEach(Watched::close);
    metadata.close();
  }
}

package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.meshgate.migration.Observed;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sail Operator's resources, watched only where Sail is installed: one metadata-only informer on
 * CustomResourceDefinitions sees Sail's CRDs appear or go (no polling), and each of Sail's kinds
 * gets its informer when its CRD appears, and loses it when the CRD is deleted.
 *
 * <pre>{@code
 * SailOperator sail = new SailOperator(client, MetadataOnly.client(client));
 * Informers.startAll(deadline, List.of(sail.crds().named()));
 * sail.istioRevisions(); // empty until Sail's CRDs are installed
 * }</pre>
 */
final class SailOperator implements SailResources, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SailOperator.class);
  static final String GROUP = "sailoperator.io";
  static final String API_VERSION = GROUP + "/v1";
  static final String GRANT = "deploy/optional/sail-operator-rbac.yaml";

  static final ResourceDefinitionContext CRDS =
      new ResourceDefinitionContext.Builder()
          .withGroup("apiextensions.k8s.io")
          .withVersion("v1")
          .withKind("CustomResourceDefinition")
          .withPlural("customresourcedefinitions")
          .withNamespaced(false)
          .build();

  /** Sail's kinds (all cluster-scoped), as its CRDs name them. */
  enum Kind {
    ISTIO("Istio", "istios"),
    REVISION("IstioRevision", "istiorevisions"),
    TAG("IstioRevisionTag", "istiorevisiontags");

    final String kind;
    final String plural;

    Kind(String kind, String plural) {
      this.kind = kind;
      this.plural = plural;
    }

    String crd() {
      return plural + "." + GROUP;
    }

    ResourceDefinitionContext context() {
      return new ResourceDefinitionContext.Builder()
          .withGroup(GROUP)
          .withVersion("v1")
          .withKind(kind)
          .withPlural(plural)
          .withNamespaced(false)
          .build();
    }

    static Optional<Kind> ofCrd(String name) {
      return Arrays.stream(values()).filter(k -> k.crd().equals(name)).findFirst();
    }
  }

  private final KubernetesClient client;
  private final Watched<GenericKubernetesResource> crds;
  private final Map<Kind, Watched<GenericKubernetesResource>> watched = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * @param metadata a client that reads metadata only ({@link MetadataOnly#client}): a CRD's schema
   *     is large, and only its name matters here
   */
  SailOperator(KubernetesClient client, KubernetesClient metadata) {
    this.client = client;
    this.crds =
        new Watched<>(
            "customresourcedefinitions (metadata)",
            "customresourcedefinitions",
            () ->
                metadata
                    .genericKubernetesResources(CRDS)
                    .withLimit(NamespaceWatch.PAGE)
                    .runnableInformer(0),
            List.of(new CrdHandler()));
  }

  /** The CRD informer, started with the cluster's others; Sail's kinds start from it. */
  Watched<GenericKubernetesResource> crds() {
    return crds;
  }

  /** Whether Sail's CRDs are installed: all three, as every Sail release ships them. */
  boolean installed() {
    return watched.size() == Kind.values().length;
  }

  /** False while an informer of Sail's kinds is not synced (a missing grant among the causes). */
  boolean hasSynced() {
    return crds.hasSynced() && watched.values().stream().allMatch(Watched::hasSynced);
  }

  /** The kinds whose informer does not run synced now: a missing grant, or a start under way. */
  List<Kind> notSynced() {
    return watched.entrySet().stream()
        .filter(e -> !e.getValue().hasSynced())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** Objects in the caches of Sail's kinds (the CRD informer counts among the cluster's). */
  int cachedObjects() {
    return watched.values().stream().mapToInt(w -> w.list().size()).sum();
  }

  @Override
  public List<GenericKubernetesResource> istios() {
    return list(Kind.ISTIO);
  }

  @Override
  public List<GenericKubernetesResource> istioRevisions() {
    return list(Kind.REVISION);
  }

  @Override
  public List<GenericKubernetesResource> istioRevisionTags() {
    return list(Kind.TAG);
  }

  @Override
  public void onIstioChange(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * Whether the IstioRevision {@code name} is Ready; empty when there is no IstioRevision of that
   * name (a revision installed another way, or Sail not installed).
   */
  Optional<Boolean> revisionReady(String name) {
    return revision(name).map(r -> "True".equals(conditionStatus(r, "Ready")));
  }

  /**
   * What Sail says of the migration's revisions; {@link Observed.Sail#NONE} where Sail is not
   * installed.
   */
  Observed.Sail facts(String from, String to) {
    if (watched.isEmpty()) {
      return Observed.Sail.NONE;
    }
    List<Kind> notSynced = notSynced();
    if (!installed() || !notSynced.isEmpty()) {
      return new Observed.Sail(null, null, unreadable(notSynced));
    }
    return new Observed.Sail(sailRevision(from), sailRevision(to), null);
  }

  private String unreadable(List<Kind> notSynced) {
    if (!installed()) {
      return "some of Sail Operator's CRDs are installed, not all three ("
          + String.join(", ", watched.keySet().stream().sorted().map(Kind::crd).toList())
          + "); meshgate waits until Sail's installation is complete";
    }
    return "Sail Operator is installed, but meshgate cannot read its "
        + String.join(", ", notSynced.stream().map(k -> k.plural).toList())
        + " (not synced; the API server refuses to list them without the grant "
        + GRANT
        + "): kubectl apply -f "
        + GRANT;
  }

  /** The IstioRevision {@code name} with what its owning Istio says, or null when there is none. */
  private Observed.SailRevision sailRevision(String name) {
    GenericKubernetesResource revision = revision(name).orElse(null);
    if (revision == null) {
      return null;
    }
    String owner =
        revision.getMetadata().getOwnerReferences().stream()
            .filter(
                o -> Kind.ISTIO.kind.equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))
            .map(o -> o.getName())
            .findFirst()
            .orElse(null);
    GenericKubernetesResource istio =
        owner == null
            ? null
            : istios().stream()
                .filter(i -> owner.equals(i.getMetadata().getName()))
                .findFirst()
                .orElse(null);
    if (istio == null) {
      return new Observed.SailRevision(
          null, false, Observed.SailRevision.DEFAULT_GRACE_PERIOD_SECONDS, false);
    }
    Object grace =
        field(istio, "spec", "updateStrategy", "inactiveRevisionDeletionGracePeriodSeconds");
    return new Observed.SailRevision(
        owner,
        name.equals(field(istio, "status", "activeRevisionName")),
        grace instanceof Number n
            ? n.longValue()
            : Observed.SailRevision.DEFAULT_GRACE_PERIOD_SECONDS,
        Boolean.TRUE.equals(field(istio, "spec", "updateStrategy", "updateWorkloads")));
  }

  private Optional<GenericKubernetesResource> revision(String name) {
    return istioRevisions().stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst();
  }

  /** The IstioRevisionTag {@code name}, if Sail renders that tag. */
  Optional<GenericKubernetesResource> tag(String name) {
    return istioRevisionTags().stream()
        .filter(t -> t.getMetadata().getName().equals(name))
        .findFirst();
  }

  /** An IstioRevisionTag's {@code spec.targetRef}. */
  static Observed.SailTag targetRef(GenericKubernetesResource tag) {
    return new Observed.SailTag(
        (String) field(tag, "spec", "targetRef", "kind"),
        (String) field(tag, "spec", "targetRef", "name"));
  }

  static Object field(GenericKubernetesResource object, String... path) {
    Object at = object.getAdditionalProperties();
    for (String key : path) {
      if (!(at instanceof Map<?, ?> map)) {
        return null;
      }
      at = map.get(key);
    }
    return at;
  }

  private static String conditionStatus(GenericKubernetesResource object, String type) {
    if (field(object, "status", "conditions") instanceof List<?> conditions) {
      for (Object c : conditions) {
        if (c instanceof Map<?, ?> condition && type.equals(condition.get("type"))) {
          return (String) condition.get("status");
        }
      }
    }
    return null;
  }

  private List<GenericKubernetesResource> list(Kind kind) {
    Watched<GenericKubernetesResource> informer = watched.get(kind);
    return informer == null ? List.of() : informer.list();
  }

  private void appeared(Kind kind) {
    if (closed || watched.containsKey(kind)) {
      return;
    }
    watched.computeIfAbsent(
        kind,
        k -> {
          Watched<GenericKubernetesResource> informer =
              new Watched<>(
                  k.plural + "." + GROUP,
                  k.plural,
                  () -> client.genericKubernetesResources(k.context()).runnableInformer(0),
                  k == Kind.TAG ? List.of() : List.of(new IstioHandler()));
          LOG.info("Sail Operator's CRD {} is installed; watching {}", k.crd(), k.kind);
          informer.start();
          return informer;
        });
    if (kind == Kind.ISTIO) {
      notifyListeners();
    }
  }

  private void removed(Kind kind) {
    Watched<GenericKubernetesResource> informer = watched.remove(kind);
    if (informer != null) {
      LOG.info("Sail Operator's CRD {} is gone; no longer watching {}", kind.crd(), kind.kind);
      informer.close();
    }
  }

  private void notifyListeners() {
    listeners.forEach(Runnable::run);
  }

  @Override
  public void close() {
    closed = true;
    crds.close();
    watched.values().forEach(Watched::close);
    watched.clear();
  }

  private final class CrdHandler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource crd) {
      Kind.ofCrd(crd.getMetadata().getName()).ifPresent(SailOperator.this::appeared);
    }

    @Override
    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource crd) {
      onAdd(crd);
    }

    @Override
    public void onDelete(GenericKubernetesResource crd, boolean deletedFinalStateUnknown) {
      Kind.ofCrd(crd.getMetadata().getName()).ifPresent(SailOperator.this::removed);
    }
  }

  /**
   * Istios and IstioRevisions: what an Istio's revisions are follows from both (Sail creates the
   * new IstioRevision, then names it active; either may reach this cache first).
   */
  private final class IstioHandler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource istio) {
      notifyListeners();
    }

    @Override
    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource istio) {
      notifyListeners();
    }

    @Override
    public void onDelete(GenericKubernetesResource istio, boolean deletedFinalStateUnknown) {
      // a deleted Istio has no active revision to follow
    }
  }
}

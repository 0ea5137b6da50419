package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for the Sail Operator (github istio-ecosystem/sail-operator, whose Go module is not
 * served here, so it cannot be built) on a {@link RealMesh}: our CRDs of its kinds ({@code
 * src/test/resources/sail/}, after {@code api/v1/istio_types.go}, {@code istiorevision_types.go},
 * {@code istiorevisiontags_types.go}) and a small controller doing what Sail documents and its
 * source does, with the admin client:
 *
 * <ul>
 *   <li>an Istio gets its IstioRevision with a controller ownerReference, named {@code <istio
 *       name>-<version, dots as dashes>} for {@code RevisionBased} and like the Istio for {@code
 *       InPlace} (whose revision's version follows the Istio's), and {@code
 *       status.activeRevisionName} ({@code controllers/istio/istio_controller.go});
 *   <li>an IstioRevision is {@code Ready} when the istiod Deployment of its revision is Available
 *       (the tests install istiod themselves, {@link IstioControlPlane}, with revision names equal
 *       to IstioRevision names), and {@code InUse} when a namespace label ({@code istio.io/rev}
 *       naming it or a tag pointing at it; {@code istio-injection=enabled} for the tag {@code
 *       default}), a pod label or a pod's {@code istio.io/rev} annotation references it ({@code
 *       pkg/revision/references.go});
 *   <li>an IstioRevision that is not its Istio's active one and whose {@code InUse} has not been
 *       True for {@code spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds} (default
 *       30) is deleted ({@code pkg/revision/prune.go}); with it go its istiod Deployment and
 *       injector webhook, which in Sail its Helm release owns;
 *   <li>IstioRevisionTags: {@link SailOperatorTags}.
 * </ul>
 *
 * Every change of a watched object reconciles everything on one thread; a timer does so each second
 * too, for pruning at the end of a grace period (Sail requeues for that moment).
 *
 * <pre>{@code
 * SailOperator sail = SailOperator.start(mesh);
 * sail.istio("default", "v1.26.0", "RevisionBased", 60L);
 * }</pre>
 */
public final class SailOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SailOperator.class);
  static final String API_VERSION = "sailoperator.io/v1";
  public static final ResourceDefinitionContext ISTIOS = context("Istio", "istios");
  public static final ResourceDefinitionContext REVISIONS =
      context("IstioRevision", "istiorevisions");
  public static final ResourceDefinitionContext TAGS =
      context("IstioRevisionTag", "istiorevisiontags");
  private static final List<String> CRDS =
      List.of("istios.yaml", "istiorevisions.yaml", "istiorevisiontags.yaml");

  final KubernetesClient admin;
  private final Clock clock;
  private final SailOperatorTags tags;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sail-stand-in"));
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean watching;
  private SharedIndexInformer<GenericKubernetesResource> istios;
  private SharedIndexInformer<GenericKubernetesResource> revisions;
  private SharedIndexInformer<GenericKubernetesResource> tagInformer;
  private SharedIndexInformer<io.fabric8.kubernetes.api.model.Namespace> namespaces;
  private SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods;
  private SharedIndexInformer<Deployment> istiods;

  private SailOperator(RealMesh mesh, Clock clock) {
    this.admin = mesh.admin();
    this.clock = clock;
    this.tags = new SailOperatorTags(this, mesh.istio);
  }

  /** Installs Sail's CRDs and starts the controller. */
  public static SailOperator start(RealMesh mesh) {
    SailOperator sail = new SailOperator(mesh, Clock.systemUTC());
    installCrds(mesh.admin());
    sail.watch();
    sail.loop.scheduleWithFixedDelay(sail::trigger, 1, 1, TimeUnit.SECONDS);
    return sail;
  }

  /** Sail's CRDs, as its installation applies them (the stand-in's controller not started). */
  public static void installCrds(KubernetesClient admin) {
    for (String file : CRDS) {
      try (InputStream in = SailOperator.class.getResourceAsStream("/sail/" + file)) {
        admin
            .load(in)
            .items()
            .forEach(crd -> admin.resource(crd).forceConflicts().serverSideApply());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String file : CRDS) {
      String name = file.replace(".yaml", ".sailoperator.io");
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(name)
          .waitUntilCondition(
              crd ->
                  crd != null
                      && crd.getStatus() != null
                      && crd.getStatus().getConditions().stream()
                          .anyMatch(
                              c ->
                                  "Established".equals(c.getType())
                                      && "True".equals(c.getStatus())),
              60,
              TimeUnit.SECONDS);
    }
  }

  /** Creates or changes the Istio {@code name}, as a user applies it. */
  public void istio(String name, String version, String strategy, Long graceSeconds) {
    istio(name, version, strategy, graceSeconds, false);
  }

  /** As {@link #istio(String, String, String, Long)}, with {@code updateWorkloads}. */
  public void istio(
      String name, String version, String strategy, Long graceSeconds, boolean updateWorkloads) {
    Map<String, Object> update = new LinkedHashMap<>();
    update.put("type", strategy);
    if (graceSeconds != null) {
      update.put("inactiveRevisionDeletionGracePeriodSeconds", graceSeconds);
    }
    if (updateWorkloads) {
      update.put("updateWorkloads", true);
    }
    apply(
        ISTIOS,
        name,
        Map.of(
            "version",
            version,
            "namespace",
            RealMesh.CONTROL_PLANE_NAMESPACE,
            "updateStrategy",
            update));
  }

  /** Creates or changes the IstioRevisionTag {@code name}, as a user applies it. */
  public void tag(String name, String targetKind, String targetName) {
    apply(TAGS, name, Map.of("targetRef", Map.of("kind", targetKind, "name", targetName)));
  }

  private void apply(ResourceDefinitionContext kind, String name, Map<String, Object> spec) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(API_VERSION);
    object.setKind(kind.getKind());
    object.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    object.setAdditionalProperty("spec", spec);
    admin.genericKubernetesResources(kind).resource(object).forceConflicts().serverSideApply();
  }

  private void watch() {
    ResourceEventHandler<Object> any = new Trigger();
    istios = admin.genericKubernetesResources(ISTIOS).inform(handler(any));
    revisions = admin.genericKubernetesResources(REVISIONS).inform(handler(any));
    tagInformer = admin.genericKubernetesResources(TAGS).inform(handler(any));
    namespaces = admin.namespaces().inform(handler(any));
    pods = admin.pods().inAnyNamespace().inform(handler(any));
    istiods =
        admin.apps().deployments().inAnyNamespace().withLabel("app", "istiod").inform(handler(any));
    informers.addAll(List.of(istios, revisions, tagInformer, namespaces, pods, istiods));
    informers.add(tags.watch(handler(any)));
    watching = true;
    trigger();
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> handler(ResourceEventHandler<Object> any) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) any;
  }

  /** Asks for one reconcile of everything; requests meanwhile fold into it. */
  void trigger() {
    if (watching && queued.compareAndSet(false, true)) {
      loop.execute(this::reconcile);
    }
  }

  private void reconcile() {
    queued.set(false);
    try {
      istios.getStore().list().forEach(this::reconcileIstio);
      Set<String> referenced =
          SailReferences.revisions(
              namespaces.getStore().list(), pods.getStore().list(), tags::revisionOfTag);
      revisions.getStore().list().forEach(r -> reconcileRevision(r, referenced));
      istios.getStore().list().forEach(this::prune);
      tagInformer.getStore().list().forEach(tags::reconcile);
    } catch (KubernetesClientException e) {
      // a conflict or an object deleted meanwhile: the next event or tick reconciles again
      LOG.info("Sail stand-in: reconcile failed, retrying: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("Sail stand-in: reconcile failed", e);
    }
  }

  /** {@code controllers/istio/istio_controller.go}: the active revision, and its IstioRevision. */
  private void reconcileIstio(GenericKubernetesResource istio) {
    String name = istio.getMetadata().getName();
    String version = (String) SailObjects.path(istio, "spec", "version");
    String revision = activeRevisionName(istio);
    GenericKubernetesResource existing = revisions.getStore().getByKey(revision);
    if (existing == null) {
      GenericKubernetesResource created = new GenericKubernetesResource();
      created.setApiVersion(API_VERSION);
      created.setKind("IstioRevision");
      created.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName(revision)
              .withOwnerReferences(SailObjects.controllerReference(istio))
              .build());
      created.setAdditionalProperty(
          "spec",
          Map.of("version", version, "namespace", SailObjects.path(istio, "spec", "namespace")));
      admin.genericKubernetesResources(REVISIONS).resource(created).create();
      LOG.info("Sail stand-in: Istio {} created IstioRevision {}", name, revision);
    } else if (!version.equals(SailObjects.path(existing, "spec", "version"))) {
      admin
          .genericKubernetesResources(REVISIONS)
          .withName(revision)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              SailObjects.json(Map.of("spec", Map.of("version", version))));
    }
    if (!revision.equals(SailObjects.path(istio, "status", "activeRevisionName"))) {
      patchStatus(ISTIOS, name, Map.of("activeRevisionName", revision));
    }
  }

  static String activeRevisionName(GenericKubernetesResource istio) {
    String name = istio.getMetadata().getName();
    return "RevisionBased".equals(SailObjects.path(istio, "spec", "updateStrategy", "type"))
        ? name + "-" + ((String) SailObjects.path(istio, "spec", "version")).replace('.', '-')
        : name;
  }

  /** {@code Ready} from the revision's istiod, {@code InUse} from references to it. */
  private void reconcileRevision(GenericKubernetesResource revision, Set<String> referenced) {
    String name = revision.getMetadata().getName();
    boolean ready =
        istiods.getStore().list().stream()
            .filter(d -> name.equals(d.getMetadata().getLabels().get("istio.io/rev")))
            .filter(
                d ->
                    Objects.equals(
                        d.getMetadata().getNamespace(),
                        SailObjects.path(revision, "spec", "namespace")))
            .anyMatch(SailOperator::available);
    List<Object> conditions = new ArrayList<>();
    conditions.add(condition(revision, "Ready", ready, ready ? "Healthy" : "IstiodNotReady"));
    boolean inUse = referenced.contains(name);
    conditions.add(
        condition(
            revision, "InUse", inUse, inUse ? "ReferencedByWorkloads" : "NotReferencedByAnything"));
    if (!conditions.equals(SailObjects.path(revision, "status", "conditions"))) {
      patchStatus(REVISIONS, name, Map.of("conditions", conditions));
    }
  }

  /** {@code pkg/revision/prune.go}: inactive revisions unused for the grace period go. */
  private void prune(GenericKubernetesResource istio) {
    Object grace =
        SailObjects.path(
            istio, "spec", "updateStrategy", "inactiveRevisionDeletionGracePeriodSeconds");
    long seconds = grace instanceof Number n ? n.longValue() : 30;
    String active = activeRevisionName(istio);
    for (GenericKubernetesResource revision : revisions.getStore().list()) {
      boolean owned =
          revision.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> o.getUid().equals(istio.getMetadata().getUid()));
      if (!owned || revision.getMetadata().getName().equals(active)) {
        continue;
      }
      Optional<Map<?, ?>> inUse = SailObjects.conditionOf(revision, "InUse");
      if (inUse.isEmpty() || "True".equals(inUse.get().get("status"))) {
        continue;
      }
      Instant since = Instant.parse((String) inUse.get().get("lastTransitionTime"));
      if (since.plusSeconds(seconds).isBefore(clock.instant())) {
        delete(revision, (String) SailObjects.path(revision, "spec", "namespace"));
      }
    }
  }

  private void delete(GenericKubernetesResource revision, String namespace) {
    String name = revision.getMetadata().getName();
    LOG.info("Sail stand-in: deleting expired IstioRevision {}", name);
    admin.genericKubernetesResources(REVISIONS).withName(name).delete();
    admin.apps().deployments().inNamespace(namespace).withName("istiod-" + name).delete();
    admin
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("istio-sidecar-injector-" + name)
        .delete();
  }

  /** A condition as Sail sets it: the transition time kept while the status stays. */
  private Map<String, Object> condition(
      GenericKubernetesResource object, String type, boolean status, String reason) {
    String value = status ? "True" : "False";
    String since =
        SailObjects.conditionOf(object, type)
            .filter(c -> value.equals(c.get("status")))
            .map(c -> (String) c.get("lastTransitionTime"))
            .orElse(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", type);
    condition.put("status", value);
    condition.put("reason", reason);
    condition.put("lastTransitionTime", since);
    return condition;
  }

  void patchStatus(ResourceDefinitionContext kind, String name, Map<String, Object> status) {
    admin
        .genericKubernetesResources(kind)
        .withName(name)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), SailObjects.json(Map.of("status", status)));
  }

  GenericKubernetesResource istio(String name) {
    return istios.getStore().getByKey(name);
  }

  private static boolean available(Deployment d) {
    return d.getStatus() != null
        && d.getStatus().getConditions() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("sailoperator.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(false)
        .build();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
    loop.shutdownNow();
  }

  private final class Trigger implements ResourceEventHandler<Object> {
    @Override
    public void onAdd(Object obj) {
      trigger();
    }

    @Override
    public void onUpdate(Object oldObj, Object newObj) {
      trigger();
    }

    @Override
    public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
      trigger();
    }
  }
}

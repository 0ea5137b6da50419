package io.meshgate.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kubernetes cluster with Istio in it, for the tests and the demo: fabric8's CRUD mock server
 * with RFC 7386 merge patches, istiod revisions with their injector webhooks, and Deployments,
 * StatefulSets and DaemonSets whose pods get the sidecar their namespace labels ask for and which
 * roll out like the real controllers when their pod template changes. The code under test talks to
 * it through {@link #client()} only; what that client sent is in {@link #apiCalls()}.
 *
 * <pre>{@code
 * try (ClusterSimulator cluster = ClusterSimulator.start()) {
 *   cluster.istiod("1-19-0", true).istiod("1-20-0", true)
 *       .namespace("payments", Map.of("istio.io/rev", "1-19-0"))
 *       .deployment("payments", "api", 3);
 *   KubernetesClient client = cluster.client(); // hand this to the code under test
 *   // ... it flips the label and restarts api ...
 *   cluster.awaitRolloutsIdle(Duration.ofSeconds(10));
 *   cluster.census("payments"); // Census[byRevision={1-20-0=3}, withoutSidecar=0]
 * }
 * }</pre>
 */
public class ClusterSimulator implements AutoCloseable {
  /** The simulator's own client sends this; its requests are not in {@link #apiCalls()}. */
  public static final String USER_AGENT = "meshgate-cluster-simulator";

  public static final String CONTROL_PLANE_NAMESPACE = "istio-system";
  static final String TAG_WEBHOOK_PREFIX = "istio-revision-tag-";
  public static final Duration DEFAULT_ROLLOUT_DELAY = Duration.ofMillis(200);

  /** Whether a workload's pod template opts out of sidecar injection. */
  public enum Injection {
    DEFAULT,
    /** {@code sidecar.istio.io/inject: "false"} on the pod template. */
    OPTED_OUT
  }

  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper SORTED_JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private record WorkloadKey(WorkloadKind kind, String namespace, String name) {
    String fault() {
      return namespace + "/" + name;
    }

    @Override
    public String toString() {
      return namespace + "/" + kind.kind() + "/" + name;
    }
  }

  /** What the simulated controller remembers of a workload; touched on the worker thread only. */
  private static final class Tracked {
    final int nodes;
    long observedGeneration = -1;
    String currentRevision;
    Map<String, String> selector = Map.of();
    ScheduledFuture<?> rollout;

    Tracked(int nodes) {
      this.nodes = nodes;
    }
  }

  private final KubernetesMockServer server;
  private final ApiServerDispatcher dispatcher;
  private final KubernetesClient client;
  private final KubernetesClient sim;
  // one thread applies every change the simulated controllers make, so they never race
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "cluster-sim");
            thread.setDaemon(true);
            return thread;
          });
  private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
  private final Map<WorkloadKey, Tracked> tracked = new HashMap<>();
  private final Set<WorkloadKey> pending = new HashSet<>();
  private final AtomicLong podSequence = new AtomicLong();
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();
  private final AtomicInteger evicted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile Duration rolloutDelay = DEFAULT_ROLLOUT_DELAY;

  protected ClusterSimulator(KubernetesMockServer server, ApiServerDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = server.createClient();
    Config own = new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build();
    this.sim = server.createClient(builder -> builder.withConfig(own));
    dispatcher.evictions(this::evict);
  }

  /** Starts an empty cluster on a free loopback port, with its workload controllers running. */
  public static ClusterSimulator start() {
    return start(ClusterSimulator::new);
  }

  /** Starts a cluster of a subclass, built by {@code create}. */
  protected static <T extends ClusterSimulator> T start(
      BiFunction<KubernetesMockServer, ApiServerDispatcher, T> create) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    ApiServerDispatcher dispatcher = new ApiServerDispatcher(expectations, USER_AGENT);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), expectations, dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    T cluster = create.apply(server, dispatcher);
    try {
      ((ClusterSimulator) cluster).startControllers();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void startControllers() {
    for (WorkloadKind kind : WorkloadKind.values()) {
      informers.add(sim.resources(kind.type).inAnyNamespace().inform(new Watcher(kind), 0));
    }
    informers.add(
        sim.genericKubernetesResources(ROLLOUTS)
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource rollout) {
                    queueRollout(rollout);
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource before, GenericKubernetesResource after) {
                    queueRollout(after);
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource rollout, boolean unknown) {
                    // its pods stay: the simulator keeps no garbage collector for Rollouts
                  }
                },
                0));
  }

  /** Informer events only queue work: the worker reads the latest state itself. */
  private final class Watcher implements ResourceEventHandler<HasMetadata> {
    private final WorkloadKind kind;

    Watcher(WorkloadKind kind) {
      this.kind = kind;
    }

    @Override
    public void onAdd(HasMetadata workload) {
      queue(workload);
    }

    @Override
    public void onUpdate(HasMetadata before, HasMetadata after) {
      queue(after);
    }

    @Override
    public void onDelete(HasMetadata workload, boolean finalStateUnknown) {
      queue(workload);
    }

    private void queue(HasMetadata workload) {
      WorkloadKey key =
          new WorkloadKey(
              kind, workload.getMetadata().getNamespace(), workload.getMetadata().getName());
      worker.execute(() -> logFailure(key, () -> reconcile(key)));
    }
  }

  /** The client for the code under test. */
  public KubernetesClient client() {
    return client;
  }

  /** The simulator's own client, whose requests {@link #apiCalls()} leaves out. */
  protected KubernetesClient simulatorClient() {
    return sim;
  }

  /** A copy of {@link #client()}'s configuration, to build more clients of this cluster. */
  public Config config() {
    return new ConfigBuilder(client.getConfiguration()).build();
  }

  /** The mock server, for expectations and request counts beyond {@link #apiCalls()}. */
  public KubernetesMockServer server() {
    return server;
  }

  /** How long a rollout takes from the template change to the new pods (default 200 ms). */
  public ClusterSimulator rolloutDelay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("rolloutDelay is " + delay + "; expected zero or more");
    }
    this.rolloutDelay = delay;
    return this;
  }

  // ---- cluster content ----------------------------------------------------------------------

  /**
   * Adds istiod for {@code revision} in {@value #CONTROL_PLANE_NAMESPACE}: Deployment {@code
   * istiod-<rev>} (condition Available as given) and its injector webhook {@code
   * istio-sidecar-injector-<rev>}, as the Sail Operator creates them.
   */
  public ClusterSimulator istiod(String revision, boolean available) {
    onWorker(
        () -> {
          ensureNamespace(CONTROL_PLANE_NAMESPACE);
          Map<String, String> labels =
              Map.of("app", "istiod", Sidecars.REVISION_LABEL, revision, "istio", "pilot");
          Deployment istiod =
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName("istiod-" + revision)
                  .withNamespace(CONTROL_PLANE_NAMESPACE)
                  .withLabels(labels)
                  .endMetadata()
                  .withNewSpec()
                  .withReplicas(1)
                  .withNewSelector()
                  .withMatchLabels(Map.of("app", "istiod", Sidecars.REVISION_LABEL, revision))
                  .endSelector()
                  .withTemplate(template(labels, Map.of(), "discovery", "docker.io/istio/pilot"))
                  .endSpec()
                  .build();
          sim.resource(istiod).createOr(NonDeletingOperation::update);
          sim.resource(injectorWebhook(revision)).createOr(NonDeletingOperation::update);
          writeIstiodStatus(revision, available);
          return null;
        });
    return this;
  }

  protected Resource<Deployment> istiodResource(String revision) {
    return sim.apps()
        .deployments()
        .inNamespace(CONTROL_PLANE_NAMESPACE)
        .withName("istiod-" + revision);
  }

  protected void writeIstiodStatus(String revision, boolean available) {
    WorkloadKind.Counts counts = new WorkloadKind.Counts(1, 1, 1, available ? 1 : 0);
    long generation = generation(istiodResource(revision).get());
    Map<String, Object> status =
        WorkloadKind.DEPLOYMENT.status(generation, counts, "istiod-" + revision, null, null, false);
    patchStatus(istiodResource(revision), status);
  }

  private static MutatingWebhookConfiguration injectorWebhook(String revision) {
    return injectionWebhook(
        "istio-sidecar-injector-" + revision,
        Map.of(Sidecars.REVISION_LABEL, revision, "app", "sidecar-injector"),
        revision,
        revision);
  }

  /**
   * What {@code istioctl tag set <tag> --revision <rev>} installs: webhook {@code
   * istio-revision-tag-<tag>} selecting namespaces labelled with the tag and calling the revision's
   * istiod. Setting it again points the tag elsewhere (as {@code --overwrite}).
   */
  public ClusterSimulator tag(String tag, String revision) {
    onWorker(
        () ->
            sim.resource(
                    injectionWebhook(
                        TAG_WEBHOOK_PREFIX + tag,
                        Map.of(
                            "istio.io/tag",
                            tag,
                            Sidecars.REVISION_LABEL,
                            revision,
                            "app",
                            "sidecar-injector"),
                        tag,
                        revision))
                .createOr(NonDeletingOperation::update));
    return this;
  }

  /** The tag's webhook as it now is; null when the tag does not exist. */
  public MutatingWebhookConfiguration tagWebhook(String tag) {
    return onWorker(
        () ->
            sim.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(TAG_WEBHOOK_PREFIX + tag)
                .get());
  }

  private static MutatingWebhookConfiguration injectionWebhook(
      String name, Map<String, String> labels, String selected, String revision) {
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .addNewWebhook()
        .withName("rev.namespace.sidecar-injector.istio.io")
        .withNewClientConfig()
        .withNewService()
        .withName("istiod-" + revision)
        .withNamespace(CONTROL_PLANE_NAMESPACE)
        .withPath("/inject")
        .withPort(443)
        .endService()
        .endClientConfig()
        .withNewNamespaceSelector()
        .addNewMatchExpression()
        .withKey(Sidecars.REVISION_LABEL)
        .withOperator("In")
        .withValues(selected)
        .endMatchExpression()
        .addNewMatchExpression()
        .withKey(Sidecars.INJECTION_LABEL)
        .withOperator("DoesNotExist")
        .endMatchExpression()
        .endNamespaceSelector()
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .endWebhook()
        .build();
  }

  /**
   * The revision that injects a pod whose namespace selects {@code selected}: through a tag, the
   * istiod its webhook calls (what {@code tag set --overwrite} changes), as the API server would.
   */
  private Optional<String> injectedBy(Optional<String> selected) {
    if (selected.isEmpty()) {
      return selected;
    }
    MutatingWebhookConfiguration tag =
        sim.admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(TAG_WEBHOOK_PREFIX + selected.get())
            .get();
    if (tag == null || tag.getWebhooks() == null || tag.getWebhooks().isEmpty()) {
      return selected;
    }
    ServiceReference istiod = tag.getWebhooks().get(0).getClientConfig().getService();
    return Optional.of(
        istiod != null && istiod.getName().startsWith("istiod-")
            ? istiod.getName().substring("istiod-".length())
            : tag.getMetadata().getLabels().get(Sidecars.REVISION_LABEL));
  }

  /** Adds a namespace with these labels, or sets them on an existing one. */
  public ClusterSimulator namespace(String name, Map<String, String> labels) {
    onWorker(
        () -> {
          Namespace namespace =
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withLabels(labels)
                  .endMetadata()
                  .build();
          sim.resource(namespace).createOr(NonDeletingOperation::update);
          return null;
        });
    return this;
  }

  private void ensureNamespace(String name) {
    if (sim.namespaces().withName(name).get() == null) {
      sim.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
  }

  public ClusterSimulator deployment(String namespace, String name, int replicas) {
    return deployment(namespace, name, replicas, Injection.DEFAULT);
  }

  /** Adds a Deployment whose pods already run, with a complete rollout status. */
  public ClusterSimulator deployment(
      String namespace, String name, int replicas, Injection injection) {
    HasMetadata workload =
        new DeploymentBuilder()
            .withMetadata(workloadMeta(namespace, name))
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withTemplate(appTemplate(name, injection))
            .endSpec()
            .build();
    return addWorkload(WorkloadKind.DEPLOYMENT, workload, replicas);
  }

  public ClusterSimulator statefulSet(String namespace, String name, int replicas) {
    return statefulSet(namespace, name, replicas, Injection.DEFAULT);
  }

  /** Adds a StatefulSet (RollingUpdate) whose pods already run. */
  public ClusterSimulator statefulSet(
      String namespace, String name, int replicas, Injection injection) {
    HasMetadata workload =
        new StatefulSetBuilder()
            .withMetadata(workloadMeta(namespace, name))
            .withNewSpec()
            .withReplicas(replicas)
            .withServiceName(name)
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withTemplate(appTemplate(name, injection))
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .endUpdateStrategy()
            .endSpec()
            .build();
    return addWorkload(WorkloadKind.STATEFUL_SET, workload, replicas);
  }

  public ClusterSimulator daemonSet(String namespace, String name, int nodes) {
    return daemonSet(namespace, name, nodes, Injection.DEFAULT);
  }

  /** Adds a DaemonSet (RollingUpdate) running on {@code nodes} nodes. */
  public ClusterSimulator daemonSet(String namespace, String name, int nodes, Injection injection) {
    HasMetadata workload =
        new DaemonSetBuilder()
            .withMetadata(workloadMeta(namespace, name))
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .withTemplate(appTemplate(name, injection))
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .endUpdateStrategy()
            .endSpec()
            .build();
    return addWorkload(WorkloadKind.DAEMON_SET, workload, nodes);
  }

  private static ObjectMeta workloadMeta(String namespace, String name) {
    return new ObjectMetaBuilder()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(Map.of("app", name))
        .build();
  }

  private static PodTemplateSpec appTemplate(String name, Injection injection) {
    Map<String, String> annotations =
        injection == Injection.OPTED_OUT ? Map.of(Sidecars.INJECT, "false") : Map.of();
    return template(Map.of("app", name), annotations, "app", "registry.example/" + name + ":1");
  }

  private static PodTemplateSpec template(
      Map<String, String> labels, Map<String, String> annotations, String container, String image) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .addToContainers(new ContainerBuilder().withName(container).withImage(image).build())
        .endSpec()
        .build();
  }

  private ClusterSimulator addWorkload(WorkloadKind kind, HasMetadata workload, int size) {
    if (size < 0) {
      throw new IllegalArgumentException(
          kind.kind() + " " + workload.getMetadata().getName() + ": size " + size + " < 0");
    }
    WorkloadKey key =
        new WorkloadKey(
            kind, workload.getMetadata().getNamespace(), workload.getMetadata().getName());
    onWorker(
        () -> {
          // the mock accepts objects in namespaces that do not exist; a real API server does not
          if (sim.namespaces().withName(key.namespace()).get() == null) {
            throw new IllegalArgumentException(
                key
                    + ": namespace \""
                    + key.namespace()
                    + "\" does not exist; add it with namespace(name, labels) first");
          }
          HasMetadata created = sim.resource(workload).create();
          // tracked before the informer sees it, so that its ADDED event finds nothing to do
          Tracked state = new Tracked(size);
          state.observedGeneration = generation(created);
          tracked.put(key, state);
          rollOutNow(key, created, state);
          return null;
        });
    return this;
  }

  // ---- workload shapes --------------------------------------------------------------------

  /** Sets {@code updateStrategy: OnDelete} on a StatefulSet or DaemonSet: no pod is replaced. */
  public ClusterSimulator onDelete(String namespace, String workload) {
    return patchWorkload(
        namespace,
        workload,
        "{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}");
  }

  /** Sets a StatefulSet's {@code rollingUpdate.partition}: pods below it keep their template. */
  public ClusterSimulator partition(String namespace, String statefulSet, int partition) {
    return patchWorkload(
        namespace,
        statefulSet,
        "{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":"
            + partition
            + "}}}}");
  }

  /** Pauses ({@code spec.paused}) or resumes a Deployment. */
  public ClusterSimulator paused(String namespace, String deployment, boolean paused) {
    return patchWorkload(namespace, deployment, "{\"spec\":{\"paused\":" + paused + "}}");
  }

  private ClusterSimulator patchWorkload(String namespace, String name, String patch) {
    onWorker(
        () -> {
          for (WorkloadKey key : tracked.keySet()) {
            if (key.namespace().equals(namespace) && key.name().equals(name)) {
              resource(key).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
              return null;
            }
          }
          throw new IllegalArgumentException("no workload " + namespace + "/" + name);
        });
    return this;
  }

  /** Adds a running pod of Job {@code job}, with the sidecar its namespace injects. */
  public ClusterSimulator jobPod(String namespace, String job, String pod) {
    OwnerReference owner =
        new OwnerReferenceBuilder()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName(job)
            .withUid(UUID.randomUUID().toString())
            .withController(true)
            .build();
    return standalonePod(namespace, pod, owner);
  }

  /** Adds a pod that no controller owns, with the sidecar its namespace injects. */
  public ClusterSimulator barePod(String namespace, String pod) {
    return standalonePod(namespace, pod, null);
  }

  private ClusterSimulator standalonePod(String namespace, String name, OwnerReference owner) {
    onWorker(
        () -> {
          createRunningPod(namespace, name, name, Map.of(), owner);
          return null;
        });
    return this;
  }

  /**
   * A Ready pod of image {@code app}, outside the simulated workload controllers, with the sidecar
   * its namespace's labels inject.
   */
  private void createRunningPod(
      String namespace,
      String name,
      String app,
      Map<String, String> extraLabels,
      OwnerReference owner) {
    Map<String, String> labels = new LinkedHashMap<>(Map.of("app", app));
    labels.putAll(extraLabels);
    Map<String, String> annotations = new LinkedHashMap<>();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(annotations)
            .withOwnerReferences(owner == null ? List.of() : List.of(owner))
            .endMetadata()
            .withNewSpec()
            .addToContainers(
                new ContainerBuilder().withName("app").withImage("registry.example/" + app).build())
            .withNodeName("sim-node-0")
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withConditions(condition("Ready", true))
            .endStatus()
            .build();
    injectedBy(Sidecars.injectingRevision(namespaceLabels(namespace), labels, annotations))
        .ifPresent(sidecar -> Sidecars.inject(pod, sidecar));
    sim.resource(pod).create();
  }

  /**
   * A PodDisruptionBudget over the pods with {@code selector}: while {@code disruptionsAllowed} is
   * 0 the Eviction API answers 429, as the real one does. Setting it again replaces it.
   */
  public ClusterSimulator podDisruptionBudget(
      String namespace, String name, Map<String, String> selector, int disruptionsAllowed) {
    onWorker(
        () -> {
          sim.resource(
                  new PodDisruptionBudgetBuilder()
                      .withNewMetadata()
                      .withName(name)
                      .withNamespace(namespace)
                      .endMetadata()
                      .withNewSpec()
                      .withNewSelector()
                      .withMatchLabels(selector)
                      .endSelector()
                      .withNewMaxUnavailable(disruptionsAllowed)
                      .endSpec()
                      .withNewStatus()
                      .withDisruptionsAllowed(disruptionsAllowed)
                      .endStatus()
                      .build())
              .createOr(NonDeletingOperation::update);
          return null;
        });
    budgets.put(
        namespace + "/" + name,
        new Budget(namespace, name, Map.copyOf(selector), disruptionsAllowed));
    return this;
  }

  /** Evictions asked for, and refused by a budget, so far. */
  public record EvictionCounts(int evicted, int refused) {}

  public EvictionCounts evictions() {
    return new EvictionCounts(evicted.get(), refused.get());
  }

  private record Budget(
      String namespace, String name, Map<String, String> selector, int disruptionsAllowed) {}

  /**
   * The Eviction API on the server's thread: a budget covering the pod with no disruption left
   * answers 429 (the real server's words); otherwise the pod is deleted and its controller, if any,
   * makes a new one, as kube-controller-manager would.
   */
  private MockResponse evict(String namespace, String name, JsonNode pod) {
    if (pod == null) {
      return ApiServerDispatcher.status(404, "NotFound", "pods \"" + name + "\" not found");
    }
    Map<String, String> labels =
        SORTED_JSON.convertValue(
            pod.path("metadata").path("labels"),
            SORTED_JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    for (Budget budget : budgets.values()) {
      if (budget.namespace().equals(namespace)
          && labels != null
          && labels.entrySet().containsAll(budget.selector().entrySet())
          && budget.disruptionsAllowed() <= 0) {
        refused.incrementAndGet();
        return ApiServerDispatcher.status(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget. The disruption"
                + " budget "
                + budget.name()
                + " needs 1 healthy pods and has 1 currently");
      }
    }
    evicted.incrementAndGet();
    JsonNode owners = pod.path("metadata").path("ownerReferences");
    worker.execute(() -> logFailure(null, () -> replace(namespace, name, owners, labels)));
    return ApiServerDispatcher.status(201, "", "");
  }

  /** Deletes an evicted pod and has its workload, if any, fill the gap. */
  private void replace(String namespace, String name, JsonNode owners, Map<String, String> labels) {
    sim.pods().inNamespace(namespace).withName(name).delete();
    for (JsonNode owner : owners) {
      String kind = owner.path("kind").asText();
      String ownerName = owner.path("name").asText();
      String workload =
          "ReplicaSet".equals(kind)
              ? ownerName.substring(0, Math.max(0, ownerName.lastIndexOf('-')))
              : ownerName;
      for (Map.Entry<WorkloadKey, Tracked> entry : tracked.entrySet()) {
        WorkloadKey key = entry.getKey();
        boolean owns =
            key.namespace().equals(namespace)
                && key.name().equals(workload)
                && (key.kind().kind().equals(kind)
                    || ("ReplicaSet".equals(kind) && key.kind() == WorkloadKind.DEPLOYMENT));
        if (owns) {
          entry.getValue().observedGeneration = -1;
          reconcile(key);
        }
      }
      if ("ReplicaSet".equals(kind) && labels.containsKey(ROLLOUT_HASH)) {
        queueRollout(namespace, workload);
      }
    }
  }

  // ---- Argo Rollouts ------------------------------------------------------------------------

  private static final ResourceDefinitionContext ROLLOUTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("argoproj.io")
          .withVersion("v1alpha1")
          .withKind("Rollout")
          .withPlural("rollouts")
          .withNamespaced(true)
          .build();

  private static final String ROLLOUT_HASH = "rollouts-pod-template-hash";

  /**
   * Adds an Argo Rollout (argoproj.io/v1alpha1) with its pods running, owned by a ReplicaSet as
   * Argo's controller makes them. The simulated controller honours {@code spec.restartAt}: it
   * recreates every older pod and then sets {@code status.restartedAt}.
   */
  public ClusterSimulator rollout(String namespace, String name, int replicas) {
    onWorker(
        () -> {
          GenericKubernetesResource rollout = new GenericKubernetesResource();
          rollout.setApiVersion("argoproj.io/v1alpha1");
          rollout.setKind("Rollout");
          rollout.setMetadata(workloadMeta(namespace, name));
          rollout.setAdditionalProperty(
              "spec",
              Map.of(
                  "replicas",
                  replicas,
                  "selector",
                  Map.of("matchLabels", Map.of("app", name)),
                  "template",
                  SORTED_JSON.convertValue(appTemplate(name, Injection.DEFAULT), Map.class),
                  "strategy",
                  Map.of("canary", Map.of("steps", List.of(Map.of("setWeight", 20))))));
          sim.genericKubernetesResources(ROLLOUTS).resource(rollout).create();
          rolloutPods(namespace, name, replicas, false);
          return null;
        });
    return this;
  }

  private void queueRollout(GenericKubernetesResource rollout) {
    queueRollout(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName());
  }

  private void queueRollout(String namespace, String name) {
    worker.schedule(
        () -> logFailure(null, () -> reconcileRollout(namespace, name)),
        rolloutDelay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** Replaces the pods older than {@code spec.restartAt}, then says the restart is done. */
  private void reconcileRollout(String namespace, String name) {
    GenericKubernetesResource rollout =
        sim.genericKubernetesResources(ROLLOUTS).inNamespace(namespace).withName(name).get();
    if (rollout == null) {
      return;
    }
    String restartAt = rollout.get("spec", "restartAt");
    String restartedAt = rollout.get("status", "restartedAt");
    Integer replicas = rollout.get("spec", "replicas");
    if (restartAt != null && !restartAt.equals(restartedAt)) {
      rolloutPods(namespace, name, replicas == null ? 1 : replicas, true);
      restartedAt = restartAt;
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", "Healthy");
    status.put("replicas", replicas);
    status.put("availableReplicas", replicas);
    if (restartedAt != null) {
      status.put("restartedAt", restartedAt);
    }
    if (!status.equals(rollout.get("status"))) {
      patchStatus(
          sim.genericKubernetesResources(ROLLOUTS).inNamespace(namespace).withName(name), status);
    }
  }

  /**
   * Keeps {@code replicas} pods of the Rollout; a restart recreates every one there is (they are
   * all older than a restartAt the test's clock may have set anywhere in time).
   */
  private void rolloutPods(String namespace, String name, int replicas, boolean restart) {
    String hash = "5f7c9d";
    String replicaSet = name + "-" + hash;
    List<Pod> pods =
        sim.pods().inNamespace(namespace).withLabel(ROLLOUT_HASH, hash).list().getItems().stream()
            .filter(p -> p.getMetadata().getName().startsWith(replicaSet + "-"))
            .toList();
    int kept = 0;
    for (Pod pod : pods) {
      if (restart || kept >= replicas) {
        sim.resource(pod).delete();
      } else {
        kept++;
      }
    }
    OwnerReference owner =
        new OwnerReferenceBuilder()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName(replicaSet)
            .withUid(UUID.nameUUIDFromBytes(replicaSet.getBytes(StandardCharsets.UTF_8)).toString())
            .withController(true)
            .build();
    for (; kept < replicas; kept++) {
      createRunningPod(
          namespace, replicaSet + "-" + suffix(), name, Map.of(ROLLOUT_HASH, hash), owner);
    }
  }

  // ---- faults (tests override these) ---------------------------------------------------------

  /** Whether rollouts of {@code workload} ({@code namespace/name}) never complete. */
  protected boolean isStuck(String workload) {
    return false;
  }

  /** Whether new pods of {@code workload} ({@code namespace/name}) never become Ready. */
  protected boolean isNeverReady(String workload) {
    return false;
  }

  /** Runs the rollout of {@code workload} again, e.g. once its fault is gone. */
  protected void rollOutAgain(String workload) {
    onWorker(
        () -> {
          for (Map.Entry<WorkloadKey, Tracked> entry : tracked.entrySet()) {
            if (entry.getKey().fault().equals(workload)) {
              entry.getValue().observedGeneration = -1;
              reconcile(entry.getKey());
            }
          }
          return null;
        });
  }

  // ---- observation --------------------------------------------------------------------------

  /** Requests from every client but the simulator's own, oldest first. */
  public List<ApiCall> apiCalls() {
    return dispatcher.calls();
  }

  public void clearApiCalls() {
    dispatcher.clearCalls();
  }

  /** Pods of {@code namespace} by sidecar revision, read as istioctl reads it. */
  public Census census(String namespace) {
    return Census.of(sim.pods().inNamespace(namespace).list().getItems());
  }

  /**
   * Waits until every rollout the simulator has seen has run (stuck ones included: they end in
   * their stuck status). Changes still on their way from the API server are not seen yet.
   */
  public void awaitRolloutsIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        onWorker(() -> null); // drains the events queued so far
        synchronized (pending) {
          while (!pending.isEmpty()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
              throw new IllegalStateException(
                  "rollouts still in progress after " + timeout + ": " + pending);
            }
            pending.wait(left);
          }
        }
        if (onWorker(() -> isIdle())) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while awaiting rollouts", e);
    }
  }

  private boolean isIdle() {
    synchronized (pending) {
      return pending.isEmpty();
    }
  }

  // ---- the simulated workload controllers (worker thread) -----------------------------------

  private Resource<? extends HasMetadata> resource(WorkloadKey key) {
    return sim.resources(key.kind().type).inNamespace(key.namespace()).withName(key.name());
  }

  /** Level-triggered: a generation not yet observed starts a rollout after the delay. */
  private void reconcile(WorkloadKey key) {
    HasMetadata workload = resource(key).get();
    if (workload == null) {
      collectGarbage(key);
      return;
    }
    if ("istiod".equals(mapOrEmpty(workload.getMetadata().getLabels()).get("app"))) {
      return; // the control plane's status belongs to istiod(...) and istiodAvailable(...)
    }
    Tracked state = tracked.computeIfAbsent(key, k -> new Tracked(1));
    long generation = generation(workload);
    if (state.observedGeneration == generation) {
      return;
    }
    state.observedGeneration = generation;
    String revision = revision(key, workload);
    List<Pod> pods = ownedPods(key, workload);
    int desired = WorkloadKind.desired(workload, state.nodes);
    // the controller has seen the change: no pod is updated yet, so kubectl waits
    WorkloadKind.Counts counts =
        new WorkloadKind.Counts(desired, pods.size(), updated(key, pods, revision), ready(pods));
    writeStatus(key, workload, state, counts, revision, false);
    if (state.rollout != null) {
      state.rollout.cancel(false);
    }
    synchronized (pending) {
      pending.add(key);
    }
    state.rollout =
        worker.schedule(
            () -> logFailure(key, () -> rollOutLater(key, generation)),
            rolloutDelay.toNanos(),
            TimeUnit.NANOSECONDS);
    log.debug("rollout of {} to generation {} starts in {}", key, generation, rolloutDelay);
  }

  private void rollOutLater(WorkloadKey key, long generation) {
    HasMetadata workload = resource(key).get();
    Tracked state = tracked.get(key);
    if (workload == null || state == null) {
      collectGarbage(key);
      settle(key);
      return;
    }
    if (generation(workload) != generation) {
      return; // the event for the newer generation is on its way and reschedules
    }
    state.rollout = null;
    try {
      rollOutNow(key, workload, state);
    } finally {
      settle(key);
    }
  }

  private void settle(WorkloadKey key) {
    synchronized (pending) {
      pending.remove(key);
      pending.notifyAll();
    }
  }

  /** Replaces the pods of an old template with new ones and writes the resulting status. */
  private void rollOutNow(WorkloadKey key, HasMetadata workload, Tracked state) {
    String revision = revision(key, workload);
    state.selector = WorkloadKind.selector(workload).getMatchLabels();
    List<Pod> pods = ownedPods(key, workload);
    int desired = WorkloadKind.desired(workload, state.nodes);
    if (isStuck(key.fault())) {
      WorkloadKind.Counts counts =
          new WorkloadKind.Counts(desired, pods.size(), updated(key, pods, revision), ready(pods));
      writeStatus(key, workload, state, counts, revision, true);
      log.info("rollout of {} is stuck (simulated fault)", key);
      return;
    }
    if (WorkloadKind.paused(workload)) {
      WorkloadKind.Counts counts =
          new WorkloadKind.Counts(desired, pods.size(), updated(key, pods, revision), ready(pods));
      writeStatus(key, workload, state, counts, revision, false);
      log.info("{} is paused: no rollout", key);
      return;
    }
    boolean readyPods = !isNeverReady(key.fault());
    int partition = WorkloadKind.partition(workload);
    List<Pod> kept = new ArrayList<>();
    for (Pod pod : pods) {
      boolean current =
          revision.equals(pod.getMetadata().getLabels().get(key.kind().revisionLabel))
              && (isReady(pod) || !readyPods);
      // what the controller leaves for someone to delete: every pod with OnDelete, the pods
      // below a StatefulSet's partition
      boolean spared =
          WorkloadKind.onDelete(workload)
              || (partition > 0 && ordinal(key, pod) >= 0 && ordinal(key, pod) < partition);
      if ((current || spared) && kept.size() < desired) {
        kept.add(pod);
      } else {
        sim.resource(pod).delete();
      }
    }
    OwnerReference owner = podOwner(key, workload, revision, desired);
    Set<String> usedNames = new HashSet<>();
    kept.forEach(pod -> usedNames.add(pod.getMetadata().getName()));
    Set<String> usedNodes = new HashSet<>();
    kept.forEach(pod -> usedNodes.add(pod.getSpec().getNodeName()));
    Map<String, String> namespaceLabels = namespaceLabels(key.namespace());
    List<Pod> created = new ArrayList<>();
    for (int slot = 0; kept.size() + created.size() < desired; slot++) {
      String name = podName(key, revision, slot);
      String node = "sim-node-" + slot;
      if (usedNames.contains(name)
          || (key.kind() == WorkloadKind.DAEMON_SET && usedNodes.contains(node))) {
        continue;
      }
      Pod pod = newPod(key, workload, revision, owner, name, node, readyPods, namespaceLabels);
      created.add(sim.resource(pod).create());
    }
    int ready = ready(kept) + (readyPods ? created.size() : 0);
    int total = kept.size() + created.size();
    int updated = updated(key, kept, revision) + created.size();
    WorkloadKind.Counts counts = new WorkloadKind.Counts(desired, total, updated, ready);
    if (counts.complete()) {
      state.currentRevision = revision;
    }
    writeStatus(key, workload, state, counts, revision, false);
    log.info(
        "rolled out {} generation {}: {} new pods, {}/{} ready",
        key,
        generation(workload),
        created.size(),
        ready,
        desired);
  }

  private void writeStatus(
      WorkloadKey key,
      HasMetadata workload,
      Tracked state,
      WorkloadKind.Counts counts,
      String revision,
      boolean deadlineExceeded) {
    String current = state.currentRevision == null ? revision : state.currentRevision;
    Map<String, Object> status =
        key.kind()
            .status(
                generation(workload),
                counts,
                key.name() + "-" + revision,
                current,
                revision,
                deadlineExceeded);
    patchStatus(resource(key), status);
  }

  private void patchStatus(Resource<? extends HasMetadata> resource, Map<String, Object> status) {
    try {
      String patch = SORTED_JSON.writeValueAsString(Map.of("status", status));
      resource.status().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status is not serialisable: " + status, e);
    }
  }

  /**
   * Deployments own their pods through a ReplicaSet per template, as the real controller does; the
   * simulator keeps no revision history, so older ReplicaSets are deleted.
   */
  private OwnerReference podOwner(
      WorkloadKey key, HasMetadata workload, String revision, int desired) {
    if (key.kind() != WorkloadKind.DEPLOYMENT) {
      return ownerReference(workload);
    }
    String name = key.name() + "-" + revision;
    for (ReplicaSet old :
        sim.apps()
            .replicaSets()
            .inNamespace(key.namespace())
            .withLabels(WorkloadKind.selector(workload).getMatchLabels())
            .list()
            .getItems()) {
      if (ownedBy(old, workload) && !old.getMetadata().getName().equals(name)) {
        sim.resource(old).delete();
      }
    }
    ReplicaSet current = sim.apps().replicaSets().inNamespace(key.namespace()).withName(name).get();
    if (current == null) {
      PodTemplateSpec template =
          new PodTemplateSpecBuilder(WorkloadKind.template(workload))
              .editMetadata()
              .addToLabels(key.kind().revisionLabel, revision)
              .endMetadata()
              .build();
      Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
      current =
          sim.resource(
                  new ReplicaSetBuilder()
                      .withNewMetadata()
                      .withName(name)
                      .withNamespace(key.namespace())
                      .withLabels(labels)
                      .withOwnerReferences(ownerReference(workload))
                      .endMetadata()
                      .withNewSpec()
                      .withReplicas(desired)
                      .withNewSelector()
                      .withMatchLabels(labels)
                      .endSelector()
                      .withTemplate(template)
                      .endSpec()
                      .build())
              .create();
    }
    return ownerReference(current);
  }

  private static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static boolean ownedBy(HasMetadata dependent, HasMetadata owner) {
    return dependent.getMetadata().getOwnerReferences().stream()
        .anyMatch(
            ref ->
                ref.getKind().equals(owner.getKind())
                    && ref.getName().equals(owner.getMetadata().getName()));
  }

  private List<Pod> ownedPods(WorkloadKey key, HasMetadata workload) {
    List<Pod> pods = new ArrayList<>();
    for (Pod pod :
        sim.pods()
            .inNamespace(key.namespace())
            .withLabels(WorkloadKind.selector(workload).getMatchLabels())
            .list()
            .getItems()) {
      if (ownsPod(key, pod)) {
        pods.add(pod);
      }
    }
    return pods;
  }

  private static boolean ownsPod(WorkloadKey key, Pod pod) {
    return pod.getMetadata().getOwnerReferences().stream()
        .anyMatch(
            ref ->
                key.kind() == WorkloadKind.DEPLOYMENT
                    ? ref.getKind().equals("ReplicaSet")
                        && ref.getName()
                            .equals(
                                key.name()
                                    + "-"
                                    + pod.getMetadata().getLabels().get(key.kind().revisionLabel))
                    : ref.getKind().equals(key.kind().kind()) && ref.getName().equals(key.name()));
  }

  /** Owner references are not garbage-collected by the mock: delete what a deletion would. */
  private void collectGarbage(WorkloadKey key) {
    Tracked state = tracked.remove(key);
    if (state == null) {
      return;
    }
    if (state.rollout != null) {
      state.rollout.cancel(false);
      settle(key);
    }
    if (state.selector.isEmpty()) {
      return;
    }
    for (Pod pod :
        sim.pods().inNamespace(key.namespace()).withLabels(state.selector).list().getItems()) {
      if (ownsPod(key, pod)) {
        sim.resource(pod).delete();
      }
    }
    if (key.kind() == WorkloadKind.DEPLOYMENT) {
      for (ReplicaSet replicaSet :
          sim.apps()
              .replicaSets()
              .inNamespace(key.namespace())
              .withLabels(state.selector)
              .list()
              .getItems()) {
        if (replicaSet.getMetadata().getOwnerReferences().stream()
            .anyMatch(ref -> ref.getName().equals(key.name()))) {
          sim.resource(replicaSet).delete();
        }
      }
    }
    log.info("deleted the pods of {}, which is gone", key);
  }

  private Map<String, String> namespaceLabels(String namespace) {
    Namespace current = sim.namespaces().withName(namespace).get();
    if (current == null || current.getMetadata().getLabels() == null) {
      return Map.of();
    }
    return current.getMetadata().getLabels();
  }

  private Pod newPod(
      WorkloadKey key,
      HasMetadata workload,
      String revision,
      OwnerReference owner,
      String name,
      String node,
      boolean ready,
      Map<String, String> namespaceLabels) {
    PodTemplateSpec template = WorkloadKind.template(workload);
    Map<String, String> labels =
        new LinkedHashMap<>(mapOrEmpty(template.getMetadata().getLabels()));
    labels.put(key.kind().revisionLabel, revision);
    if (key.kind() == WorkloadKind.STATEFUL_SET) {
      labels.put("statefulset.kubernetes.io/pod-name", name);
    }
    Map<String, String> annotations =
        new LinkedHashMap<>(mapOrEmpty(template.getMetadata().getAnnotations()));
    PodSpec spec = sim.getKubernetesSerialization().clone(template.getSpec());
    spec.setNodeName(key.kind() == WorkloadKind.DAEMON_SET ? node : "sim-node-0");
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(key.namespace())
            .withLabels(labels)
            .withAnnotations(annotations)
            .withOwnerReferences(owner)
            .endMetadata()
            .withSpec(spec)
            .withStatus(
                new PodStatusBuilder()
                    .withPhase("Running")
                    .withStartTime(Instant.now().toString())
                    .withConditions(
                        condition("PodScheduled", true),
                        condition("Initialized", true),
                        condition("ContainersReady", ready),
                        condition("Ready", ready))
                    .build())
            .build();
    injectedBy(Sidecars.injectingRevision(namespaceLabels, labels, annotations))
        .ifPresent(sidecar -> Sidecars.inject(pod, sidecar));
    pod.getStatus()
        .setContainerStatuses(
            pod.getSpec().getContainers().stream()
                .map(
                    container ->
                        new ContainerStatusBuilder()
                            .withName(container.getName())
                            .withImage(container.getImage())
                            .withReady(ready)
                            .withStarted(true)
                            .withRestartCount(0)
                            .withNewState()
                            .withNewRunning()
                            .withStartedAt(Instant.now().toString())
                            .endRunning()
                            .endState()
                            .build())
                .toList());
    return pod;
  }

  private static Map<String, String> mapOrEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  private static PodCondition condition(String type, boolean status) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withLastTransitionTime(Instant.now().toString())
        .build();
  }

  private String podName(WorkloadKey key, String revision, int slot) {
    return switch (key.kind()) {
      case STATEFUL_SET -> key.name() + "-" + slot;
      case DEPLOYMENT -> key.name() + "-" + revision + "-" + suffix();
      case DAEMON_SET -> key.name() + "-" + suffix();
    };
  }

  private static int ordinal(WorkloadKey key, Pod pod) {
    String name = pod.getMetadata().getName();
    if (key.kind() != WorkloadKind.STATEFUL_SET || !name.startsWith(key.name() + "-")) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(key.name().length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String suffix() {
    return String.format("%05x", podSequence.incrementAndGet());
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static int ready(List<Pod> pods) {
    return (int) pods.stream().filter(ClusterSimulator::isReady).count();
  }

  private static int updated(WorkloadKey key, List<Pod> pods, String revision) {
    return (int)
        pods.stream()
            .filter(p -> revision.equals(p.getMetadata().getLabels().get(key.kind().revisionLabel)))
            .count();
  }

  private static long generation(HasMetadata workload) {
    Long generation = workload.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  /** The revision label value of the current template: a hash, as the controllers compute. */
  private static String revision(WorkloadKey key, HasMetadata workload) {
    try {
      Object template = SORTED_JSON.convertValue(WorkloadKind.template(workload), Map.class);
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(SORTED_JSON.writeValueAsString(template).getBytes(StandardCharsets.UTF_8));
      return key.kind().revision(key.name(), HexFormat.of().formatHex(digest, 0, 5));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the pod template of " + key, e);
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** Runs {@code task} on the simulator's worker, after every event queued so far. */
  protected <T> T onWorker(Callable<T> task) {
    try {
      return worker.submit(task).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cluster simulator busy for more than " + CALL_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster simulator", e);
    }
  }

  private void logFailure(WorkloadKey key, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      if (worker.isShutdown()) {
        return; // close() interrupted it
      }
      if (e instanceof KubernetesClientException) {
        // e.g. the workload was deleted between the event and now: the next event settles it
        log.warn("simulated controller for {} failed: {}", key, e.getMessage());
      } else {
        log.error("simulated controller for {} failed", key, e);
      }
    }
  }

  /** Stops the controllers, the clients and the server. */
  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sim.close();
    client.close();
    server.destroy();
  }
}

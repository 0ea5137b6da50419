package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * A Kubernetes cluster with Istio in it, for the tests and the demo: fabric8's CRUD mock server
 * with RFC 7386 merge patches, istiod revisions with their injector webhooks, and Deployments,
 * StatefulSets and DaemonSets (injected gateways too) whose pods get the sidecar their namespace
 * labels, or else their own, ask for and which roll out like the real controllers when their pod
 * template changes. The code under test talks to it through {@link #client()} only; what that
 * client sent is in {@link #apiCalls()}.
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
 *
 * <p>This class is a façade; each Kubernetes controller it imitates is a class of its own: {@link
 * DeploymentController}, {@link StatefulSetController} and {@link DaemonSetController} (on {@link
 * WorkloadController}), {@link ArgoRolloutController}, {@link Kubelet}, {@link SidecarInjector},
 * {@link EvictionApi}, {@link IstioInstaller} and {@link Namespaces}, sharing {@link SimContext}.
 *
 * <p>Adding an imitated controller (a gateway deployment controller, node drains, ...): a class
 * implementing {@link ImitatedController} (or extending {@link WorkloadController}), registered in
 * the constructor's {@code controllers}; the checklist is in {@code docs/architecture.md}.
 */
public class ClusterSimulator implements AutoCloseable {
  /** The simulator's own client sends this; its requests are not in {@link #apiCalls()}. */
  public static final String USER_AGENT = "meshgate-cluster-simulator";

  public static final String CONTROL_PLANE_NAMESPACE = "istio-system";
  static final String TAG_WEBHOOK_PREFIX = IstioInstaller.TAG_WEBHOOK_PREFIX;
  public static final Duration DEFAULT_ROLLOUT_DELAY = Duration.ofMillis(200);

  /** Whether a workload's pod template opts out of sidecar injection. */
  public enum Injection {
    DEFAULT,
    /** {@code sidecar.istio.io/inject: "false"} on the pod template. */
    OPTED_OUT
  }

  /** Evictions asked for, and refused by a budget, so far. */
  public record EvictionCounts(int evicted, int refused) {}

  private final KubernetesMockServer server;
  private final ApiServerDispatcher dispatcher;
  private final KubernetesClient client;
  private final KubernetesClient sim;
  private final SimContext context;
  private final Namespaces namespaces;
  private final IstioInstaller istio;
  private final Kubelet kubelet;
  private final List<WorkloadController> workloads;
  private final ArgoRolloutController argoRollouts;
  private final List<ImitatedController> controllers;
  private final EvictionApi evictionApi;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  protected ClusterSimulator(KubernetesMockServer server, ApiServerDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = server.createClient();
    Config own = new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build();
    this.sim = server.createClient(builder -> builder.withConfig(own));
    this.context = new SimContext(sim, this::isStuck, this::isNeverReady);
    this.namespaces = new Namespaces(context);
    this.istio = new IstioInstaller(context, namespaces);
    SidecarInjector injector = new SidecarInjector(context);
    this.kubelet = new Kubelet(context, namespaces, injector);
    this.workloads =
        List.of(
            new DeploymentController(context, namespaces, injector),
            new StatefulSetController(context, namespaces, injector),
            new DaemonSetController(context, namespaces, injector));
    this.argoRollouts = new ArgoRolloutController(context, kubelet);
    List<ImitatedController> all = new ArrayList<>(workloads);
    all.add(argoRollouts);
    this.controllers = List.copyOf(all);
    this.evictionApi = new EvictionApi(context, controllers);
    dispatcher.evictions(evictionApi);
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
    ClusterSimulator started = cluster;
    try {
      started.controllers.forEach(controller -> started.informers.addAll(controller.watch()));
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
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
    context.rolloutDelay(delay);
    return this;
  }

  // ---- the control plane ----------------------------------------------------------------------

  /**
   * Adds istiod for {@code revision} in {@value #CONTROL_PLANE_NAMESPACE}: Deployment {@code
   * istiod-<rev>} (condition Available as given) and its injector webhook {@code
   * istio-sidecar-injector-<rev>}, as the Sail Operator creates them.
   */
  public ClusterSimulator istiod(String revision, boolean available) {
    return setUp(() -> istio.istiod(revision, available));
  }

  protected Resource<Deployment> istiodResource(String revision) {
    return istio.istiodResource(revision);
  }

  protected void writeIstiodStatus(String revision, boolean available) {
    istio.writeIstiodStatus(revision, available);
  }

  /**
   * What {@code istioctl tag set <tag> --revision <rev>} installs: webhook {@code
   * istio-revision-tag-<tag>} selecting namespaces labelled with the tag and calling the revision's
   * istiod. Setting it again points the tag elsewhere (as {@code --overwrite}).
   */
  public ClusterSimulator tag(String tag, String revision) {
    return setUp(() -> istio.tag(tag, revision));
  }

  /** The tag's webhook as it now is; null when the tag does not exist. */
  public MutatingWebhookConfiguration tagWebhook(String tag) {
    return onWorker(() -> istio.tagWebhook(tag));
  }

  // ---- namespaces and workloads ---------------------------------------------------------------

  /** Adds a namespace with these labels, or sets them on an existing one. */
  public ClusterSimulator namespace(String name, Map<String, String> labels) {
    return setUp(() -> namespaces.put(name, labels));
  }

  public ClusterSimulator deployment(String namespace, String name, int replicas) {
    return deployment(namespace, name, replicas, Injection.DEFAULT);
  }

  /** Adds a Deployment whose pods already run, with a complete rollout status. */
  public ClusterSimulator deployment(
      String namespace, String name, int replicas, Injection injection) {
    return addWorkload(
        WorkloadKind.DEPLOYMENT,
        WorkloadTemplates.deployment(namespace, name, replicas, injection),
        replicas);
  }

  /**
   * Adds an injected gateway whose pods already run: a Deployment whose pod template asks for
   * Istio's gateway template and names {@code revision} by its own {@code istio.io/rev} label,
   * which selects the injector in a namespace without injection labels (Istio's object webhooks; a
   * namespace label would win).
   */
  public ClusterSimulator injectedGateway(
      String namespace, String name, String revision, int replicas) {
    return addWorkload(
        WorkloadKind.DEPLOYMENT,
        WorkloadTemplates.injectedGateway(namespace, name, revision, replicas),
        replicas);
  }

  public ClusterSimulator statefulSet(String namespace, String name, int replicas) {
    return statefulSet(namespace, name, replicas, Injection.DEFAULT);
  }

  /** Adds a StatefulSet (RollingUpdate) whose pods already run. */
  public ClusterSimulator statefulSet(
      String namespace, String name, int replicas, Injection injection) {
    return addWorkload(
        WorkloadKind.STATEFUL_SET,
        WorkloadTemplates.statefulSet(namespace, name, replicas, injection),
        replicas);
  }

  public ClusterSimulator daemonSet(String namespace, String name, int nodes) {
    return daemonSet(namespace, name, nodes, Injection.DEFAULT);
  }

  /** Adds a DaemonSet (RollingUpdate) running on {@code nodes} nodes. */
  public ClusterSimulator daemonSet(String namespace, String name, int nodes, Injection injection) {
    return addWorkload(
        WorkloadKind.DAEMON_SET, WorkloadTemplates.daemonSet(namespace, name, injection), nodes);
  }

  private ClusterSimulator addWorkload(WorkloadKind kind, HasMetadata workload, int size) {
    if (size < 0) {
      throw new IllegalArgumentException(
          kind.kind() + " " + workload.getMetadata().getName() + ": size " + size + " < 0");
    }
    WorkloadController controller =
        workloads.stream().filter(c -> c.kind == kind).findFirst().orElseThrow();
    return setUp(() -> controller.add(workload, size));
  }

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
    return setUp(
        () -> {
          if (workloads.stream().noneMatch(c -> c.patch(namespace, name, patch))) {
            throw new IllegalArgumentException("no workload " + namespace + "/" + name);
          }
        });
  }

  /** Adds a running pod of Job {@code job}, with the sidecar its namespace injects. */
  public ClusterSimulator jobPod(String namespace, String job, String pod) {
    return setUp(() -> kubelet.createJobPod(namespace, job, pod));
  }

  /** Adds a pod that no controller owns, with the sidecar its namespace injects. */
  public ClusterSimulator barePod(String namespace, String pod) {
    return setUp(() -> kubelet.createRunning(namespace, pod, pod, Map.of(), null));
  }

  /**
   * Adds an Argo Rollout (argoproj.io/v1alpha1) with its pods running, owned by a ReplicaSet as
   * Argo's controller makes them. The simulated controller honours {@code spec.restartAt}: it
   * recreates every older pod and then sets {@code status.restartedAt}.
   */
  public ClusterSimulator rollout(String namespace, String name, int replicas) {
    return setUp(() -> argoRollouts.add(namespace, name, replicas));
  }

  /**
   * A PodDisruptionBudget over the pods with {@code selector}: while {@code disruptionsAllowed} is
   * 0 the Eviction API answers 429, as the real one does. Setting it again replaces it.
   */
  public ClusterSimulator podDisruptionBudget(
      String namespace, String name, Map<String, String> selector, int disruptionsAllowed) {
    return setUp(() -> evictionApi.budget(namespace, name, selector, disruptionsAllowed));
  }

  public EvictionCounts evictions() {
    return evictionApi.counts();
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
    setUp(() -> workloads.forEach(c -> c.rollOutAgain(workload)));
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
    context.awaitRolloutsIdle(timeout);
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** Runs {@code task} on the simulator's worker, after every event queued so far. */
  protected <T> T onWorker(Callable<T> task) {
    return context.onWorker(task);
  }

  /** Runs {@code change} on the worker and returns this simulator, for chained setup calls. */
  private ClusterSimulator setUp(Runnable change) {
    context.onWorker(
        () -> {
          change.run();
          return null;
        });
    return this;
  }

  /** Stops the controllers, the clients and the server. */
  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    context.shutdown();
    sim.close();
    client.close();
    server.destroy();
  }
}

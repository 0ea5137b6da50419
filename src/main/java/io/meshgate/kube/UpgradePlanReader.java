package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshgate.plan.PlanInput;
import io.meshgate.plan.PlanRevisions;
import io.meshgate.plan.Planner;
import io.meshgate.plan.UpgradePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads what an upgrade plan is made of ({@link PlanInput}) with plain list calls, page by page (a
 * plan is read once: no informer, no cache), and makes the plan ({@link Planner}). Every request
 * carries the user agent {@value #USER_AGENT}, so the API server's audit log tells the plan's
 * cluster-wide reads from the controller's. What it lists: MutatingWebhookConfigurations labelled
 * {@code istio.io/rev}, namespaces, Deployments, pods (metadata only; whole in ambient namespaces
 * and ztunnel's, for their nodes), DaemonSets labelled {@code app.kubernetes.io/name=ztunnel} and
 * their ControllerRevisions (their template's hash; refused without the ztunnel grant, which the
 * plan then notes), and Gateway API Gateways (their CRDs missing is no error).
 *
 * <pre>{@code
 * try (UpgradePlanReader reader = new UpgradePlanReader(client)) {
 *   UpgradePlan plan = reader.plan("1-19-0", "1-20-0");
 * }
 * }</pre>
 */
public final class UpgradePlanReader implements AutoCloseable {
  public static final String USER_AGENT = "meshgate-plan";

  static final ResourceDefinitionContext GATEWAYS =
      new ResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("Gateway")
          .withPlural("gateways")
          .withNamespaced(true)
          .build();

  private static final String LIVE = "status.phase!=Succeeded,status.phase!=Failed";
  private static final String ZTUNNEL = "app.kubernetes.io/name=ztunnel";
  private static final String DATAPLANE_MODE = "istio.io/dataplane-mode";

  private final KubernetesClient client;
  private final KubernetesClient metadata;

  /** Reads with {@code client}'s cluster and credentials, under its own user agent. */
  public UpgradePlanReader(KubernetesClient client) {
    this.client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build())
            .build();
    this.metadata = MetadataOnly.client(this.client);
  }

  /**
   * The plan from {@code from} to {@code to} (revisions or tags).
   *
   * @throws io.meshgate.plan.PlanRequestException when the names are bad, unknown or the same
   *     revision
   * @throws ClusterReadException when a list is refused or the cluster cannot be reached
   */
  public UpgradePlan plan(String from, String to) {
    PlanRevisions.checkNames(from, to);
    Map<String, String> tags = new HashMap<>();
    Set<String> revisions = new HashSet<>();
    for (MutatingWebhookConfiguration w :
        list(
            "mutatingwebhookconfigurations labelled " + Annotations.REV_LABEL,
            "mutatingwebhookconfigurations",
            Annotations.REV_LABEL,
            null,
            o -> client.admissionRegistration().v1().mutatingWebhookConfigurations().list(o))) {
      Map<String, String> labels = Meta.labels(w.getMetadata());
      String tag = labels.get(Annotations.TAG_LABEL);
      if (tag == null) {
        revisions.add(labels.get(Annotations.REV_LABEL));
      } else if (w.getMetadata().getName().equals(Annotations.TAG_WEBHOOK_PREFIX + tag)) {
        tags.put(tag, labels.get(Annotations.REV_LABEL));
      }
    }
    List<Deployment> deployments =
        list(
            "deployments (all namespaces)",
            "deployments",
            null,
            null,
            o -> client.apps().deployments().inAnyNamespace().list(o));
    Set<String> controlPlanes = new TreeSet<>();
    List<Deployment> workloads = new ArrayList<>();
    for (Deployment d : deployments) {
      Map<String, String> labels = Meta.labels(d.getMetadata());
      if (!"istiod".equals(labels.get("app"))) {
        workloads.add(d);
      } else if (labels.containsKey(Annotations.REV_LABEL)) {
        // istiod's template carries istio.io/rev too, but it is the control plane, not a gateway
        revisions.add(labels.get(Annotations.REV_LABEL));
        controlPlanes.add(d.getMetadata().getNamespace());
      }
    }
    // before the larger reads: a plan for revisions that do not exist is refused at once
    PlanRevisions.resolve(revisions, tags, from, to);
    List<PlanInput.Namespace> namespaces =
        list("namespaces", "namespaces", null, null, o -> client.namespaces().list(o)).stream()
            .map(
                ns -> new PlanInput.Namespace(ns.getMetadata().getName(), labels(ns.getMetadata())))
            .toList();
    List<PlanInput.Ztunnel> ztunnels =
        list(
                "ztunnel daemonsets (all namespaces, labelled " + ZTUNNEL + ")",
                "daemonsets",
                ZTUNNEL,
                null,
                o -> client.apps().daemonSets().inAnyNamespace().list(o))
            .stream()
            .map(this::ztunnel)
            .toList();
    Set<String> placed = new TreeSet<>();
    namespaces.stream()
        .filter(ns -> "ambient".equals(ns.labels().get(DATAPLANE_MODE)))
        .forEach(ns -> placed.add(ns.name()));
    ztunnels.forEach(z -> placed.add(z.namespace()));
    return Planner.plan(
        new PlanInput(
            tags,
            revisions,
            controlPlanes,
            namespaces,
            workloads.stream().map(UpgradePlanReader::deployment).toList(),
            pods(nodes(placed)),
            gateways(),
            ztunnels),
        from,
        to);
  }

  /** Every live pod's metadata, with its node where {@code nodes} knows it ("ns/pod"). */
  private List<PlanInput.Pod> pods(Map<String, String> nodes) {
    List<PlanInput.Pod> pods = new ArrayList<>();
    for (GenericKubernetesResource pod :
        list(
            "pods (all namespaces)",
            "pods",
            null,
            LIVE,
            o -> metadata.genericKubernetesResources(MetadataOnly.PODS).inAnyNamespace().list(o))) {
      ObjectMeta meta = pod.getMetadata();
      pods.add(
          new PlanInput.Pod(
              meta.getNamespace(),
              meta.getName(),
              labels(meta),
              NamespaceView.owner(pod),
              ProxyCensus.sidecarRevision(pod),
              nodes.get(meta.getNamespace() + "/" + meta.getName())));
    }
    return pods;
  }

  /**
   * The node of each live pod of these namespaces, by "ns/pod": whole pods, namespace by namespace.
   */
  private Map<String, String> nodes(Set<String> namespaces) {
    Map<String, String> nodes = new HashMap<>();
    for (String namespace : namespaces) {
      for (Pod pod :
          list(
              "pods in " + namespace,
              "pods",
              null,
              LIVE,
              o -> client.pods().inNamespace(namespace).list(o))) {
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
          nodes.put(namespace + "/" + pod.getMetadata().getName(), pod.getSpec().getNodeName());
        }
      }
    }
    return nodes;
  }

  /** Gateway API Gateways; null when their CRD is not installed (the list answers 404). */
  private List<PlanInput.Gateway> gateways() {
    List<GenericKubernetesResource> gateways;
    try {
      gateways =
          list(
              "gateways.gateway.networking.k8s.io (all namespaces)",
              "gateways",
              null,
              null,
              o -> client.genericKubernetesResources(GATEWAYS).inAnyNamespace().list(o));
    } catch (ClusterReadException e) {
      if (e.getCause() instanceof KubernetesClientException k && k.getCode() == 404) {
        return null;
      }
      throw e;
    }
    List<PlanInput.Gateway> list = new ArrayList<>();
    for (GenericKubernetesResource g : gateways) {
      Map<?, ?> spec =
          g.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
      list.add(
          new PlanInput.Gateway(
              g.getMetadata().getNamespace(),
              g.getMetadata().getName(),
              spec.get("gatewayClassName") instanceof String c ? c : "",
              labels(g.getMetadata()),
              annotations(g.getMetadata()),
              managed(spec.get("addresses"))));
    }
    return list;
  }

  /**
   * Whether istiod deploys the Gateway: no address, or a single IP address; an address of another
   * type names an existing Service (istio {@code gatewaycommon/gateway_utils.go}, {@code
   * IsManaged}).
   */
  static boolean managed(Object addresses) {
    if (!(addresses instanceof List<?> list) || list.isEmpty()) {
      return true;
    }
    if (list.size() > 1) {
      return false;
    }
    Object type = list.get(0) instanceof Map<?, ?> address ? address.get("type") : null;
    return type == null || "IPAddress".equals(type);
  }

  private static PlanInput.Deployment deployment(Deployment d) {
    ObjectMeta template =
        d.getSpec() == null || d.getSpec().getTemplate() == null
            ? null
            : d.getSpec().getTemplate().getMetadata();
    List<OwnerReference> owners = d.getMetadata().getOwnerReferences();
    String ownerKind =
        owners == null
            ? null
            : owners.stream()
                .filter(r -> Boolean.TRUE.equals(r.getController()))
                .map(OwnerReference::getKind)
                .findFirst()
                .orElse(null);
    return new PlanInput.Deployment(
        d.getMetadata().getNamespace(),
        d.getMetadata().getName(),
        template == null ? Map.of() : labels(template),
        template == null ? Map.of() : annotations(template),
        ownerKind);
  }

  /**
   * A ztunnel DaemonSet: the revision it names (its pods' {@code istio.io/rev}, as its chart writes
   * it), its update strategy, and its template's hash, that of its newest ControllerRevision.
   */
  private PlanInput.Ztunnel ztunnel(DaemonSet d) {
    ObjectMeta template =
        d.getSpec() == null || d.getSpec().getTemplate() == null
            ? new ObjectMeta()
            : d.getSpec().getTemplate().getMetadata();
    String revision = annotations(template).get(Annotations.REV_LABEL);
    if (revision == null) {
      revision = annotations(d.getMetadata()).get(Annotations.REV_LABEL);
    }
    if (revision == null) {
      revision = labels(template).get(Annotations.REV_LABEL);
    }
    String strategy =
        d.getSpec() == null || d.getSpec().getUpdateStrategy() == null
            ? null
            : d.getSpec().getUpdateStrategy().getType();
    return new PlanInput.Ztunnel(
        d.getMetadata().getNamespace(),
        d.getMetadata().getName(),
        revision,
        // the API server defaults an unset strategy to RollingUpdate
        strategy == null ? "RollingUpdate" : strategy,
        currentHash(d));
  }

  /**
   * The {@code controller-revision-hash} of the DaemonSet's newest ControllerRevision; null when
   * there is none or meshgate may not list them (a grant of deploy/optional/ztunnel-rbac.yaml,
   * which a plan without it does not need: the plan says so instead).
   */
  private String currentHash(DaemonSet d) {
    try {
      return ZtunnelDaemonSets.historyNewestFirst(client, d).stream()
          .findFirst()
          .map(ZtunnelDaemonSets::hash)
          .orElse(null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return null;
      }
      throw failed(
          "controllerrevisions in " + d.getMetadata().getNamespace(), "controllerrevisions", e);
    }
  }

  private static Map<String, String> labels(ObjectMeta meta) {
    return meta == null ? Map.of() : Meta.labels(meta);
  }

  private static Map<String, String> annotations(ObjectMeta meta) {
    return meta == null ? Map.of() : Meta.annotations(meta);
  }

  /** Every item, page by page; a refusal or failure names what was listed and where. */
  private <T extends HasMetadata> List<T> list(
      String what,
      String resource,
      String labelSelector,
      String fieldSelector,
      Function<ListOptions, ? extends KubernetesResourceList<T>> page) {
    List<T> items = new ArrayList<>();
    String next = null;
    do {
      KubernetesResourceList<T> one;
      try {
        one =
            page.apply(
                new ListOptionsBuilder()
                    .withLimit(NamespaceWatch.PAGE)
                    .withContinue(next)
                    .withLabelSelector(labelSelector)
                    .withFieldSelector(fieldSelector)
                    .build());
      } catch (KubernetesClientException e) {
        throw failed(what, resource, e);
      }
      items.addAll(one.getItems());
      next = one.getMetadata() == null ? null : one.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return items;
  }

  private ClusterReadException failed(String what, String resource, KubernetesClientException e) {
    String where = "cannot list " + what + " in " + client.getMasterUrl() + ": ";
    if (e.getCode() <= 0) {
      Throwable cause = e.getCause();
      return new ClusterReadException(
          where + e.getMessage() + (cause == null ? "" : " (" + cause + ")"), e);
    }
    String server =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    String hint =
        e.getCode() == 403
            ? "; the plan needs 'list' on '"
                + resource
                + "' (meshgate's ServiceAccount has it from deploy/rbac.yaml)"
            : "";
    return new ClusterReadException(
        where + "the API server answered " + e.getCode() + ": " + server + hint, e);
  }

  @Override
  public void close() {
    metadata.close();
    client.close();
  }
}

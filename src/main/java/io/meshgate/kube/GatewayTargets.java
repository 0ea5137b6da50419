package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Gateways as migration targets, observed (DESIGN.md section 12): the ones a migration's waves list
 * or select, and for each its label, rollout and the census of its pods. The Deployments and pods
 * come from the caches of the gateways' namespaces, watched while a gateway of a running migration
 * is in them; a Gateway is read on each tick (a migration names few), and a {@code gatewaySelector}
 * is one label-selected list per wave and tick.
 *
 * <pre>{@code
 * GatewayApi.Discovery discovery = gateways.discovery(); // one tick's
 * Map<String, List<GatewayRef>> selected = gateways.selected(spec, discovery);
 * Set<String> namespaces = GatewayTargets.namespaces(spec, status, selected); // to watch
 * Map<String, Observed.GatewayFacts> facts =
 *     gateways.facts(migration, spec, status, selected, to, discovery);
 * }</pre>
 */
final class GatewayTargets {
  /** The annotation of Istio's gateway injection template (the istio/gateway chart sets it). */
  static final String INJECT_TEMPLATES = "inject.istio.io/templates";

  static final String WAYPOINT_CLASS = "istio-waypoint";

  private final KubernetesClient client;
  private final NamespaceIndex namespaces;
  private final InFlightWatches inFlight;
  private final GatewayApi gatewayApi;

  GatewayTargets(
      KubernetesClient client,
      NamespaceIndex namespaces,
      InFlightWatches inFlight,
      GatewayApi gatewayApi) {
    this.client = client;
    this.namespaces = namespaces;
    this.inFlight = inFlight;
    this.gatewayApi = gatewayApi;
  }

  /** What discovery says of the Gateway API, for one tick. */
  GatewayApi.Discovery discovery() {
    return gatewayApi.discovery();
  }

  /** Gateways each wave's {@code gatewaySelector} matches now, by wave. */
  Map<String, List<GatewayRef>> selected(MigrationSpec spec, GatewayApi.Discovery discovery) {
    Map<String, List<GatewayRef>> selected = new HashMap<>();
    for (MigrationSpec.Wave wave : spec.waves()) {
      if (wave.gatewaySelector().isEmpty()) {
        continue;
      }
      List<GatewayRef> matched = new ArrayList<>();
      client
          .apps()
          .deployments()
          .inAnyNamespace()
          .withLabels(wave.gatewaySelector())
          .list()
          .getItems()
          .stream()
          .filter(d -> injectedGateway(d.getSpec().getTemplate().getMetadata()))
          .forEach(d -> matched.add(ref(GatewayRef.Kind.Deployment, d.getMetadata())));
      if (discovery.installed()) {
        gatewayApi
            .selected(wave.gatewaySelector())
            .forEach(g -> matched.add(ref(GatewayRef.Kind.Gateway, g.getMetadata())));
      }
      selected.put(wave.name(), matched);
    }
    return selected;
  }

  /**
   * The namespaces of the gateways not done yet (listed, selected, or recorded): their Deployments
   * and pods are watched.
   */
  static Set<String> namespaces(
      MigrationSpec spec, MigrationStatus status, Map<String, List<GatewayRef>> selected) {
    Set<String> needed = new LinkedHashSet<>();
    for (GatewayRef g : members(spec, status, selected)) {
      boolean done = status.gateway(g.key()).map(s -> s.phase().isTerminal()).orElse(false);
      if (!done) {
        needed.add(g.namespace());
      }
    }
    return needed;
  }

  static List<GatewayRef> members(
      MigrationSpec spec, MigrationStatus status, Map<String, List<GatewayRef>> selected) {
    Set<GatewayRef> members = new LinkedHashSet<>();
    spec.waves().forEach(w -> members.addAll(w.gateways()));
    selected.values().forEach(members::addAll);
    status.gateways().forEach(g -> members.add(GatewayRef.of(g.name())));
    return List.copyOf(members);
  }

  /** The facts of every gateway of the migration, by key. */
  Map<String, Observed.GatewayFacts> facts(
      String migration,
      MigrationSpec spec,
      MigrationStatus status,
      Map<String, List<GatewayRef>> selected,
      String toRevision,
      GatewayApi.Discovery discovery) {
    Map<String, Observed.GatewayFacts> facts = new HashMap<>();
    for (GatewayRef g : members(spec, status, selected)) {
      TargetStatus recorded = status.gateway(g.key()).orElse(null);
      TargetPhase phase = recorded == null ? TargetPhase.Pending : recorded.phase();
      SidecarGoal goal = SidecarGoal.of(phase, toRevision);
      String restartId = recorded == null ? null : recorded.restartId();
      facts.put(
          g.key(),
          g.kind() == GatewayRef.Kind.Deployment
              ? injected(migration, g, restartId)
              : rendered(migration, g, goal, discovery));
    }
    return facts;
  }

  /** An injected gateway: its Deployment, whose template label meshgate flips. */
  private Observed.GatewayFacts injected(String migration, GatewayRef g, String restartId) {
    NamespaceWatch watch = inFlight.get(g.namespace());
    Deployment d = watch == null ? null : watch.deployments.get(g.namespace() + "/" + g.name());
    if (d == null) {
      return Observed.GatewayFacts.ABSENT;
    }
    ObjectMeta template = d.getSpec().getTemplate().getMetadata();
    Map<String, String> labels = template == null ? Map.of() : Meta.labels(template);
    Map<String, String> annotations = template == null ? Map.of() : Meta.annotations(template);
    int restarted =
        restartId != null && restartId.equals(annotations.get(Annotations.RESTART_ID)) ? 1 : 0;
    Rollouts.State state = Rollouts.of(d);
    List<Obstacle> obstacles = new ArrayList<>();
    if (Boolean.TRUE.equals(d.getSpec().getPaused()) && state != Rollouts.State.COMPLETE) {
      obstacles.add(Rollouts.pausedDeployment(g.name(), " -n " + g.namespace()));
    }
    Obstacle refused = PodsRefused.of(d, state);
    if (refused != null) {
      obstacles.add(refused);
    }
    Observed.TargetFacts facts =
        new Observed.TargetFacts(
            true,
            migration.equals(Meta.annotations(d.getMetadata()).get(Annotations.MIGRATION)),
            1,
            restarted,
            restarted == 1 && state == Rollouts.State.COMPLETE ? 1 : 0,
            // a progress deadline the refusal explains is no failed rollout
            restarted == 1 && state == Rollouts.State.FAILED && refused == null,
            census(watch, p -> ("Deployment/" + g.name()).equals(NamespaceView.owner(p))),
            Map.of(),
            List.of(),
            obstacles);
    return new Observed.GatewayFacts(
        facts, labels.get(Annotations.REV_LABEL), injectedRefusal(g, template), g.name(), false);
  }

  /**
   * Why the template's label would not move the gateway: no injection at all, or a namespace label
   * that Istio's injection webhooks select by before the pod's (istio-facts.md section 4).
   */
  private Obstacle injectedRefusal(GatewayRef g, ObjectMeta template) {
    if (!injectedGateway(template)) {
      return new Obstacle(
          Reason.NOT_A_GATEWAY,
          "its pod template has neither the label "
              + Annotations.REV_LABEL
              + " nor the annotation "
              + INJECT_TEMPLATES
              + ": gateway, so it is not an injected gateway");
    }
    GenericKubernetesResource namespace = namespaces.get(g.namespace());
    Map<String, String> labels =
        namespace == null ? Map.of() : Meta.labels(namespace.getMetadata());
    for (String label : List.of(Annotations.REV_LABEL, Annotations.INJECTION_LABEL)) {
      if (labels.containsKey(label)) {
        return new Obstacle(
            Reason.NAMESPACE_LABEL_OVERRIDES,
            "its namespace is labelled "
                + label
                + "="
                + labels.get(label)
                + ", which Istio's injection webhooks select by before the pod's own label, so"
                + " flipping the pod template would not move it (migrate namespace "
                + g.namespace()
                + " instead, or remove that label)");
      }
    }
    return null;
  }

  static boolean injectedGateway(ObjectMeta template) {
    return template != null
        && (Meta.labels(template).containsKey(Annotations.REV_LABEL)
            || "gateway".equals(Meta.annotations(template).get(INJECT_TEMPLATES)));
  }

  /**
   * A Gateway API gateway or waypoint: its own label, and the Deployment istiod renders for it
   * (pods labelled {@code gateway.networking.k8s.io/gateway-name}), rolled out once its template is
   * on the revision the phase wants.
   */
  private Observed.GatewayFacts rendered(
      String migration, GatewayRef g, SidecarGoal goal, GatewayApi.Discovery discovery) {
    if (!discovery.installed()) {
      return new Observed.GatewayFacts(
          new Observed.TargetFacts(true, false, 0, 0, 0, false, Map.of()),
          null,
          new Obstacle(
              Reason.GATEWAY_API_MISSING,
              "the Gateway API is not installed (no CustomResourceDefinition "
                  + GatewayApi.CRD
                  + ")"));
    }
    GenericKubernetesResource gateway;
    try {
      gateway = gatewayApi.get(g.namespace(), g.name());
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
        throw e;
      }
      return new Observed.GatewayFacts(
          new Observed.TargetFacts(true, false, 0, 0, 0, false, Map.of()),
          null,
          new Obstacle(
              Reason.ACCESS_REFUSED,
              "meshgate may not read Gateways ("
                  + e.getStatus().getMessage()
                  + "); apply"
                  + " deploy/optional/gateway-api-rbac.yaml"));
    }
    if (gateway == null) {
      return Observed.GatewayFacts.ABSENT;
    }
    String gatewayClass = GatewayApi.gatewayClass(gateway);
    Obstacle refused =
        GatewayApi.ISTIO_CLASSES.contains(gatewayClass)
            ? null
            : new Obstacle(
                Reason.NOT_A_GATEWAY,
                "its class is "
                    + gatewayClass
                    + "; istiod deploys Gateways of class "
                    + String.join(" or ", GatewayApi.ISTIO_CLASSES)
                    + " only");
    String selects = Meta.labels(gateway.getMetadata()).get(Annotations.REV_LABEL);
    if (selects == null) {
      // istiod takes the namespace's istio.io/rev when the Gateway has none (istio-facts.md 14)
      GenericKubernetesResource namespace = namespaces.get(g.namespace());
      selects =
          namespace == null
              ? null
              : Meta.labels(namespace.getMetadata()).get(Annotations.REV_LABEL);
    }
    NamespaceWatch watch = inFlight.get(g.namespace());
    Predicate<GenericKubernetesResource> ofGateway =
        p -> g.name().equals(Meta.labels(p.getMetadata()).get(Annotations.GATEWAY_NAME_LABEL));
    Deployment deployment =
        watch == null
            ? null
            : watch.deployments.list().stream()
                .filter(
                    d ->
                        g.name()
                            .equals(
                                Meta.labels(d.getMetadata()).get(Annotations.GATEWAY_NAME_LABEL)))
                .findFirst()
                .orElse(null);
    boolean onGoal =
        deployment != null
            && !goal.stale(
                Meta.annotations(deployment.getSpec().getTemplate().getMetadata())
                    .get(Annotations.REV_LABEL));
    Rollouts.State state = deployment == null ? null : Rollouts.of(deployment);
    Observed.TargetFacts facts =
        new Observed.TargetFacts(
            true,
            migration.equals(Meta.annotations(gateway.getMetadata()).get(Annotations.MIGRATION)),
            1,
            1,
            onGoal && state == Rollouts.State.COMPLETE ? 1 : 0,
            onGoal && state == Rollouts.State.FAILED,
            watch == null ? Map.of() : census(watch, ofGateway),
            Map.of(),
            List.of(),
            List.of());
    boolean waypoint = WAYPOINT_CLASS.equals(gatewayClass);
    // istiod names what it deploys <gateway>-<class>; a waypoint's metrics carry its Gateway's name
    String workload =
        waypoint
            ? g.name()
            : deployment != null
                ? deployment.getMetadata().getName()
                : g.name() + "-" + gatewayClass;
    return new Observed.GatewayFacts(facts, selects, refused, workload, waypoint);
  }

  /**
   * Sidecars (or rendered proxies) by revision of the pods {@code mine} picks, ended ones apart.
   */
  private static Map<String, Integer> census(
      NamespaceWatch watch, Predicate<GenericKubernetesResource> mine) {
    Map<String, Integer> proxies = new LinkedHashMap<>();
    for (GenericKubernetesResource pod : watch.pods.list()) {
      if (pod.getMetadata().getDeletionTimestamp() == null && mine.test(pod)) {
        String revision = ProxyCensus.sidecarRevision(pod);
        if (revision != null) {
          proxies.merge(revision, 1, Integer::sum);
        }
      }
    }
    return proxies;
  }

  private static GatewayRef ref(GatewayRef.Kind kind, ObjectMeta meta) {
    return new GatewayRef(kind, meta.getNamespace(), meta.getName());
  }
}

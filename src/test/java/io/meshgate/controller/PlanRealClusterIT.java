package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.meshgate.app.Daemon;
import io.meshgate.cli.MeshgateCommand;
import io.meshgate.json.Mappers;
import io.meshgate.kube.UpgradePlanReader;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.RealMesh;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code meshgate plan} on Istio's own control plane (issue 25): a cluster with every kind of
 * object an upgrade moves, each selecting {@value RealClusterFixture#FROM} its own way (a namespace
 * by label, one by a tag, one by {@code istio-injection=enabled} and tag {@code default}, one whose
 * label moved on before its pods, an injected gateway, a Gateway API gateway, a waypoint, an
 * ambient namespace and its node), read by the daemon as meshgate's ServiceAccount through {@code
 * GET /api/v1/plan}, and by {@code meshgate plan} with that ServiceAccount's kubeconfig: each
 * object listed exactly once, with what moves it, using no grant but {@code deploy/rbac.yaml}'s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlanRealClusterIT {
  private static final Duration RENDERED = Duration.ofSeconds(60);
  private static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

  private static RealClusterFixture fixture;
  private static Daemon daemon;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    RealMesh mesh = fixture.mesh;
    mesh.tag("default", FROM).tag("prod", FROM);
    mesh.namespace("test", Map.of("istio.io/rev", FROM)).deployment("test", "web", 1);
    mesh.namespace("shop", Map.of("istio.io/rev", "prod")).deployment("shop", "web", 2);
    mesh.gateway("shop", "public", FROM);
    mesh.namespace("legacy", Map.of("istio-injection", "enabled")).deployment("legacy", "web", 1);
    mesh.namespace("moved", Map.of("istio.io/rev", FROM)).deployment("moved", "web", 1);
    mesh.namespace("elsewhere", Map.of("istio.io/rev", TO)).deployment("elsewhere", "web", 1);
    mesh.namespace("istio-ingress", Map.of()).injectedGateway("istio-ingress", "ingress", FROM);
    mesh.namespace("mesh", Map.of("istio.io/dataplane-mode", "ambient"))
        .deployment("mesh", "app", 1);
    mesh.istio.istioctl("waypoint", "apply", "--namespace", "mesh", "--revision", FROM);
    await("istiod renders the gateway and the waypoint")
        .atMost(RENDERED)
        .until(() -> gatewayPods("shop").size() == 1 && gatewayPods("mesh").size() == 1);
    for (String ns :
        List.of("test", "shop", "legacy", "moved", "elsewhere", "istio-ingress", "mesh")) {
      mesh.awaitSettled(ns);
    }
    // its label moves on; its pod, not restarted, stays on the old revision
    mesh.namespace("moved", Map.of("istio.io/rev", TO));
    daemon = fixture.startDaemon("meshgate-0", new ScriptedGate());
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void clearKubeconfig() {
    System.clearProperty("kubeconfig");
    System.clearProperty("kubernetes.auth.tryServiceAccount");
  }

  private static List<Pod> gatewayPods(String namespace) {
    return fixture.mesh.pods(namespace).stream()
        .filter(p -> p.getMetadata().getLabels().containsKey(GATEWAY_NAME))
        .toList();
  }

  /** The node of the ambient namespace's one application pod. */
  private static String ambientNode() {
    return fixture.mesh.pods("mesh").stream()
        .filter(p -> !p.getMetadata().getLabels().containsKey(GATEWAY_NAME))
        .map(p -> p.getSpec().getNodeName())
        .findFirst()
        .orElseThrow();
  }

  @Test
  @Order(1)
  void theDaemonsPlanListsEveryObjectExactlyOnceWithWhatMovesIt() throws Exception {
    HttpResponse<String> response = get("/api/v1/plan?from=" + FROM + "&to=" + TO);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode plan = Mappers.json().readTree(response.body());
    List<JsonNode> items = new ArrayList<>();
    plan.path("items").forEach(items::add);
    assertThat(items)
        .extracting(
            i -> i.path("kind").asText(),
            i -> i.path("namespace").asText(null),
            i -> i.path("name").asText(),
            i -> i.path("selects").path("how").asText(),
            i -> i.path("selects").path("tag").asText(null),
            i -> i.path("movedBy").asText(),
            i -> i.path("proxies").asInt())
        .containsExactly(
            tuple("Namespace", null, "legacy", "default", "default", "tagMove", 1),
            tuple("Namespace", null, "moved", "proxies", null, "restartOnly", 1),
            tuple("Namespace", null, "shop", "tag", "prod", "tagMove", 2),
            tuple("Namespace", null, "test", "label", null, "labelFlip", 1),
            tuple("Deployment", "istio-ingress", "ingress", "label", null, "labelFlip", 1),
            tuple("Gateway", "shop", "public", "label", null, "labelFlip", 1),
            tuple("Waypoint", "mesh", "waypoint", "label", null, "labelFlip", 1),
            tuple("AmbientNamespace", null, "mesh", "default", "default", "ztunnelNodeUpgrade", 0),
            tuple("Node", null, ambientNode(), "ambientPods", null, "ztunnelNodeUpgrade", 1));
    assertThat(items)
        .filteredOn(i -> i.path("kind").asText().matches("Gateway|Waypoint"))
        .extracting(i -> i.path("workload").asText())
        .as("the Deployments istiod rendered")
        .containsExactly("public-istio", "waypoint");
    assertThat(plan.path("counts").toString())
        .isEqualTo(
            "{\"Namespace\":4,\"Deployment\":1,\"Gateway\":1,\"Waypoint\":1,"
                + "\"AmbientNamespace\":1,\"Node\":1}");

    List<AuditLog.Request> reads = planRequests();
    assertThat(reads).as("the plan's requests").isNotEmpty();
    assertThat(reads).filteredOn(r -> r.code() != 200).as("refused or failed").isEmpty();
    Set<String> used = new TreeSet<>();
    reads.forEach(r -> used.add(r.verb() + " " + r.resource()));
    assertThat(used)
        .containsExactly(
            "list daemonsets",
            "list deployments",
            "list gateways",
            "list mutatingwebhookconfigurations",
            "list namespaces",
            "list pods");
  }

  @Test
  @Order(2)
  void theCliPrintsThePlanAsTheServiceAccountAndItsYamlIsAcceptedByTheApiServer() throws Exception {
    System.setProperty(
        "kubeconfig",
        fixture
            .mesh
            .cluster
            .serviceAccountKubeconfig(
                RealClusterFixture.MESHGATE_NAMESPACE, RealClusterFixture.SERVICE_ACCOUNT)
            .toString());
    System.setProperty("kubernetes.auth.tryServiceAccount", "false");

    String[] table = cli("plan", "--from", FROM, "--to", TO);
    String[] yaml = cli("plan", "--from", FROM, "--to", TO, "--output", "yaml");

    System.out.println(table[0]);
    assertThat(table[1]).isEmpty();
    assertThat(table[0])
        .containsPattern("Namespace +- +shop +tag istio.io/rev=prod +tag move")
        .containsPattern(
            "Deployment +istio-ingress +ingress +label istio.io/rev=" + FROM + " +label flip")
        .containsPattern("Waypoint +mesh +waypoint +label istio.io/rev=" + FROM + " +label flip")
        .contains(
            "9 objects select 1-19-0: 4 namespaces, 1 injected gateway, 1 Gateway, 1 waypoint, 1"
                + " ambient namespace, 1 node");
    assertThat(table[0])
        .contains(
            "Suggested RevisionMigration 1-19-0-to-1-20-0: waves first (test), gateways (3); 5 left"
                + " out. Print it with --output yaml.");
    assertThat(yaml[1]).isEmpty();
    JsonNode manifest = Mappers.yaml().readTree(yaml[0]);
    assertThat(manifest.at("/spec/waves/1/gateways"))
        .isEqualTo(
            Mappers.json()
                .readTree(
                    """
                    [{"kind": "Deployment", "namespace": "istio-ingress", "name": "ingress"},
                     {"kind": "Gateway", "namespace": "shop", "name": "public"},
                     {"kind": "Gateway", "namespace": "mesh", "name": "waypoint"}]
                    """));
    // what kubectl apply would send, gateways wave included, checked by the API server (CRD
    // schema and CEL rules, unknown fields refused) but not stored: a stored one would start a
    // migration
    fixture
        .admin
        .resource(Mappers.json().treeToValue(manifest, GenericKubernetesResource.class))
        .dryRun()
        .fieldValidation(FieldValidateable.Validation.STRICT)
        .create();
  }

  @Test
  @Order(3)
  void withoutTheGatewayApiCrdsThePlanSaysSoAndListsTheRest() throws Exception {
    fixture.mesh.removeGatewayCrd();

    HttpResponse<String> response = get("/api/v1/plan?from=" + FROM + "&to=" + TO);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode plan = Mappers.json().readTree(response.body());
    assertThat(plan.path("notes").toString())
        .contains(
            "the Gateway API CRDs are not installed (no gateway.networking.k8s.io/v1 Gateway): no"
                + " Gateway or waypoint to list");
    List<String> kinds = new ArrayList<>();
    plan.path("items").forEach(i -> kinds.add(i.path("kind").asText()));
    assertThat(kinds).doesNotContain("Gateway", "Waypoint").contains("Namespace", "Deployment");
  }

  /** Runs the command line in-process; its standard output and error. */
  private static String[] cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cmd = MeshgateCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    assertThat(cmd.execute(args)).as("exit code; stderr: %s", err).isZero();
    return new String[] {out.toString(), err.toString()};
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.httpPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** The daemon's plan requests, as the API server logged them. */
  private static List<AuditLog.Request> planRequests() {
    return fixture.meshgateRequests().stream()
        .filter(r -> r.userAgent().startsWith(UpgradePlanReader.USER_AGENT))
        .toList();
  }
}

package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test tier runs Istio's own control plane, not a stand-in: pods carry what Istio's injector
 * writes, {@code istioctl tag set} makes and moves tags, and istiod's Gateway API controller
 * deploys gateways and waypoints of the revision their label names. Every assertion here is on
 * Istio's own output, so this class fails if the fixture ever injects pods some other way.
 */
class IstioRealClusterIT {
  private static final String FROM = "1-19-0";
  private static final String TO = "1-20-0";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RENDERED = Duration.ofSeconds(60);
  private static RealMesh mesh;

  @BeforeAll
  static void start() {
    mesh = RealMesh.start(2);
    mesh.istiod(FROM).istiod(TO);
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      // a figure for docs/development.md, not a limit
      for (String revision : List.of(FROM, TO)) {
        System.out.printf(
            "istiod %s after the tests: %d MiB resident%n", revision, mesh.istio.rssMiB(revision));
      }
      mesh.close();
    }
  }

  @Test
  void theBinariesReportTheIstioVersionTheyWereBuiltFrom() throws Exception {
    String required =
        Files.readAllLines(Path.of("src/test/go/istio/go.mod")).stream()
            .map(String::strip)
            .filter(l -> l.startsWith("istio.io/istio "))
            .findFirst()
            .orElseThrow();
    String commit = required.replaceAll(".*-([0-9a-f]{12}).*", "$1");

    JsonNode client =
        JSON.readTree(mesh.istio.istioctl("version", "--remote=false", "-o", "json"))
            .path("clientVersion");

    assertThat(client.path("version").asText())
        .matches("1\\.\\d+-dev")
        .isEqualTo(mesh.istio.version());
    assertThat(client.path("revision").asText()).isEqualTo(commit);
  }

  @Test
  void podsAreInjectedByIstiosOwnInjectorOfTheLabelledRevision() throws Exception {
    mesh.namespace("injected", Map.of("istio.io/rev", TO)).deployment("injected", "web", 1);
    mesh.awaitSettled("injected");

    Pod pod = mesh.pods("injected").get(0);
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("istio.io/rev", TO);
    JsonNode status = JSON.readTree(annotations.get("sidecar.istio.io/status"));
    assertThat(status.path("revision").asText()).isEqualTo(TO);
    // a native sidecar: listed among the init containers, none among the containers
    assertThat(status.path("containers").isNull()).isTrue();
    assertThat(status.path("initContainers").toString()).contains("istio-proxy");
    assertThat(status.path("volumes").toString()).contains("istio-token", "istiod-ca-cert");
    assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("app");
    Container proxy =
        pod.getSpec().getInitContainers().stream()
            .filter(c -> c.getName().equals("istio-proxy"))
            .findFirst()
            .orElseThrow();
    assertThat(proxy.getRestartPolicy()).isEqualTo("Always");
    assertThat(proxy.getImage()).startsWith("docker.io/istio/proxyv2:");
    assertThat(proxy.getEnv())
        .extracting(EnvVar::getName)
        .contains("ISTIO_META_WORKLOAD_NAME", "PILOT_CERT_PROVIDER");
    // the revision's mesh config tells the proxy its own istiod: the Service istiod-<rev>
    assertThat(proxy.getEnv())
        .filteredOn(e -> e.getName().equals("PROXY_CONFIG"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).contains("istiod-" + TO + ".istio-system.svc"));
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("security.istio.io/tlsMode", "istio")
        .containsEntry("service.istio.io/canonical-name", "web");
  }

  @Test
  void istioctlTagSetCreatesATagAndMovesItAsUsersDo() {
    mesh.tag("prod", FROM);
    MutatingWebhookConfiguration tag = tagWebhook("prod");
    assertThat(tag.getMetadata().getLabels())
        .containsEntry("istio.io/tag", "prod")
        .containsEntry("istio.io/rev", FROM);
    assertThat(callees(tag)).containsOnly(FROM);
    mesh.namespace("tagged", Map.of("istio.io/rev", "prod")).deployment("tagged", "web", 1);
    mesh.awaitSettled("tagged");
    assertThat(mesh.census("tagged")).isEqualTo(new Census(Map.of(FROM, 1), 0));

    mesh.tag("prod", TO);
    await("istiod " + TO + " puts its CA into the moved tag")
        .atMost(RENDERED)
        .until(() -> callees(tagWebhook("prod")).equals(List.of(TO, TO)));
    mesh.admin().apps().deployments().inNamespace("tagged").withName("web").rolling().restart();
    await()
        .atMost(RENDERED)
        .untilAsserted(
            () -> assertThat(mesh.census("tagged")).isEqualTo(new Census(Map.of(TO, 1), 0)));

    mesh.istio.tagRemove("prod");
    assertThat(tagWebhook("prod")).isNull();
  }

  @Test
  void istiodDeploysAGatewayOfTheRevisionItsLabelNamesAndMovesItWhenTheLabelChanges() {
    mesh.namespace("edge", Map.of()).gateway("edge", "ingress", FROM);
    awaitGatewayDeployment("edge", "ingress-istio", FROM);
    mesh.awaitSettled("edge");
    assertThat(mesh.census("edge")).isEqualTo(new Census(Map.of(FROM, 1), 0));

    mesh.admin()
        .genericKubernetesResources("gateway.networking.k8s.io/v1", "Gateway")
        .inNamespace("edge")
        .withName("ingress")
        .edit(
            g -> {
              g.getMetadata().getLabels().put("istio.io/rev", TO);
              return g;
            });

    awaitGatewayDeployment("edge", "ingress-istio", TO);
    await()
        .atMost(RENDERED)
        .untilAsserted(
            () -> {
              assertThat(mesh.settled("edge")).isTrue();
              assertThat(mesh.census("edge")).isEqualTo(new Census(Map.of(TO, 1), 0));
            });
  }

  @Test
  void istioctlWaypointApplyGetsAWaypointDeploymentOfTheRevision() {
    mesh.namespace("ambient", Map.of("istio.io/dataplane-mode", "ambient"));
    mesh.istio.istioctl("waypoint", "apply", "--namespace", "ambient", "--revision", TO);

    Deployment waypoint = awaitGatewayDeployment("ambient", "waypoint", TO);
    assertThat(waypoint.getMetadata().getLabels())
        .containsEntry("gateway.networking.k8s.io/gateway-class-name", "istio-waypoint");
    mesh.awaitSettled("ambient");
  }

  private static Deployment awaitGatewayDeployment(String namespace, String name, String revision) {
    return await("istiod " + revision + " renders Deployment " + namespace + "/" + name)
        .atMost(RENDERED)
        .until(
            () -> mesh.admin().apps().deployments().inNamespace(namespace).withName(name).get(),
            d ->
                d != null
                    && revision.equals(
                        d.getSpec()
                            .getTemplate()
                            .getMetadata()
                            .getAnnotations()
                            .get("istio.io/rev")));
  }

  private static MutatingWebhookConfiguration tagWebhook(String tag) {
    return mesh.admin()
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("istio-revision-tag-" + tag)
        .get();
  }

  private static List<String> callees(MutatingWebhookConfiguration webhook) {
    return webhook.getWebhooks().stream()
        .map(MutatingWebhook::getClientConfig)
        .map(c -> mesh.istio.revisionServing(c.getUrl()))
        .toList();
  }
}

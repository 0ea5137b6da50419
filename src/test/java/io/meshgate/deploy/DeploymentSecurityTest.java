package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Deployment meets the "restricted" Pod Security Standard and runs two probed replicas. */
class DeploymentSecurityTest {
  private static JsonNode deployment;
  private static JsonNode pod;
  private static JsonNode container;

  @BeforeAll
  static void read() {
    deployment =
        Manifests.only(Manifests.documents(Path.of("deploy", "deployment.yaml")), "Deployment");
    pod = PodSpec.podSpec(deployment);
    container = PodSpec.container(deployment);
  }

  @Test
  void podRunsAsTheImagesNonRootUserWithTheRuntimeDefaultSeccompProfile() {
    JsonNode context = pod.path("securityContext");

    assertThat(context.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(context.path("runAsUser").asInt()).isEqualTo(10001);
    assertThat(context.path("runAsGroup").asInt()).isEqualTo(10001);
    assertThat(context.path("fsGroup").asInt()).isEqualTo(10001);
    assertThat(context.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
  }

  @Test
  void containerCannotEscalateWriteItsRootFilesystemOrKeepCapabilities() {
    JsonNode context = container.path("securityContext");

    assertThat(context.path("allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(context.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(context.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(context.path("privileged").asBoolean(false)).isFalse();
    assertThat(KustomizationTest.texts(context.path("capabilities").path("drop")))
        .containsExactly("ALL");
    assertThat(context.path("capabilities").path("add").isMissingNode()).isTrue();
  }

  @Test
  void podSharesNothingWithTheNode() {
    for (String field : new String[] {"hostNetwork", "hostPID", "hostIPC"}) {
      assertThat(pod.path(field).asBoolean(false)).as(field).isFalse();
    }
    for (JsonNode volume : pod.path("volumes")) {
      assertThat(volume.has("hostPath")).as(volume.path("name").asText()).isFalse();
    }
    assertThat(container.path("ports"))
        .allSatisfy(port -> assertThat(port.has("hostPort")).isFalse());
  }

  @Test
  void theOnlyWritableDirectoryIsAnEmptyDirAtTmp() {
    assertThat(container.path("volumeMounts"))
        .filteredOn(m -> !m.path("readOnly").asBoolean(false))
        .singleElement()
        .satisfies(m -> assertThat(m.path("mountPath").asText()).isEqualTo("/tmp"));
    assertThat(pod.path("volumes"))
        .filteredOn(v -> v.path("name").asText().equals("tmp"))
        .singleElement()
        .satisfies(v -> assertThat(v.has("emptyDir")).isTrue());
  }

  @Test
  void twoReplicasUseTheApiWithTheirServiceAccount() {
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("meshgate");
    assertThat(pod.path("automountServiceAccountToken").asBoolean()).isTrue();
    assertThat(pod.path("topologySpreadConstraints").findValuesAsText("topologyKey"))
        .contains("kubernetes.io/hostname");
  }

  @Test
  void probesCheckHealthzAndReadyzOnTheHttpPort() {
    assertThat(container.path("ports"))
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.path("name").asText()).isEqualTo("http");
              assertThat(port.path("containerPort").asInt()).isEqualTo(8080);
            });
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/healthz");
    assertThat(container.path("livenessProbe").path("httpGet").path("port").asText())
        .isEqualTo("http");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/readyz");
    assertThat(container.path("readinessProbe").path("httpGet").path("port").asText())
        .isEqualTo("http");
  }

  @Test
  void resourcesAreRequestedAndMemoryIsLimitedWithTheHeapSizedFromIt() {
    JsonNode resources = container.path("resources");

    assertThat(resources.path("requests").path("cpu").asText()).isEqualTo("100m");
    assertThat(resources.path("requests").path("memory").asText()).isEqualTo("384Mi");
    assertThat(resources.path("limits").path("memory").asText()).isEqualTo("512Mi");
    assertThat(env("JAVA_TOOL_OPTIONS").path("value").asText()).contains("-XX:MaxRAMPercentage=50");
  }

  @Test
  void podNameComesFromTheDownwardApi() {
    assertThat(env("POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("metadata.name");
  }

  @Test
  void podStaysOutOfTheMesh() {
    assertThat(
            deployment
                .path("spec")
                .path("template")
                .path("metadata")
                .path("labels")
                .path("sidecar.istio.io/inject")
                .asText())
        .isEqualTo("false");
  }

  private static JsonNode env(String name) {
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals(name)) {
        return env;
      }
    }
    throw new AssertionError("no env " + name);
  }
}

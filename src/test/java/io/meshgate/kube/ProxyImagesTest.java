package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.meshgate.migration.Observed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 26, in-place upgrades: the image an injector gives is built as Istio's injection template
 * builds it ({@code ProxyImage} and {@code updateImageTypeIfPresent} in istio/istio {@code
 * pkg/kube/inject/inject.go}; {@code files/injection-template.yaml} uses a {@code
 * global.proxy.image} holding a {@code /} as it is), and the census of an in-place upgrade reads
 * the {@code istio-proxy} container's image, a native sidecar's among the init containers.
 */
class ProxyImagesTest {
  private static final String CM = "istio-system/istio-sidecar-injector-1-20-0";

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"global":{"hub":"docker.io/istio","tag":"1.20.1"}}                                  | docker.io/istio/proxyv2:1.20.1
          {"global":{"hub":"docker.io/istio","tag":"1.20.1","proxy":{"image":"proxyv2"}}}      | docker.io/istio/proxyv2:1.20.1
          {"global":{"hub":"my.registry/istio","tag":"1.20.1","proxy":{"image":"custom"}}}     | my.registry/istio/custom:1.20.1
          {"global":{"hub":"h","tag":"1.20.1","proxy":{"image":"other.registry/proxy:v9"}}}    | other.registry/proxy:v9
          {"global":{"hub":"h","tag":"1.20.1","variant":"distroless"}}                          | h/proxyv2:1.20.1-distroless
          {"global":{"hub":"h","tag":"1.20.1-debug","variant":"distroless"}}                    | h/proxyv2:1.20.1-distroless
          {"global":{"hub":"h","tag":"1.20.1-distroless","variant":"default"}}                  | h/proxyv2:1.20.1
          {"global":{"hub":"h","tag":1.2}}                                                       | h/proxyv2:1.2
          """)
  void buildsTheProxyImageAsIstiosInjectionTemplateDoes(String values, String image) {
    assertThat(ProxyImages.fromValues(CM, values).image()).isEqualTo(image);
  }

  @Test
  void saysWhereTheImageWasRead() {
    assertThat(ProxyImages.fromValues(CM, "{\"global\":{\"hub\":\"h\",\"tag\":\"t\"}}"))
        .isEqualTo(
            new Observed.ProxyImage(
                "h/proxyv2:t",
                "ConfigMap istio-system/istio-sidecar-injector-1-20-0 (values.global)"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"global":{"tag":"1.20.1"}}  | ConfigMap istio-system/istio-sidecar-injector-1-20-0: values.global.hub or values.global.tag is missing
          not json                    | ConfigMap istio-system/istio-sidecar-injector-1-20-0: values is not JSON
          '  '                        | ConfigMap istio-system/istio-sidecar-injector-1-20-0 has no values
          """)
  void anImageThatCannotBeBuiltIsUnknownAndSaysWhy(String values, String why) {
    Observed.ProxyImage image = ProxyImages.fromValues(CM, values);
    assertThat(image.image()).isNull();
    assertThat(image.source()).startsWith(why);
  }

  private static Deployment istiod(String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("istiod-1-20-0")
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("discovery")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @Test
  void withoutTheConfigMapIstiodsPilotImageStandsForTheProxyOfTheSameHubAndTag() {
    assertThat(ProxyImages.fromIstiod("istio-system", istiod("docker.io/istio/pilot:1.20.1")))
        .isEqualTo(
            new Observed.ProxyImage(
                "docker.io/istio/proxyv2:1.20.1",
                "istiod Deployment istio-system/istiod-1-20-0 (its pilot image, as proxyv2)"));
    assertThat(ProxyImages.fromIstiod("istio-system", istiod("my.registry/istiod:custom")))
        .isEqualTo(
            new Observed.ProxyImage(
                null,
                "no injector ConfigMap, and the image of istiod Deployment"
                    + " istio-system/istiod-1-20-0 is my.registry/istiod:custom, not"
                    + " <hub>/pilot:<tag>"));
  }

  @Test
  void theDefaultRevisionsInjectorConfigMapHasNoSuffix() {
    assertThat(ProxyImages.configMapName("default")).isEqualTo("istio-sidecar-injector");
    assertThat(ProxyImages.configMapName("1-20-0")).isEqualTo("istio-sidecar-injector-1-20-0");
  }

  private static GenericKubernetesResource pod(String list, String container, String image) {
    GenericKubernetesResource pod = new GenericKubernetesResource();
    pod.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace("shop").build());
    pod.setAdditionalProperty(
        "spec",
        Map.of(
            list,
            List.of(
                Map.of("name", "app", "image", "shop/app:3"),
                Map.of("name", container, "image", image))));
    pod.setAdditionalProperty("status", Map.of("phase", "Running"));
    return pod;
  }

  @Test
  void theCensusOfAnInPlaceUpgradeReadsTheIstioProxyImageOfContainersOrNativeSidecars() {
    assertThat(ProxyCensus.proxyImage(pod("containers", "istio-proxy", "h/proxyv2:1")))
        .isEqualTo("h/proxyv2:1");
    assertThat(ProxyCensus.proxyImage(pod("initContainers", "istio-proxy", "h/proxyv2:2")))
        .isEqualTo("h/proxyv2:2");
    assertThat(ProxyCensus.proxyImage(pod("containers", "sidecar", "h/proxyv2:1")))
        .as("no istio-proxy: not counted")
        .isNull();
    GenericKubernetesResource ended = pod("containers", "istio-proxy", "h/proxyv2:1");
    ended.setAdditionalProperty("status", Map.of("phase", "Succeeded"));
    assertThat(ProxyCensus.proxyImage(ended)).isNull();
  }
}

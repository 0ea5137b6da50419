package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;

/**
 * Gateway API Gateways ({@code gateway.networking.k8s.io/v1}), which exist only where their CRDs
 * are installed: whether they are is asked of API discovery (open to every authenticated user) on
 * each tick that has a Gateway to look at, so that CRDs installed or removed meanwhile are seen;
 * Gateways are read one by one (a migration names few).
 */
final class GatewayApi {
  static final String GROUP_VERSION = "gateway.networking.k8s.io/v1";
  static final String CRD = "gateways.gateway.networking.k8s.io";

  /** The classes whose Gateways istiod deploys: gateways, and ambient's waypoints. */
  static final List<String> ISTIO_CLASSES = List.of("istio", "istio-waypoint");

  static final ResourceDefinitionContext GATEWAYS =
      new ResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("Gateway")
          .withPlural("gateways")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;

  GatewayApi(KubernetesClient client) {
    this.client = client;
  }

  /** What discovery answers, asked at most once: one tick's view. */
  Discovery discovery() {
    return new Discovery();
  }

  /**
   * Whether the Gateway CRD is installed, asked of discovery when first needed and then kept, so
   * that a tick with several Gateway targets sends one request and one with none sends none.
   */
  final class Discovery {
    private Boolean installed;

    boolean installed() {
      if (installed == null) {
        installed = GatewayApi.this.installed();
      }
      return installed;
    }
  }

  /**
   * Whether the Gateway CRD is installed: the group may serve other kinds (HTTPRoute, GatewayClass)
   * without it.
   */
  private boolean installed() {
    APIResourceList served = client.getApiResources(GROUP_VERSION);
    return served != null
        && served.getResources().stream().anyMatch(r -> GATEWAYS.getPlural().equals(r.getName()));
  }

  GenericKubernetesResource get(String namespace, String name) {
    return client.genericKubernetesResources(GATEWAYS).inNamespace(namespace).withName(name).get();
  }

  /** Gateways of Istio's classes whose labels match all of {@code selector}. */
  List<GenericKubernetesResource> selected(Map<String, String> selector) {
    return client
        .genericKubernetesResources(GATEWAYS)
        .inAnyNamespace()
        .withLabels(selector)
        .list()
        .getItems()
        .stream()
        .filter(g -> ISTIO_CLASSES.contains(gatewayClass(g)))
        .toList();
  }

  static String gatewayClass(GenericKubernetesResource gateway) {
    Object spec = gateway.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> map && map.get("gatewayClassName") instanceof String s
        ? s
        : null;
  }
}

package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Istio's sidecar injector decides and writes (istio-facts.md section 4): which revision
 * injects a new pod, and the annotations, labels and containers it adds.
 */
final class Sidecars {
  static final String INJECTION_LABEL = "istio-injection";
  static final String REVISION_LABEL = "istio.io/rev";
  static final String INJECT = "sidecar.istio.io/inject";
  static final String STATUS = "sidecar.istio.io/status";

  /** The annotation that picks the injection template; {@code gateway} for an injected gateway. */
  static final String TEMPLATES = "inject.istio.io/templates";

  static final String GATEWAY_TEMPLATE = "gateway";

  /** The volumes Istio's injection template adds, as {@code sidecar.istio.io/status} lists them. */
  private static final List<String> VOLUMES =
      List.of(
          "workload-socket",
          "credential-socket",
          "workload-certs",
          "istio-envoy",
          "istio-data",
          "istio-podinfo",
          "istio-token",
          "istiod-ca-cert",
          "istio-ca-crl");

  /** The volumes of Istio's gateway injection template: no certificate revocation list. */
  private static final List<String> GATEWAY_VOLUMES =
      List.of(
          "workload-socket",
          "credential-socket",
          "workload-certs",
          "istio-envoy",
          "istio-data",
          "istio-podinfo",
          "istio-token",
          "istiod-ca-cert");

  private static final ObjectMapper JSON = new ObjectMapper();

  private Sidecars() {}

  /**
   * The revision whose webhook injects a pod created now. Any {@code istio-injection} value wins
   * over {@code istio.io/rev} (the revision webhooks require {@code istio-injection DoesNotExist});
   * {@code sidecar.istio.io/inject: "false"} on the pod opts out. In a namespace with neither
   * label, Istio's object webhooks take the pod's own {@code istio.io/rev} label, or send a pod
   * labelled {@code sidecar.istio.io/inject: "true"} to the default revision.
   */
  static Optional<String> injectingRevision(
      Map<String, String> namespaceLabels,
      Map<String, String> podLabels,
      Map<String, String> podAnnotations) {
    if ("false".equals(podLabels.get(INJECT)) || "false".equals(podAnnotations.get(INJECT))) {
      return Optional.empty();
    }
    if (namespaceLabels.containsKey(INJECTION_LABEL)) {
      return "enabled".equals(namespaceLabels.get(INJECTION_LABEL))
          ? Optional.of("default")
          : Optional.empty();
    }
    if (namespaceLabels.containsKey(REVISION_LABEL)) {
      return Optional.of(namespaceLabels.get(REVISION_LABEL));
    }
    if (podLabels.containsKey(REVISION_LABEL)) {
      return Optional.of(podLabels.get(REVISION_LABEL));
    }
    return "true".equals(podLabels.get(INJECT)) ? Optional.of("default") : Optional.empty();
  }

  /**
   * Adds what the injector of {@code revision} adds to a pod, by the template the pod asks for: the
   * sidecar template, or the gateway template of a pod annotated {@code inject.istio.io/templates:
   * gateway}.
   */
  static void inject(Pod pod, String revision) {
    boolean gateway =
        GATEWAY_TEMPLATE.equals(
            SimContext.mapOrEmpty(pod.getMetadata().getAnnotations()).get(TEMPLATES));
    Map<String, String> labels = pod.getMetadata().getLabels();
    pod.getMetadata().getAnnotations().putAll(annotations(revision, gateway));
    pod.getMetadata()
        .getAnnotations()
        .putAll(
            Map.of(
                "prometheus.io/path", "/stats/prometheus",
                "prometheus.io/port", "15020",
                "prometheus.io/scrape", "true"));
    labels.putIfAbsent(
        "service.istio.io/canonical-name",
        labels.getOrDefault(
            "app.kubernetes.io/name",
            labels.getOrDefault("app", pod.getMetadata().getGenerateName())));
    labels.putIfAbsent(
        "service.istio.io/canonical-revision",
        labels.getOrDefault("app.kubernetes.io/version", labels.getOrDefault("version", "latest")));
    if (gateway) {
      injectGateway(pod, revision);
    } else {
      // istio-proxy as a native sidecar (an init container that keeps running, after istio-init),
      // as Istio injects it on Kubernetes 1.29 and later: spec.containers holds the application
      // only
      labels.putIfAbsent("security.istio.io/tlsMode", "istio");
      pod.getSpec().getInitContainers().add(initContainer(revision));
      pod.getSpec().getInitContainers().add(proxyContainer(revision));
    }
  }

  static Container initContainer(String revision) {
    return new ContainerBuilder().withName("istio-init").withImage(image(revision)).build();
  }

  static Container proxyContainer(String revision) {
    return new ContainerBuilder()
        .withName("istio-proxy")
        .withImage(image(revision))
        .withRestartPolicy("Always")
        .withArgs("proxy", "sidecar")
        .build();
  }

  /**
   * The gateway template ({@code gateway-injection-template.yaml} of Istio's istio-discovery
   * chart): the proxy is the pod's own container {@code istio-proxy} (the gateway chart declares it
   * with image {@code auto}), merged by name and run as a router; no {@code istio-init}.
   */
  private static void injectGateway(Pod pod, String revision) {
    Container proxy =
        new ContainerBuilder()
            .withName("istio-proxy")
            .withImage(image(revision))
            .withArgs("proxy", "router")
            .build();
    List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
    containers.replaceAll(c -> c.getName().equals(proxy.getName()) ? proxy : c);
    if (!containers.contains(proxy)) {
      containers.add(proxy);
    }
    pod.getSpec().setContainers(containers);
  }

  /**
   * The annotations of Istio's injector of {@code revision} that say which revision it is; {@code
   * sidecar.istio.io/status} lists what the template added (Istio's {@code getInjectionStatus}).
   */
  static Map<String, String> annotations(String revision, boolean gateway) {
    ObjectNode status = JSON.createObjectNode();
    if (gateway) {
      status.putNull("initContainers");
      status.putArray("containers").add("istio-proxy");
    } else {
      status.putArray("initContainers").add("istio-init").add("istio-proxy");
      status.putNull("containers");
    }
    (gateway ? GATEWAY_VOLUMES : VOLUMES).forEach(status.putArray("volumes")::add);
    status.putNull("imagePullSecrets");
    status.put("revision", revision);
    return Map.of(REVISION_LABEL, revision, STATUS, status.toString());
  }

  private static String image(String revision) {
    return "docker.io/istio/proxyv2:" + revision;
  }

  /**
   * The revision of a pod's sidecar as istioctl reads it: the {@code istio.io/rev} annotation, else
   * {@code revision} in {@code sidecar.istio.io/status}; empty for a pod without a sidecar.
   */
  static Optional<String> revisionOf(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations == null) {
      return Optional.empty();
    }
    if (annotations.containsKey(REVISION_LABEL)) {
      return Optional.of(annotations.get(REVISION_LABEL));
    }
    String status = annotations.get(STATUS);
    if (status == null) {
      return Optional.empty();
    }
    try {
      JsonNode revision = JSON.readTree(status).path("revision");
      return revision.isTextual() ? Optional.of(revision.asText()) : Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException(
          "pod "
              + pod.getMetadata().getNamespace()
              + "/"
              + pod.getMetadata().getName()
              + ": annotation "
              + STATUS
              + " is not JSON: "
              + status,
          e);
    }
  }
}

package io.meshgate.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.json.Mappers;
import io.meshgate.migration.Observed;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code istio-proxy} image a revision's injector gives newly injected pods: the target of an
 * in-place upgrade ({@code mode: Restart}, DESIGN.md section 12). Built as Istio's injection
 * template builds it ({@code ProxyImage} in {@code pkg/kube/inject/inject.go}, used by {@code
 * files/injection-template.yaml} of the istiod chart): {@code global.proxy.image} as it is when it
 * holds a {@code /}, else {@code <global.hub>/<global.proxy.image, default proxyv2>:<global.tag>}
 * with {@code global.variant} as a tag suffix; from the {@code values} of the injector ConfigMap
 * ({@code istio-sidecar-injector-<revision>}, {@code istio-sidecar-injector} for {@code default})
 * in the control-plane namespace. Without that ConfigMap, from the istiod Deployment's image: the
 * charts give {@code pilot} and {@code proxyv2} the same hub and tag.
 *
 * <p>The ConfigMaps come from an informer (labelled {@code istio.io/rev}), started when an in-place
 * upgrade first asks; it needs the grant of deploy/optional/in-place-upgrades-rbac.yaml.
 */
final class ProxyImages {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyImages.class);
  private static final ObjectMapper JSON = Mappers.json();
  static final String INJECTOR_CONFIG_MAP = "istio-sidecar-injector";
  static final String GRANT = "deploy/optional/in-place-upgrades-rbac.yaml";
  private static final List<String> IMAGE_TYPES = List.of("distroless", "debug");

  private final KubernetesClient client;
  private final String namespace;
  private final Revisions revisions;
  private final Duration deadline;
  private Watched<ConfigMap> configMaps;

  ProxyImages(KubernetesClient client, String namespace, Revisions revisions, Duration deadline) {
    this.client = client;
    this.namespace = namespace;
    this.revisions = revisions;
    this.deadline = deadline;
  }

  /** The image newly injected pods of {@code revision} get, or why it is not known. */
  Observed.ProxyImage of(String revision) {
    String name = configMapName(revision);
    List<ConfigMap> cached;
    try {
      cached = configMaps().list();
    } catch (RuntimeException e) {
      boolean forbidden = e.getCause() instanceof KubernetesClientException k && k.getCode() == 403;
      return new Observed.ProxyImage(
          null,
          forbidden
              ? "meshgate may not read the ConfigMaps of "
                  + namespace
                  + " (403 Forbidden); apply "
                  + GRANT
              : "cannot read the ConfigMaps of " + namespace + ": " + e.getMessage());
    }
    Optional<ConfigMap> injector =
        cached.stream().filter(c -> name.equals(c.getMetadata().getName())).findFirst();
    if (injector.isPresent()) {
      String values =
          injector.get().getData() == null ? null : injector.get().getData().get("values");
      return fromValues(namespace + "/" + name, values);
    }
    return revisions
        .istiod(revision)
        .map(d -> fromIstiod(namespace, d))
        .orElse(
            new Observed.ProxyImage(
                null,
                "no ConfigMap "
                    + name
                    + " nor istiod Deployment of revision "
                    + revision
                    + " in "
                    + namespace));
  }

  static String configMapName(String revision) {
    return revision.isEmpty() || revision.equals("default")
        ? INJECTOR_CONFIG_MAP
        : INJECTOR_CONFIG_MAP + "-" + revision;
  }

  /** From the {@code values} (JSON) of the injector ConfigMap {@code configMap}. */
  static Observed.ProxyImage fromValues(String configMap, String values) {
    String source = "ConfigMap " + configMap;
    if (values == null || values.isBlank()) {
      return new Observed.ProxyImage(null, source + " has no values");
    }
    JsonNode global;
    try {
      global = JSON.readTree(values).path("global");
    } catch (JsonProcessingException e) {
      return new Observed.ProxyImage(
          null, source + ": values is not JSON (" + e.getOriginalMessage() + ")");
    }
    String image = text(global.path("proxy").path("image"));
    if (image != null && image.contains("/")) {
      return new Observed.ProxyImage(image, source + " (values.global.proxy.image)");
    }
    String hub = text(global.path("hub"));
    String tag = text(global.path("tag"));
    if (hub == null || tag == null) {
      return new Observed.ProxyImage(
          null, source + ": values.global.hub or values.global.tag is missing");
    }
    String name = image == null ? "proxyv2" : image;
    return new Observed.ProxyImage(
        hub + "/" + name + ":" + withVariant(tag, text(global.path("variant"))),
        source + " (values.global)");
  }

  /** As Istio's {@code updateImageTypeIfPresent}: the variant replaces a known one of the tag. */
  static String withVariant(String tag, String variant) {
    if (variant == null) {
      return tag;
    }
    String plain = tag;
    for (String type : IMAGE_TYPES) {
      if (plain.endsWith("-" + type)) {
        plain = plain.substring(0, plain.length() - type.length() - 1);
        break;
      }
    }
    return variant.equals("default") ? plain : plain + "-" + variant;
  }

  /** {@code <hub>/pilot:<tag>} of istiod's container, as {@code <hub>/proxyv2:<tag>}. */
  static Observed.ProxyImage fromIstiod(String namespace, Deployment istiod) {
    String source = "istiod Deployment " + namespace + "/" + istiod.getMetadata().getName();
    List<Container> containers = istiod.getSpec().getTemplate().getSpec().getContainers();
    String image =
        containers.stream()
            .filter(c -> "discovery".equals(c.getName()))
            .findFirst()
            .or(() -> containers.stream().findFirst())
            .map(Container::getImage)
            .orElse(null);
    int slash = image == null ? -1 : image.lastIndexOf('/');
    String nameAndTag = image == null ? "" : image.substring(slash + 1);
    if (slash < 0 || !nameAndTag.startsWith("pilot:")) {
      return new Observed.ProxyImage(
          null,
          "no injector ConfigMap, and the image of "
              + source
              + " is "
              + image
              + ", not <hub>/pilot:<tag>");
    }
    return new Observed.ProxyImage(
        image.substring(0, slash) + "/proxyv2:" + nameAndTag.substring("pilot:".length()),
        source + " (its pilot image, as proxyv2)");
  }

  private static String text(JsonNode node) {
    return node.isMissingNode() || node.isNull() || node.asText().isEmpty() ? null : node.asText();
  }

  /** Started on first use; a failed start is tried again on the next tick. */
  private synchronized Watched<ConfigMap> configMaps() {
    if (configMaps == null) {
      Watched<ConfigMap> started =
          new Watched<>(
              "configmaps labelled " + Annotations.REV_LABEL + " in " + namespace,
              "configmaps",
              () ->
                  client
                      .configMaps()
                      .inNamespace(namespace)
                      .withLabel(Annotations.REV_LABEL)
                      .withLimit(NamespaceWatch.PAGE)
                      .runnableInformer(0),
              List.of());
      try {
        Informers.startAll(deadline, List.of(started.named()));
      } catch (RuntimeException e) {
        started.close();
        LOG.warn("cannot watch the injector ConfigMaps: {}", e.getMessage());
        throw e;
      }
      configMaps = started;
    }
    return configMaps;
  }

  synchronized void close() {
    if (configMaps != null) {
      configMaps.close();
    }
  }
}

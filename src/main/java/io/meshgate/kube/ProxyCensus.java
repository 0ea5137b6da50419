package io.meshgate.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.json.Mappers;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.SidecarGoal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which revision each sidecar runs (DESIGN.md section 5, "Proxy census"): a pod's {@code
 * istio.io/rev} annotation, else {@code revision} in its {@code sidecar.istio.io/status}
 * annotation, as istioctl reads it; pods without a sidecar, and pods that ended, are not counted.
 * Per in-flight namespace from its pod cache; across the cluster from a list of every pod's
 * metadata, page by page.
 */
final class ProxyCensus {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyCensus.class);
  private static final ObjectMapper JSON = Mappers.json();

  private final KubernetesClient metadata;
  private final InFlightWatches inFlight;

  /**
   * @param metadata a client that reads metadata only ({@link MetadataOnly#client})
   */
  ProxyCensus(KubernetesClient metadata, InFlightWatches inFlight) {
    this.metadata = metadata;
    this.inFlight = inFlight;
  }

  /**
   * Sidecars by revision in a namespace in flight, pods of Jobs left out; empty for a namespace not
   * watched.
   */
  Map<String, Integer> of(String namespace) {
    return inFlight.view(namespace, MigrationSpec.Restart.DEFAULT, SidecarGoal.onto("")).proxies;
  }

  /**
   * Namespaces running proxies of {@code revision}, from a list of every pod's metadata, page by
   * page (asked for once, when a migration succeeds: no cache holds every pod).
   */
  Set<String> namespacesRunning(String revision) {
    Set<String> running = new HashSet<>();
    String page = null;
    do {
      GenericKubernetesResourceList pods =
          metadata
              .genericKubernetesResources(MetadataOnly.PODS)
              .inAnyNamespace()
              .list(
                  new ListOptionsBuilder()
                      .withLimit(NamespaceWatch.PAGE)
                      .withContinue(page)
                      .withFieldSelector("status.phase!=Succeeded,status.phase!=Failed")
                      .build());
      for (GenericKubernetesResource pod : pods.getItems()) {
        if (revision.equals(sidecarRevision(pod))) {
          running.add(pod.getMetadata().getNamespace());
        }
      }
      page = pods.getMetadata() == null ? null : pods.getMetadata().getContinue();
    } while (page != null && !page.isEmpty());
    return running;
  }

  /**
   * The sidecar's container, in {@code containers} or, as a native sidecar, {@code initContainers}.
   */
  static final String PROXY_CONTAINER = "istio-proxy";

  /**
   * The image of the pod's sidecar (its {@value #PROXY_CONTAINER} container, or native sidecar init
   * container), read from a pod read whole; null: no sidecar, or the pod is going or gone. What an
   * in-place upgrade's census counts: the revision stays, the image changes.
   */
  static String proxyImage(GenericKubernetesResource pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return null;
    }
    String phase = MetadataOnly.podPhase(pod);
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return null;
    }
    if (!(pod.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
      return null;
    }
    for (String list : List.of("containers", "initContainers")) {
      if (spec.get(list) instanceof List<?> containers) {
        for (Object c : containers) {
          if (c instanceof Map<?, ?> container
              && PROXY_CONTAINER.equals(container.get("name"))
              && container.get("image") instanceof String image) {
            return image;
          }
        }
      }
    }
    return null;
  }

  /** The revision of the pod's sidecar, or null: no sidecar, or the pod is going or gone. */
  static String sidecarRevision(GenericKubernetesResource pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return null;
    }
    String phase = MetadataOnly.podPhase(pod);
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return null;
    }
    Map<String, String> annotations = Meta.annotations(pod.getMetadata());
    String revision = annotations.get(Annotations.REV_LABEL);
    if (revision != null && !revision.isBlank()) {
      return revision;
    }
    String status = annotations.get(Annotations.SIDECAR_STATUS);
    if (status == null) {
      return null;
    }
    try {
      JsonNode parsed = JSON.readTree(status);
      String fromStatus = parsed.path("revision").asText("");
      return fromStatus.isEmpty() ? "default" : fromStatus;
    } catch (JsonProcessingException e) {
      LOG.warn(
          "pod {}/{} has an unreadable {} annotation: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          Annotations.SIDECAR_STATUS,
          e.getOriginalMessage());
      return null;
    }
  }
}

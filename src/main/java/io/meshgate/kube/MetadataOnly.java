package io.meshgate.kube;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;

/**
 * Reading only the metadata of objects: the API server answers a list or a watch with {@code
 * PartialObjectMetadata} (names, labels, annotations, no spec or status) when asked for it in the
 * Accept header, as client-go's metadata informers do. fabric8 has no such option (its issue 5716),
 * so a client of its own sets the header on every request; objects arrive as {@link
 * GenericKubernetesResource}s. A server without the feature answers with whole objects, which read
 * the same.
 *
 * <pre>{@code
 * KubernetesClient metadata = MetadataOnly.client(client);
 * metadata.genericKubernetesResources(MetadataOnly.PODS).inNamespace("payments").list();
 * }</pre>
 */
final class MetadataOnly {
  static final ResourceDefinitionContext PODS =
      new ResourceDefinitionContext.Builder()
          .withGroup("")
          .withVersion("v1")
          .withKind("Pod")
          .withPlural("pods")
          .withNamespaced(true)
          .build();

  static final ResourceDefinitionContext NAMESPACES =
      new ResourceDefinitionContext.Builder()
          .withGroup("")
          .withVersion("v1")
          .withKind("Namespace")
          .withPlural("namespaces")
          .withNamespaced(false)
          .build();

  private static final String AS = ";g=meta.k8s.io;v=v1";
  private static final String LIST =
      "application/json;as=PartialObjectMetadataList" + AS + ",application/json";
  private static final String OBJECT =
      "application/json;as=PartialObjectMetadata" + AS + ",application/json";

  private MetadataOnly() {}

  /** A client like {@code client} whose every read asks for metadata only. */
  static KubernetesClient client(KubernetesClient client) {
    ObjectMapper mapper = new ObjectMapper();
    // the API server writes an empty PartialObjectMetadataList as "items": null, on which
    // fabric8's informer stops for good
    mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY));
    return new KubernetesClientBuilder()
        .withConfig(client.getConfiguration())
        .withKubernetesSerialization(new KubernetesSerialization(mapper, true))
        .withHttpClientBuilderConsumer(
            builder -> builder.addOrReplaceInterceptor("meshgate-metadata-only", new Accept()))
        .build();
  }

  /** The phase of a pod read whole (a server without metadata-only reads), or null. */
  static String podPhase(GenericKubernetesResource pod) {
    return pod.getAdditionalProperties().get("status") instanceof Map<?, ?> status
            && status.get("phase") instanceof String phase
        ? phase
        : null;
  }

  /** A watch streams objects (PartialObjectMetadata); a list is one (PartialObjectMetadataList). */
  private static final class Accept implements Interceptor {
    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      String query = request.uri().getRawQuery();
      boolean watch = query != null && query.contains("watch=true");
      builder.setHeader("Accept", watch ? OBJECT : LIST);
    }
  }
}

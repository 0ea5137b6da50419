package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Istio's sidecar injector as a cluster has it: a mutating admission webhook the API server calls
 * over HTTPS (a self-signed CA in each configuration's {@code caBundle}), one
 * MutatingWebhookConfiguration per revision ({@code istio-sidecar-injector-<rev>}) and per tag
 * ({@code istio-revision-tag-<tag>}) with Istio's namespace and object selectors, so that the API
 * server, not the test, decides which revision injects a pod. The pod gets what {@link Sidecars}
 * says the injector adds: {@code istio-init}, {@code istio-proxy}, and the annotations {@code
 * istio.io/rev} and {@code sidecar.istio.io/status} naming the revision.
 *
 * <pre>{@code
 * InjectorWebhook injector = InjectorWebhook.start();
 * admin.resource(injector.revisionWebhook("1-20-0")).create();
 * }</pre>
 */
public final class InjectorWebhook implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = "/inject/";

  private final HeldCertificate ca;
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicInteger injected = new AtomicInteger();

  private InjectorWebhook() throws IOException {
    ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("injector-ca").build();
    HeldCertificate serving =
        new HeldCertificate.Builder()
            .commonName("istiod")
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            .signedBy(ca)
            .build();
    HandshakeCertificates tls =
        new HandshakeCertificates.Builder().heldCertificate(serving, ca.certificate()).build();
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
    server.createContext(PATH, this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static InjectorWebhook start() {
    try {
      return new InjectorWebhook();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the injector webhook: " + e.getMessage(), e);
    }
  }

  /** Pods injected so far. */
  public int injected() {
    return injected.get();
  }

  /**
   * The configuration istiod of {@code revision} installs: namespaces labelled {@code
   * istio.io/rev=<rev>} (and not {@code istio-injection}), or pods labelled so in unlabelled
   * namespaces.
   */
  public MutatingWebhookConfiguration revisionWebhook(String revision) {
    return configuration(
        "istio-sidecar-injector-" + revision,
        Map.of(Sidecars.REVISION_LABEL, revision, "app", "sidecar-injector"),
        selectorWebhooks("rev", revision, revision));
  }

  /**
   * What {@code istioctl tag set <tag> --revision <rev>} installs: the same selectors on the tag
   * name, calling the revision's injector. Tag {@code default} also takes {@code
   * istio-injection=enabled}, as Istio's default tag does.
   */
  public MutatingWebhookConfiguration tagWebhook(String tag, String revision) {
    List<MutatingWebhook> webhooks = new ArrayList<>(selectorWebhooks("rev", tag, revision));
    if ("default".equals(tag)) {
      webhooks.add(
          webhook(
              "namespace.sidecar-injector.istio.io",
              revision,
              List.of(requirement(Sidecars.INJECTION_LABEL, "In", "enabled")),
              List.of(requirement(Sidecars.INJECT, "NotIn", "false"))));
    }
    return configuration(
        "istio-revision-tag-" + tag,
        Map.of("istio.io/tag", tag, Sidecars.REVISION_LABEL, revision, "app", "sidecar-injector"),
        webhooks);
  }

  private List<MutatingWebhook> selectorWebhooks(String prefix, String selected, String revision) {
    return List.of(
        webhook(
            prefix + ".namespace.sidecar-injector.istio.io",
            revision,
            List.of(
                requirement(Sidecars.REVISION_LABEL, "In", selected),
                requirement(Sidecars.INJECTION_LABEL, "DoesNotExist")),
            List.of(requirement(Sidecars.INJECT, "NotIn", "false"))),
        webhook(
            prefix + ".object.sidecar-injector.istio.io",
            revision,
            List.of(
                requirement(Sidecars.REVISION_LABEL, "DoesNotExist"),
                requirement(Sidecars.INJECTION_LABEL, "DoesNotExist")),
            List.of(
                requirement(Sidecars.INJECT, "NotIn", "false"),
                requirement(Sidecars.REVISION_LABEL, "In", selected))));
  }

  private MutatingWebhook webhook(
      String name,
      String revision,
      List<LabelSelectorRequirement> namespaces,
      List<LabelSelectorRequirement> objects) {
    return new MutatingWebhookBuilder()
        .withName(name)
        .withNewClientConfig()
        .withUrl("https://127.0.0.1:" + server.getAddress().getPort() + PATH + revision)
        .withCaBundle(
            Base64.getEncoder()
                .encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII)))
        .endClientConfig()
        .addNewRule()
        .withOperations("CREATE")
        .withApiGroups("")
        .withApiVersions("v1")
        .withResources("pods")
        .endRule()
        .withNewNamespaceSelector()
        .withMatchExpressions(namespaces)
        .endNamespaceSelector()
        .withNewObjectSelector()
        .withMatchExpressions(objects)
        .endObjectSelector()
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .withReinvocationPolicy("Never")
        .withTimeoutSeconds(10)
        .build();
  }

  private static MutatingWebhookConfiguration configuration(
      String name, Map<String, String> labels, List<MutatingWebhook> webhooks) {
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withWebhooks(webhooks)
        .build();
  }

  private static LabelSelectorRequirement requirement(
      String key, String operator, String... values) {
    return new LabelSelectorRequirementBuilder()
        .withKey(key)
        .withOperator(operator)
        .withValues(values.length == 0 ? null : List.of(values))
        .build();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String revision = exchange.getRequestURI().getPath().substring(PATH.length());
      JsonNode review;
      try (InputStream body = exchange.getRequestBody()) {
        review = JSON.readTree(body);
      }
      JsonNode request = review.path("request");
      ObjectNode response = JSON.createObjectNode();
      response.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
      ObjectNode answer = response.putObject("response");
      answer.put("uid", request.path("uid").asText()).put("allowed", true);
      ArrayNode patch = injection(request.path("object"), revision);
      if (!patch.isEmpty()) {
        answer
            .put("patchType", "JSONPatch")
            .put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(patch)));
        injected.incrementAndGet();
      }
      byte[] bytes = JSON.writeValueAsBytes(response);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /**
   * The JSON patch adding the sidecar of {@code revision}; empty for a pod that opts out by
   * annotation (the object selector sees only labels) or already has a proxy.
   */
  private static ArrayNode injection(JsonNode pod, String revision) {
    ArrayNode patch = JSON.createArrayNode();
    JsonNode metadata = pod.path("metadata");
    if ("false".equals(metadata.path("annotations").path(Sidecars.INJECT).asText(null))) {
      return patch;
    }
    for (JsonNode container : pod.path("spec").path("containers")) {
      if ("istio-proxy".equals(container.path("name").asText())) {
        return patch;
      }
    }
    addAll(
        patch,
        "/metadata/annotations",
        metadata.path("annotations"),
        Sidecars.annotations(revision));
    addAll(patch, "/metadata/labels", metadata.path("labels"), Sidecars.LABELS);
    add(
        patch,
        "/spec/initContainers",
        pod.path("spec").path("initContainers"),
        Sidecars.initContainer(revision));
    add(
        patch,
        "/spec/containers",
        pod.path("spec").path("containers"),
        Sidecars.proxyContainer(revision));
    return patch;
  }

  private static void addAll(
      ArrayNode patch, String path, JsonNode existing, Map<String, String> entries) {
    if (existing.isMissingNode() || existing.isNull()) {
      patch.addObject().put("op", "add").put("path", path).set("value", JSON.valueToTree(entries));
      return;
    }
    entries.forEach(
        (key, value) ->
            patch
                .addObject()
                .put("op", "add")
                .put("path", path + "/" + key.replace("~", "~0").replace("/", "~1"))
                .put("value", value));
  }

  private static void add(ArrayNode patch, String path, JsonNode existing, Container container) {
    JsonNode value = JSON.valueToTree(container);
    if (existing.isMissingNode() || existing.isNull()) {
      patch
          .addObject()
          .put("op", "add")
          .put("path", path)
          .set("value", JSON.createArrayNode().add(value));
    } else {
      patch.addObject().put("op", "add").put("path", path + "/-").set("value", value);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

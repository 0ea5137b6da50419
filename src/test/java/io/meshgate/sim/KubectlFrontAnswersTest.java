package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.meshgate.json.Mappers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link KubectlFront} answers where the mock alone would answer otherwise than an API server:
 * namespaces' phase, a missing object, a cluster-scoped object's namespace, a write with a field
 * selector, a namespace's status subresource.
 */
class KubectlFrontAnswersTest {
  private static final String TABLE =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

  private final HttpClient http = HttpClient.newHttpClient();
  private ClusterSimulator cluster;
  private KubectlFront front;

  @BeforeEach
  void start() throws Exception {
    cluster = KubectlFronts.demoCluster();
    front = KubectlFront.start(URI.create(cluster.client().getMasterUrl().toString()));
  }

  @AfterEach
  void stop() {
    front.close();
    cluster.close();
  }

  private HttpResponse<String> send(String method, String path, String accept) throws Exception {
    return http.send(
        HttpRequest.newBuilder(front.url().resolve(path))
            .header("Accept", accept)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(String path, String accept) throws Exception {
    HttpResponse<String> response = send("GET", path, accept);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Mappers.json().readTree(response.body());
  }

  /** kubectl get ns shows the phase as STATUS. */
  @Test
  void namespacesAreActive() throws Exception {
    JsonNode table = json("/api/v1/namespaces", TABLE);

    assertThat(table.path("rows").findValues("cells"))
        .allSatisfy(cells -> assertThat(cells.get(1).asText()).isEqualTo("Active"));
  }

  /** kubectl get revmig nope: error: revisionmigrations.meshgate.io "nope" not found. */
  @Test
  void aMissingObjectIsNotFoundByName() throws Exception {
    HttpResponse<String> missing =
        send("GET", "/apis/meshgate.io/v1alpha1/revisionmigrations/nope", "application/json");

    assertThat(missing.statusCode()).isEqualTo(404);
    JsonNode status = Mappers.json().readTree(missing.body());
    assertThat(status.path("reason").asText()).isEqualTo("NotFound");
    assertThat(status.path("message").asText())
        .isEqualTo("revisionmigrations.meshgate.io \"nope\" not found");
    assertThat(status.path("details").toString())
        .isEqualTo("{\"name\":\"nope\",\"group\":\"meshgate.io\",\"kind\":\"revisionmigrations\"}");
  }

  /** kubectl get revmig -o yaml shows no namespace: null for a cluster-scoped object. */
  @Test
  void aClusterScopedObjectHasNoNamespaceKey() throws Exception {
    JsonNode one = json("/apis/meshgate.io/v1alpha1/revisionmigrations/demo-1-20", "*/*");
    JsonNode list = json("/apis/meshgate.io/v1alpha1/revisionmigrations", "*/*");

    assertThat(one.path("metadata").has("namespace")).isFalse();
    assertThat(list.path("items").get(0).path("metadata").has("namespace")).isFalse();
  }

  /** The mock ignores field selectors: a delete with one would delete everything. */
  @Test
  void aWriteWithAFieldSelectorIsRefusedAndDeletesNothing() throws Exception {
    for (String reason : new String[] {"a", "b"}) {
      cluster
          .client()
          .v1()
          .events()
          .inNamespace("default")
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(reason)
                  .endMetadata()
                  .withReason(reason)
                  .build())
          .create();
    }

    HttpResponse<String> delete =
        send(
            "DELETE",
            "/api/v1/namespaces/default/events?fieldSelector=reason%3Da",
            "application/json");

    assertThat(delete.statusCode()).isEqualTo(400);
    assertThat(delete.body()).contains("field selectors to reads only, not to DELETE");
    assertThat(cluster.client().v1().events().inNamespace("default").list().getItems()).hasSize(2);
  }

  /** /api/v1/namespaces/NAME/status is the namespace's, not a resource called status. */
  @Test
  void aNamespacesStatusIsTheNamespace() throws Exception {
    JsonNode table = json("/api/v1/namespaces/payments/status", TABLE);

    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Status", "Age");
  }
}

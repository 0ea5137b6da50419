package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What kubectl asks of an API server, answered by {@link KubectlFront} for the simulator. */
class KubectlFrontTest {
  private static final ObjectMapper JSON = Mappers.json();
  private static final String TABLE =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

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

  private HttpResponse<String> get(String path, String accept) throws Exception {
    return http.send(
        HttpRequest.newBuilder(front.url().resolve(path)).header("Accept", accept).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(String path, String accept) throws Exception {
    HttpResponse<String> response = get(path, accept);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Test
  void discoveryListsTheStoredCrdWithItsShortNameAndStatusSubresource() throws Exception {
    String aggregatedFirst =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    assertThat(json("/api", aggregatedFirst).path("versions").toString()).isEqualTo("[\"v1\"]");
    assertThat(json("/apis", aggregatedFirst).path("groups").findValuesAsText("name"))
        .contains("apps", "apiextensions.k8s.io", "meshgate.io");

    JsonNode resources = json("/apis/meshgate.io/v1alpha1", "application/json").path("resources");
    assertThat(resources.findValuesAsText("name"))
        .containsExactly("revisionmigrations", "revisionmigrations/status");
    assertThat(resources.get(0).path("shortNames").toString()).isEqualTo("[\"revmig\"]");
    assertThat(resources.get(0).path("namespaced").asBoolean()).isFalse();
    assertThat(json("/api/v1", "application/json").path("resources").findValuesAsText("name"))
        .contains("namespaces", "pods", "events");
    assertThat(get("/apis/example.com/v1", "application/json").statusCode()).isEqualTo(404);
  }

  @Test
  void aTableOfRevisionMigrationsHasTheCrdPrinterColumns() throws Exception {
    JsonNode table = json("/apis/meshgate.io/v1alpha1/revisionmigrations", TABLE);

    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Phase", "Wave", "Promoted", "Age");
    JsonNode row = table.path("rows").get(0);
    assertThat(row.path("cells").get(0).asText()).isEqualTo("demo-1-20");
    assertThat(row.path("cells").get(1).isNull()).as("no status yet").isTrue();
    assertThat(row.path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
  }

  @Test
  void aTableOfNamespacesKeepsTheLabelsForKubectlsLabelColumns() throws Exception {
    JsonNode table = json("/api/v1/namespaces", TABLE);

    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Status", "Age");
    assertThat(table.path("rows").get(0).path("object").path("metadata").path("labels").toString())
        .isEqualTo("{\"istio.io/rev\":\"1-19-0\"}");
  }

  @Test
  void aListIsFilteredByItsFieldSelectorAndNamedByItsKind() throws Exception {
    KubernetesClient client = cluster.client();
    client.v1().events().inNamespace("default").resource(event("a", "demo-1-20")).create();
    client.v1().events().inNamespace("default").resource(event("b", "other")).create();

    JsonNode list =
        json(
            "/api/v1/events?fieldSelector=involvedObject.name%3Ddemo-1-20%2CinvolvedObject.namespace%3D",
            "application/json");

    assertThat(list.path("kind").asText()).isEqualTo("EventList");
    assertThat(list.path("items").findValuesAsText("reason")).containsExactly("a");
    HttpResponse<String> bad = get("/api/v1/events?fieldSelector=reason", "application/json");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("field selector term without = or !=: reason");
  }

  private static Event event(String reason, String about) {
    return new EventBuilder()
        .withNewMetadata()
        .withGenerateName("e-")
        .endMetadata()
        .withReason(reason)
        .withNewInvolvedObject()
        .withKind("RevisionMigration")
        .withName(about)
        .endInvolvedObject()
        .build();
  }

  /** kubectl get -w watches from the list's resourceVersion and expects changes only. */
  @Test
  @Timeout(60)
  void aWatchFromAListsVersionStreamsChangesOnlyAsOneRowTables() throws Exception {
    String listedAt =
        json("/apis/meshgate.io/v1alpha1/revisionmigrations", TABLE)
            .path("metadata")
            .path("resourceVersion")
            .asText();
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(
                    front
                        .url()
                        .resolve(
                            "/apis/meshgate.io/v1alpha1/revisionmigrations?watch=true&resourceVersion="
                                + listedAt))
                .header("Accept", TABLE)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      // the response starts once the mock's watch is open, but the edit must not beat the
      // stream's registration either
      await().atMost(Duration.ofSeconds(20)).until(() -> front.openWatches() == 1);
      cluster
          .client()
          .resources(RevisionMigration.class)
          .withName("demo-1-20")
          .edit(
              m -> {
                m.getMetadata().setLabels(Map.of("touched", "yes"));
                return m;
              });

      JsonNode event = JSON.readTree(lines.readLine());

      assertThat(event.path("type").asText()).isEqualTo("MODIFIED");
      assertThat(event.path("object").path("kind").asText()).isEqualTo("Table");
      assertThat(event.path("object").path("rows")).hasSize(1);
    }
  }

  /** fabric8 (meshgate status -w) asks for a WebSocket first and falls back to an HTTP watch. */
  @Test
  void aFabric8ClientWatchesThroughTheFront() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Config config = Config.empty();
    config.setMasterUrl(front.url().toString());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        Watch ignored =
            client
                .resources(RevisionMigration.class)
                .watch(
                    new Watcher<>() {
                      @Override
                      public void eventReceived(Action action, RevisionMigration resource) {
                        seen.add(action + " " + resource.getMetadata().getName());
                      }

                      @Override
                      public void onClose(WatcherException cause) {}
                    })) {
      await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("ADDED demo-1-20"));
    }
  }

  @Test
  @Timeout(60)
  void closingEndsTheWatchesItServesWithGone() throws Exception {
    BufferedReader lines = watch("/api/v1/namespaces?watch=true");
    assertThat(lines.readLine()).contains("\"ADDED\"").contains("payments");
    await().atMost(Duration.ofSeconds(20)).until(() -> front.openWatches() == 1);

    front.close();

    JsonNode farewell = JSON.readTree(lines.readLine());
    assertThat(farewell.path("type").asText()).isEqualTo("ERROR");
    assertThat(farewell.path("object").path("code").asInt()).isEqualTo(410);
    assertThat(farewell.path("object").path("message").asText())
        .isEqualTo("the simulated cluster has stopped");
    assertThat(lines.readLine()).isNull();
  }

  private BufferedReader watch(String path) throws Exception {
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(front.url().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    return new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
  }

  /**
   * An interrupted {@code kubectl get -w} says nothing; the heartbeat's failed write ends its
   * stream and the mock's watch instead of leaving them until the demo exits.
   */
  @Test
  @Timeout(60)
  void anAbandonedWatchEndsAtTheNextHeartbeat() throws Exception {
    BufferedReader lines = watch("/api/v1/namespaces?watch=true");
    assertThat(lines.readLine()).contains("payments");
    await().atMost(Duration.ofSeconds(20)).until(() -> front.openWatches() == 1);

    lines.close();

    await().atMost(WatchStream.HEARTBEAT.multipliedBy(4)).until(() -> front.openWatches() == 0);
  }

  /** A client that allows bookmarks hears one with the last version while nothing changes. */
  @Test
  @Timeout(60)
  void aQuietWatchSendsBookmarksWhenAllowed() throws Exception {
    BufferedReader lines = watch("/api/v1/namespaces?watch=true&allowWatchBookmarks=true");
    JsonNode added = JSON.readTree(lines.readLine());

    JsonNode bookmark = JSON.readTree(lines.readLine());

    assertThat(bookmark.path("type").asText()).isEqualTo("BOOKMARK");
    assertThat(bookmark.path("object").path("kind").asText()).isEqualTo("Namespace");
    assertThat(bookmark.path("object").path("metadata").path("resourceVersion").asText())
        .isEqualTo(added.path("object").path("metadata").path("resourceVersion").asText());
    lines.close();
  }

  /** A watch the mock cannot serve is a Status with a code, not an empty 200 stream. */
  @Test
  @Timeout(60)
  void aWatchTheMockRefusesIsAStatus() throws Exception {
    cluster.close();

    HttpResponse<String> refused = get("/api/v1/namespaces?watch=true", "application/json");

    assertThat(refused.statusCode()).isEqualTo(503);
    JsonNode status = JSON.readTree(refused.body());
    assertThat(status.path("kind").asText()).isEqualTo("Status");
    assertThat(status.path("reason").asText()).isEqualTo("ServiceUnavailable");
    assertThat(status.path("code").asInt()).isEqualTo(503);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "119, 119s",
    "120, 2m",
    "150, 2m30s",
    "600, 10m",
    "10800, 3h",
    "11100, 3h5m",
    "28800, 8h",
    "172800, 2d",
    "183600, 2d3h",
    "691200, 8d",
  })
  void agesReadAsKubectlPrintsThem(long seconds, String shown) {
    Instant now = Instant.parse("2026-12-07T12:00:00Z");

    assertThat(Tables.age(now.minusSeconds(seconds).toString(), now)).isEqualTo(shown);
  }

  @Test
  void theKubeconfigPointsAtTheFrontWithoutCredentials() {
    assertThat(front.kubeconfig())
        .contains("server: " + front.url())
        .contains("current-context: meshgate-demo")
        .doesNotContain("token")
        .doesNotContain("password");
  }
}

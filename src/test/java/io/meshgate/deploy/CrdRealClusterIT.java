package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Table;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.meshgate.deploy.BadManifests.BadManifest;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationStatus;
import io.meshgate.sim.RealCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD of {@code deploy/crds/} on a real API server: it installs, every shipped example is
 * accepted, the bad manifests of {@link BadManifests} are refused wherever a server can check them,
 * and {@code kubectl get revmig} shows the printer columns.
 */
class CrdRealClusterIT {
  private static final Path CRD = Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static RealCluster cluster;
  private static KubernetesClient admin;

  @BeforeAll
  static void installTheCrd() throws IOException {
    cluster = RealCluster.start();
    admin = cluster.admin();
    try (InputStream in = Files.newInputStream(CRD)) {
      admin.load(in).serverSideApply();
    }
    await("the CRD is Established")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              admin.resources(RevisionMigration.class).list();
              return true;
            });
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static List<Path> examples() {
    return ExamplesTest.examples();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyShippedExampleIsAccepted(Path example) throws IOException {
    for (HasMetadata object : load(Files.readString(example))) {
      HasMetadata created = admin.resource(object).fieldValidation(Validation.STRICT).create();
      assertThat(created.getMetadata().getUid()).isNotBlank();
      admin.resource(created).delete();
    }
  }

  /**
   * Each manifest of the shared table, posted as {@code kubectl apply} would (strict field
   * validation), as a server-side dry run: the server's own answer, whatever its API version.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.meshgate.deploy.BadManifests#all")
  void theServerRefusesWhatItCanCheck(BadManifest bad) throws Exception {
    JsonNode manifest = Mappers.yaml().readTree(bad.text());
    HttpClient http = admin.getHttpClient();
    HttpRequest post =
        http.newHttpRequestBuilder()
            .uri(
                cluster.server()
                    + "/apis/"
                    + manifest.path("apiVersion").asText()
                    + "/revisionmigrations?dryRun=All&fieldValidation=Strict")
            .post("application/json", JSON.writeValueAsString(manifest))
            .build();

    HttpResponse<String> answer = http.sendAsync(post, String.class).get(30, TimeUnit.SECONDS);

    if (bad.server() == null) {
      assertThat(answer.code())
          .as("%s is accepted by the server (%s): %s", bad, bad.whyServerAccepts(), answer.body())
          .isEqualTo(201);
    } else {
      assertThat(answer.code()).as("%s is refused: %s", bad, answer.body()).isBetween(400, 499);
      assertThat(message(answer.body())).contains(bad.server());
    }
  }

  @Test
  void printerColumnsShowPhaseWavePromotedAndAge() throws IOException {
    RevisionMigration rm =
        Mappers.yaml()
            .readValue(
                Files.readString(ExamplesTest.EXAMPLES.resolve("istio-1-20.yaml")),
                RevisionMigration.class);
    rm.getMetadata().setName("columns");
    RevisionMigration created = admin.resource(rm).create();
    created.setStatus(
        new RevisionMigrationStatus(
            "Progressing", "staging", "1/3", List.of(), null, List.of(), List.of(), 1L, null));
    admin.resource(created).updateStatus();

    Table table = admin.resources(RevisionMigration.class).withName("columns").getAsTable();

    assertThat(table.getColumnDefinitions())
        .extracting(TableColumnDefinition::getName)
        .containsExactly("Name", "Phase", "Wave", "Promoted", "Age");
    assertThat(table.getRows()).hasSize(1);
    assertThat(table.getRows().get(0).getCells().subList(0, 4))
        .containsExactly("columns", "Progressing", "staging", "1/3");
    assertThat(table.getRows().get(0).getCells().get(4).toString()).matches("\\d+s");
  }

  /** The message of a Status answer; the body itself when it is none (a plain 404). */
  private static String message(String body) {
    try {
      return JSON.readTree(body).path("message").asText(body);
    } catch (IOException e) {
      return body;
    }
  }

  private static List<HasMetadata> load(String yaml) {
    return admin.load(new java.io.ByteArrayInputStream(yaml.getBytes())).items();
  }
}

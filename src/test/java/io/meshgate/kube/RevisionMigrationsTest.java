package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshgate.gate.Verdict;
import io.meshgate.json.Mappers;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertFingerprints;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.Condition;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationSpec.GateRef;
import io.meshgate.migration.MigrationSpec.MaintenanceWindow;
import io.meshgate.migration.MigrationSpec.Restart;
import io.meshgate.migration.MigrationSpec.Wave;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.WorkloadKind;
import io.meshgate.validate.RevisionMigrationSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RevisionMigrationsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Only what the CRD requires; everything else is left to the defaults. */
  private static final String MINIMAL =
      """
      fromRevision: 1-19-0
      toRevision: 1-20-0
      waves: [{name: test, namespaces: [test]}]
      gates: [{rule: error-rate}]
      window: {cron: "0 0 1 ? * MON-FRI", duration: 4h}
      """;

  private static RevisionMigrationSpec spec(JsonNode node) throws IOException {
    return Mappers.yaml().treeToValue(node, RevisionMigrationSpec.class);
  }

  @Test
  void fullExampleMapsEveryField() throws IOException {
    RevisionMigration resource =
        SERIALIZATION.unmarshal(
            Files.readString(Path.of("deploy/examples/istio-1-20.yaml")), RevisionMigration.class);

    MigrationSpec spec = RevisionMigrations.toSpec(resource.getSpec());

    assertThat(spec)
        .isEqualTo(
            new MigrationSpec(
                "1-19-0",
                "1-20-0",
                List.of(
                    new Wave("test", List.of("test"), null, Duration.ofMinutes(10), 1, false),
                    new Wave(
                        "staging",
                        List.of("staging-payments", "staging-checkout"),
                        null,
                        Duration.ofMinutes(30),
                        2,
                        false),
                    new Wave("prod", null, Map.of("env", "prod"), Duration.ofHours(1), 1, true)),
                List.of(
                    new GateRef("error-rate", 0.01, null, null, null, null),
                    new GateRef("p99-latency", null, null, 0.2, null, null),
                    new GateRef("convergence-time", null, null, null, null, null),
                    new GateRef("xds-rejects", null, null, null, null, null)),
                Duration.ofSeconds(30),
                3,
                3,
                10,
                Duration.ofMinutes(30),
                MigrationSpec.OnFailure.Rollback,
                MigrationSpec.RollbackScope.Namespace,
                1,
                new Restart(
                    WorkloadKind.BUILT_IN,
                    5,
                    Duration.ofMinutes(10),
                    MigrationSpec.Partitioned.Hold,
                    false),
                new MaintenanceWindow("0 0 1 ? * MON-FRI", Duration.ofHours(4), "UTC"),
                false,
                false,
                null));
  }

  @Test
  void leftOutFieldsGetTheDocumentedDefaults() throws IOException {
    MigrationSpec spec = RevisionMigrations.toSpec(spec(Mappers.yaml().readTree(MINIMAL)));

    assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.failureLimit()).isEqualTo(3);
    assertThat(spec.passStreak()).isEqualTo(3);
    assertThat(spec.noDataLimit()).isEqualTo(10);
    assertThat(spec.baselineWindow()).isEqualTo(Duration.ofMinutes(30));
    assertThat(spec.onFailure()).isEqualTo(MigrationSpec.OnFailure.Rollback);
    assertThat(spec.rollbackScope()).isEqualTo(MigrationSpec.RollbackScope.Namespace);
    assertThat(spec.maxRollbacks()).isEqualTo(1);
    assertThat(spec.restart()).isEqualTo(Restart.DEFAULT);
    assertThat(spec.window().timeZone()).isEqualTo("UTC");
    assertThat(spec.paused()).isFalse();
    assertThat(spec.dryRun()).isFalse();
    assertThat(spec.waves().get(0))
        .isEqualTo(new Wave("test", List.of("test"), null, Duration.ZERO, 1, false));
  }

  @Test
  void mapperDefaultsAreTheOnesTheApiServerApplies() throws IOException {
    JsonNode minimal = Mappers.yaml().readTree(MINIMAL);
    JsonNode defaulted =
        applyDefaults(
            minimal.deepCopy(),
            RevisionMigrationSchema.openApiSchema().path("properties").path("spec"));

    assertThat(defaulted).isNotEqualTo(minimal);
    assertThat(RevisionMigrations.toSpec(spec(defaulted)))
        .isEqualTo(RevisionMigrations.toSpec(spec(minimal)));
  }

  /** What the API server does with {@code default}: fill absent fields, then descend. */
  static JsonNode applyDefaults(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        if (!object.has(property.getKey()) && property.getValue().has("default")) {
          object.set(property.getKey(), property.getValue().get("default").deepCopy());
        }
        if (object.has(property.getKey())) {
          applyDefaults(object.get(property.getKey()), property.getValue());
        }
      }
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> applyDefaults(item, schema.path("items")));
    }
    return value;
  }

  @Test
  void malformedDurationNamesTheField() throws IOException {
    ObjectNode node = (ObjectNode) Mappers.yaml().readTree(MINIMAL);
    node.put("interval", "soon");
    RevisionMigrationSpec spec = spec(node);

    assertThatThrownBy(() -> RevisionMigrations.toSpec(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval: \"soon\" is not a duration; expected e.g. 30s, 5m or 1h30m");
  }

  @Test
  void unknownEnumConstantNamesTheFieldAndTheChoices() throws IOException {
    ObjectNode node = (ObjectNode) Mappers.yaml().readTree(MINIMAL);
    node.put("rollbackScope", "Cluster");
    RevisionMigrationSpec spec = spec(node);

    assertThatThrownBy(() -> RevisionMigrations.toSpec(spec))
        .hasMessage("rollbackScope is \"Cluster\"; expected one of Namespace, Migration");
  }

  @Test
  void missingStatusIsTheInitialOne() {
    assertThat(RevisionMigrations.toStatus(null)).isEqualTo(MigrationStatus.initial());
  }

  @Test
  void statusSurvivesAWriteAndReadThroughTheApiServerFormat() throws IOException {
    Instant t = Instant.parse("2025-03-01T10:15:30Z");
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "staging",
            "1/3",
            List.of(
                new TargetStatus(
                    "test",
                    "test",
                    TargetPhase.Promoted,
                    t,
                    Map.of("error-rate", 0.0004, "p99-latency", 87.0),
                    Map.of(),
                    new TargetStatus.Verdict(Verdict.PROMOTE, "every rule passed 3 times", t),
                    Map.of("error-rate", 0),
                    3,
                    0,
                    new TargetStatus.Proxies(11, 0),
                    "istio-1-20/test/1",
                    t.minusSeconds(300)),
                new TargetStatus(
                    "staging-payments",
                    "staging",
                    TargetPhase.Soaking,
                    t.plusSeconds(600),
                    Map.of("error-rate", 0.001),
                    Map.of(),
                    new TargetStatus.Verdict(
                        Verdict.HOLD, "warning rule convergence-time failed", t.plusSeconds(630)),
                    Map.of("convergence-time", 2),
                    0,
                    1,
                    new TargetStatus.Proxies(7, 1),
                    "istio-1-20/staging-payments/1",
                    null),
                TargetStatus.pending("staging-checkout", "staging")),
            List.of(
                new AlertRecord(
                    AlertAction.ROLLBACK,
                    "staging-payments",
                    null,
                    List.of("IstioHigh5xx"),
                    1,
                    AlertFingerprints.EMPTY.with(new long[] {0x1d2c3b4a5f6e7d8cL}, 100),
                    t,
                    t)),
            List.of(
                new Condition(
                    "OldRevisionUnused", "False", "NamespacesOnOldRevision", "2 left", t, 4L)),
            4L,
            new MigrationStatus.Revisions(
                "1-19-0",
                "1-20-0",
                new MigrationStatus.TagMove("prod-stable", "1-19-0", "1-20-0")));
    RevisionMigration resource =
        SERIALIZATION.unmarshal(
            Files.readString(Path.of("deploy/examples/istio-1-20.yaml")), RevisionMigration.class);
    resource.setStatus(RevisionMigrations.fromStatus(status));

    String json = SERIALIZATION.asJson(resource);
    RevisionMigration read = SERIALIZATION.unmarshal(json, RevisionMigration.class);

    assertThat(RevisionMigrations.toStatus(read.getStatus())).isEqualTo(status);
    assertThat(RevisionMigrationSchema.problems(Mappers.yaml().readTree(json))).isEmpty();
  }

  @Test
  void statusWithoutPhaseOrCountersReadsAsPending() throws IOException {
    RevisionMigrationStatus stored =
        Mappers.yaml()
            .readValue("namespaces: [{name: test, wave: test}]", RevisionMigrationStatus.class);

    assertThat(RevisionMigrations.toStatus(stored))
        .isEqualTo(
            new MigrationStatus(
                MigrationPhase.Pending,
                null,
                null,
                List.of(TargetStatus.pending("test", "test")),
                List.of(),
                List.of(),
                null,
                null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-21T10:00:00Z",
        "2026-11-21T10:00:00.5Z",
        "2026-11-21T10:00:00.123456789Z",
        "2026-11-21T10:00:00.000001Z",
        "2024-02-29T23:59:59Z",
        "2026-11-21T12:00:00+02:00",
        "2026-11-21T10:00:00.25-05:30",
        "0001-01-01T00:00:00Z"
      })
  void readsEveryRfc3339TimeAsTheJdkDoes(String text) {
    assertThat(Rfc3339.parse(text))
        .isEqualTo(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-11-21T24:00:00Z",
        "2026-11-21T10:00:00.1234567890Z",
        "2026-11-21 10:00:00Z",
        "2026-11-21T10:00:0xZ"
      })
  void refusesWhatIsNotRfc3339(String text) {
    assertThatThrownBy(() -> Rfc3339.parse(text))
        .isInstanceOf(java.time.format.DateTimeParseException.class);
  }

  /** Issue "Nothing a cluster sends can stop the daemon", point 5. */
  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void aBaselineThatIsNoFiniteNumberIsWrittenAsNull(double value) throws Exception {
    Map<String, Double> baseline = new java.util.HashMap<>();
    baseline.put("p99-latency", value);
    baseline.put("error-rate", 0.002);
    MigrationStatus status =
        MigrationStatus.initial()
            .withNamespaces(
                List.of(
                    TargetStatus.pending("payments", "all")
                        .withBaseline(baseline, Map.of("p99-latency", "not finite"))));

    String json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(RevisionMigrations.fromStatus(status));

    assertThat(json)
        .contains("\"baseline\":{\"error-rate\":0.002,\"p99-latency\":null}")
        .contains("\"baselineNotes\":{\"p99-latency\":\"not finite\"}")
        .doesNotContain("NaN")
        .doesNotContain("Infinity");
  }
}

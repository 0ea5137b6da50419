package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshgate.gate.Verdict;
import io.meshgate.json.Mappers;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.validate.RevisionMigrationSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A ztunnel wave's spec, and its nodes' status, between the resource and the migration's records.
 */
class ZtunnelMappingTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static MigrationSpec.Wave onlyWave(String waves) throws IOException {
    JsonNode node =
        Mappers.yaml()
            .readTree("fromRevision: 1-19-0\ntoRevision: 1-20-0\nwaves:\n" + waves.indent(2));
    return RevisionMigrations.toSpec(Mappers.yaml().treeToValue(node, RevisionMigrationSpec.class))
        .waves()
        .get(0);
  }

  @Test
  void aZtunnelWaveMapsEveryFieldAndItsNodesMaxConcurrentIsTheWaves() throws IOException {
    MigrationSpec.Wave wave =
        onlyWave(
            """
            - name: ztunnel
              ztunnel:
                daemonSet: {namespace: kube-system, name: ztunnel-canary}
                nodes: {selector: {matchLabels: {pool: general}}, maxConcurrent: 3}
                drain: {timeout: 15m}
              soak: 5m
            """);

    assertThat(wave)
        .isEqualTo(
            new MigrationSpec.Wave(
                "ztunnel",
                null,
                null,
                null,
                null,
                Duration.ofMinutes(5),
                3,
                false,
                new MigrationSpec.Ztunnel(
                    "kube-system",
                    "ztunnel-canary",
                    Map.of("pool", "general"),
                    3,
                    Duration.ofMinutes(15))));
  }

  @Test
  void anEmptyZtunnelIsIstiosDaemonSetOnEveryNodeOneAtATimeWithATenMinuteDrain()
      throws IOException {
    MigrationSpec.Wave wave = onlyWave("- {name: ztunnel, ztunnel: {}}");

    assertThat(wave.ztunnel())
        .isEqualTo(
            new MigrationSpec.Ztunnel(
                "istio-system", "ztunnel", Map.of(), 1, Duration.ofMinutes(10)));
    assertThat(wave.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void ztunnelDefaultsAreTheOnesTheApiServerApplies() throws IOException {
    JsonNode written =
        Mappers.yaml()
            .readTree(
                """
                fromRevision: 1-19-0
                toRevision: 1-20-0
                waves: [{name: ztunnel, ztunnel: {nodes: {selector: {matchLabels: {pool: a}}}}}]
                """);
    JsonNode defaulted =
        RevisionMigrationsTest.applyDefaults(
            written.deepCopy(),
            RevisionMigrationSchema.openApiSchema().path("properties").path("spec"));

    assertThat(defaulted.at("/waves/0/ztunnel/daemonSet/namespace").asText())
        .isEqualTo("istio-system");
    assertThat(defaulted.at("/waves/0/ztunnel/drain/timeout").asText()).isEqualTo("10m");
    assertThat(
            RevisionMigrations.toSpec(
                Mappers.yaml().treeToValue(defaulted, RevisionMigrationSpec.class)))
        .isEqualTo(
            RevisionMigrations.toSpec(
                Mappers.yaml().treeToValue(written, RevisionMigrationSpec.class)));
  }

  @Test
  void aWaveWithoutZtunnelHasNone() throws IOException {
    assertThat(onlyWave("- {name: test, namespaces: [test], maxConcurrent: 2}"))
        .isEqualTo(new MigrationSpec.Wave("test", List.of("test"), null, Duration.ZERO, 2, false));
  }

  @Test
  void aMalformedDrainTimeoutNamesTheField() {
    assertThatThrownBy(() -> onlyWave("- {name: z, ztunnel: {drain: {timeout: soon}}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ztunnel.drain.timeout: \"soon\" is not a duration; expected e.g. 30s, 5m or 1h30m");
  }

  @Test
  void nodesAndTheZtunnelTemplatesSurviveAWriteAndReadThroughTheApiServerFormat()
      throws IOException {
    Instant t = Instant.parse("2026-12-07T10:15:30Z");
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "ztunnel",
            "1/2",
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            2L,
            new MigrationStatus.Revisions(
                "1-19-0",
                "1-20-0",
                null,
                new MigrationStatus.ZtunnelTemplates("6d4b7c9f8", "7f9c6b5d4")),
            List.of(
                new TargetStatus(
                    NodeRef.key("worker-1"),
                    "ztunnel",
                    TargetPhase.Promoted,
                    t,
                    Map.of("ztunnel-connection-failures", 0.0),
                    Map.of(),
                    new TargetStatus.Verdict(Verdict.PROMOTE, "every rule passed 3 times", t),
                    Map.of(),
                    3,
                    0,
                    new TargetStatus.Proxies(1, 0),
                    null,
                    t.minusSeconds(300)),
                TargetStatus.pending(NodeRef.key("worker-2"), "ztunnel")));
    RevisionMigration resource =
        SERIALIZATION.unmarshal(
            Files.readString(Path.of("deploy/examples/istio-1-20.yaml")), RevisionMigration.class);
    resource.setStatus(RevisionMigrations.fromStatus(status));

    String json = SERIALIZATION.asJson(resource);
    JsonNode stored = Mappers.json().readTree(json).path("status");
    RevisionMigration read = SERIALIZATION.unmarshal(json, RevisionMigration.class);

    assertThat(stored.at("/nodes/0/name").asText()).isEqualTo("worker-1");
    assertThat(stored.at("/nodes/1/name").asText()).isEqualTo("worker-2");
    assertThat(stored.at("/revisions/ztunnel/from").asText()).isEqualTo("6d4b7c9f8");
    assertThat(stored.at("/revisions/ztunnel/to").asText()).isEqualTo("7f9c6b5d4");
    assertThat(RevisionMigrations.toStatus(read.getStatus())).isEqualTo(status);
    assertThat(RevisionMigrationSchema.problems(Mappers.yaml().readTree(json))).isEmpty();
  }

  @Test
  void aStoredNodeIsFoundByItsPlainName() throws IOException {
    RevisionMigrationStatus stored =
        Mappers.yaml()
            .readValue(
                "nodes: [{name: worker-1, wave: ztunnel, phase: Soaking}]",
                RevisionMigrationStatus.class);

    MigrationStatus status = RevisionMigrations.toStatus(stored);

    assertThat(status.node("worker-1")).map(TargetStatus::phase).contains(TargetPhase.Soaking);
    assertThat(status.targets()).extracting(TargetStatus::name).containsExactly("Node/worker-1");
  }

  @Test
  void aStatusWithoutNodesWritesNoNodesField() throws IOException {
    String json =
        Mappers.json().writeValueAsString(RevisionMigrations.fromStatus(MigrationStatus.initial()));

    assertThat(json).doesNotContain("nodes").doesNotContain("ztunnel");
  }

  @Test
  void theStatusWithoutAlertsKeepsItsNodes() throws IOException {
    RevisionMigrationStatus stored =
        Mappers.yaml()
            .readValue(
                "nodes: [{name: worker-1, wave: ztunnel}]\n"
                    + "revisions: {from: 1-19-0, to: 1-20-0, ztunnel: {from: a1, to: b2}}",
                RevisionMigrationStatus.class);

    MigrationStatus status = RevisionMigrations.toStatusWithoutAlerts(stored);

    assertThat(status.node("worker-1")).isPresent();
    assertThat(status.revisions().ztunnel())
        .isEqualTo(new MigrationStatus.ZtunnelTemplates("a1", "b2"));
  }
}

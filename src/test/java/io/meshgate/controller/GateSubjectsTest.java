package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.Ambient;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.Observed;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 27: the gate is handed the nodes of ztunnel waves by their key, with the control cohort of
 * the nodes still on the old ztunnel template.
 */
class GateSubjectsTest {
  private static final String OLD = "6b9f7c8d4";
  private static final String NEW = "7c4d5f9a1";

  private static Ambient.Node node(String hash) {
    return new Ambient.Node(
        true,
        false,
        null,
        List.of(),
        List.of(),
        hash == null ? null : new Ambient.ZtunnelPod("ztunnel-" + hash, hash, true, false));
  }

  private static Observed observed(Map<String, List<String>> selected, Map<String, String> hashes) {
    Map<String, Ambient.Node> nodes = new HashMap<>();
    hashes.forEach((name, hash) -> nodes.put(name, node(hash)));
    Ambient ambient =
        new Ambient(
            selected, nodes, new Ambient.ZtunnelDaemonSet(true, "OnDelete", NEW, OLD), null);
    return new Observed(
        true, true, Map.of(), Map.of(), Set.of(), Map.of(), Set.of(), Map.of(), Map.of(), null,
        null, ambient);
  }

  private static TargetStatus node(String name, TargetPhase phase) {
    TargetStatus pending = TargetStatus.pending(NodeRef.key(name), "ztunnel");
    return new TargetStatus(
        pending.name(),
        pending.wave(),
        phase,
        null,
        null,
        Map.of(),
        null,
        Map.of(),
        0,
        0,
        null,
        null,
        null);
  }

  private static MigrationStatus status(
      MigrationStatus.ZtunnelTemplates templates, TargetStatus... nodes) {
    return new MigrationStatus(
        MigrationPhase.Progressing,
        "ztunnel",
        "0/4",
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        new MigrationStatus.Revisions("1-19-0", "1-20-0", null, templates),
        List.of(nodes));
  }

  private static GateSubjects subjects(
      List<String> targets, MigrationStatus status, Observed observed) {
    return GateSubjects.of(
        targets,
        status,
        observed,
        () -> {
          throw new AssertionError("no namespace is judged: the namespaces' cohort is not asked");
        },
        MigrationController.COHORT_LIMIT);
  }

  @Test
  void aNodeIsJudgedByItsKeyWithTheNodesNotStartedThatStillRunTheOldZtunnel() {
    Observed observed =
        observed(
            Map.of("ztunnel", List.of("w-1", "w-2", "w-3", "w-4", "w-5", "w-6")),
            Map.of("w-1", NEW, "w-2", OLD, "w-3", OLD, "w-4", NEW, "w-5", OLD));
    MigrationStatus status =
        status(
            new MigrationStatus.ZtunnelTemplates(OLD, NEW),
            node("w-1", TargetPhase.Verifying),
            node("w-2", TargetPhase.Pending),
            node("w-3", TargetPhase.Migrating));

    GateSubjects subjects = subjects(List.of(NodeRef.key("w-1")), status, observed);

    assertThat(subjects.nodes()).containsExactly(new GateSubjects.Node("Node/w-1", "w-1"));
    assertThat(subjects.nodeCohort())
        .as(
            "w-2 pending on the old template, w-5 with no status entry yet; not w-3 (started),"
                + " w-4 (already on the new template, moved by hand), w-6 (not observed)")
        .extracting(GateSubjects.Node::name)
        .containsExactly("w-2", "w-5");
    assertThat(subjects.namespaces()).isEmpty();
    assertThat(subjects.gateways()).isEmpty();
    assertThat(subjects.isEmpty()).isFalse();
  }

  @Test
  void beforeTheWaveRecordsItsTemplatesTheOldOnesAreAnyButTheDaemonSetsCurrentOne() {
    Observed observed =
        observed(
            Map.of("ztunnel", List.of("w-1", "w-2", "w-3")),
            Map.of("w-1", OLD, "w-2", "5e8a2b3c0", "w-3", NEW));

    GateSubjects subjects =
        subjects(
            List.of(NodeRef.key("w-9")),
            status(null, node("w-9", TargetPhase.Verifying)),
            observed);

    assertThat(subjects.nodeCohort())
        .extracting(GateSubjects.Node::name)
        .containsExactly("w-1", "w-2");
  }

  @Test
  void theNodesOfEveryZtunnelWaveMakeOneCohortOfAtMostTheLimitInNameOrder() {
    Map<String, String> hashes = new HashMap<>();
    List<String> pool = new ArrayList<>();
    IntStream.range(0, 80)
        .forEach(
            i -> {
              String name = String.format("w-%03d", i);
              pool.add(name);
              hashes.put(name, OLD);
            });
    Observed observed =
        observed(
            Map.of("general", pool.subList(40, 80), "gpu", pool.subList(0, 40), "again", pool),
            hashes);

    List<GateSubjects.Node> cohort =
        subjects(
                List.of(NodeRef.key("w-999")),
                status(new MigrationStatus.ZtunnelTemplates(OLD, NEW)),
                observed)
            .nodeCohort();

    assertThat(cohort).hasSize(MigrationController.COHORT_LIMIT);
    assertThat(cohort.get(0)).isEqualTo(GateSubjects.Node.named("w-000"));
    assertThat(cohort).doesNotHaveDuplicates();
  }

  @Test
  void namespacesAndGatewaysAskForNoNodeCohortAndANodeKeyIsNeverTakenForANamespace() {
    Observed observed = observed(Map.of("ztunnel", List.of("w-1")), Map.of("w-1", OLD));
    List<String> asked = new ArrayList<>();

    GateSubjects subjects =
        GateSubjects.of(
            List.of("payments", NodeRef.key("w-2")),
            status(new MigrationStatus.ZtunnelTemplates(OLD, NEW)),
            observed,
            () -> {
              asked.add("namespaces");
              return List.of("orders");
            },
            MigrationController.COHORT_LIMIT);
    GateSubjects namespacesOnly =
        GateSubjects.of(
            List.of("payments"),
            status(new MigrationStatus.ZtunnelTemplates(OLD, NEW)),
            observed,
            List::of,
            MigrationController.COHORT_LIMIT);

    assertThat(subjects.namespaces()).containsExactly("payments");
    assertThat(subjects.cohort()).containsExactly("orders");
    assertThat(subjects.nodes()).extracting(GateSubjects.Node::key).containsExactly("Node/w-2");
    assertThat(subjects.nodeCohort()).extracting(GateSubjects.Node::name).containsExactly("w-1");
    assertThat(asked).containsExactly("namespaces");
    assertThat(namespacesOnly.nodes()).isEmpty();
    assertThat(namespacesOnly.nodeCohort()).isEmpty();
  }
}

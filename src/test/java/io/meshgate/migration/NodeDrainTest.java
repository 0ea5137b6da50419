package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The step table of one node (issue 27): from what the node is now to the next step toward the
 * template {@code new}, whoever cordoned it, whatever a budget says, however far the replacement
 * got; the same table serves the way back (toward {@code old}).
 */
class NodeDrainTest {
  private static final String MIGRATION = "istio-1-20";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # case                                   | cordoned by | pods | budget | timed out | ztunnel hash | ready | terminating | toward | step     | reason
          untouched node: cordon first             | -           | 2    | false  | false     | old          | true  | false       | new    | CORDON   | -
          cordoned by us: evict its ambient pods   | us          | 2    | false  | false     | old          | true  | false       | new    | EVICT    | -
          budget refuses, timeout not reached      | us          | 2    | true   | false     | old          | true  | false       | new    | EVICT    | -
          budget refuses past drain.timeout        | us          | 2    | true   | true      | old          | true  | false       | new    | BLOCKED  | DRAIN_BLOCKED
          timed out but no budget refuses          | us          | 1    | false  | true      | old          | true  | false       | new    | EVICT    | -
          drained: delete the old ztunnel pod      | us          | 0    | false  | false     | old          | true  | false       | new    | DELETE   | -
          old pod terminating: replaced            | us          | 0    | false  | false     | old          | true  | true        | new    | REPLACED | -
          no ztunnel pod yet: replaced             | us          | 0    | false  | false     | -            | false | false       | new    | REPLACED | -
          new pod not Ready yet: replaced          | us          | 0    | false  | false     | new          | false | false       | new    | REPLACED | -
          already on the template: nothing to do  | -           | 2    | false  | false     | new          | true  | false       | new    | REPLACED | -
          cordoned by someone else: wait           | admin       | 2    | false  | false     | old          | true  | false       | new    | BLOCKED  | CORDONED_BY_OTHERS
          rollback of a moved node: cordon         | -           | 1    | false  | false     | new          | true  | false       | old    | CORDON   | -
          rollback of a moved node: delete         | us          | 0    | false  | false     | new          | true  | false       | old    | DELETE   | -
          rollback of a node never moved: nothing  | -           | 1    | false  | false     | old          | true  | false       | old    | REPLACED | -
          """)
  void nextStep(
      String name,
      String cordonedBy,
      int pods,
      boolean budget,
      boolean timedOut,
      String hash,
      boolean ready,
      boolean terminating,
      String toward,
      NodeDrain.Kind expected,
      Reason reason) {
    String owner = "us".equals(cordonedBy) ? MIGRATION : cordonedBy;
    List<String> ambient =
        java.util.stream.IntStream.range(0, pods).mapToObj(i -> "shop/web-" + i).toList();
    Ambient.Node node =
        new Ambient.Node(
            true,
            owner != null,
            "admin".equals(owner) ? null : owner,
            ambient,
            budget ? List.of("shop/web-pdb") : List.of(),
            hash == null ? null : new Ambient.ZtunnelPod("ztunnel-abc", hash, ready, terminating));

    NodeDrain.Step step =
        NodeDrain.next("worker-1", node, MIGRATION, toward, "istio-system", timedOut);

    assertThat(step.kind()).as(name).isEqualTo(expected);
    assertThat(step.blocker() == null ? null : step.blocker().reason()).isEqualTo(reason);
    switch (expected) {
      case CORDON -> assertThat(step.action()).isEqualTo(new Action.Cordon("worker-1", MIGRATION));
      case EVICT ->
          assertThat(step.action()).isEqualTo(new Action.EvictAmbientPods("worker-1", ambient));
      case DELETE ->
          assertThat(step.action())
              .isEqualTo(new Action.DeleteZtunnelPod("worker-1", "istio-system", "ztunnel-abc"));
      default -> assertThat(step.action()).isNull();
    }
    if (reason == Reason.DRAIN_BLOCKED) {
      assertThat(step.blocker().message())
          .isEqualTo(
              "node worker-1: ambient pods shop/web-0, shop/web-1 not evicted after drain.timeout;"
                  + " PodDisruptionBudget shop/web-pdb allows no disruption now");
    }
  }
}

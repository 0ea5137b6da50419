package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransitionsTest {
  private static final Set<String> ALLOWED =
      Set.of(
          "Pending>Migrating",
          "Migrating>Restarting",
          "Migrating>RollingBack",
          "Migrating>Held",
          "Restarting>Verifying",
          "Restarting>RollingBack",
          "Restarting>Held",
          "Verifying>Soaking",
          "Verifying>RollingBack",
          "Verifying>Held",
          "Verifying>Stalled",
          "Soaking>Promoted",
          "Soaking>Verifying",
          "Soaking>RollingBack",
          "Soaking>Held",
          "Soaking>Stalled",
          "Held>Soaking",
          "Held>Restarting",
          "Held>Verifying",
          "Held>RollingBack",
          "Stalled>Soaking",
          "Stalled>RollingBack",
          "Stalled>Held",
          "Promoted>RollingBack",
          "RollingBack>RolledBack",
          "Pending>Skipped",
          "Migrating>Skipped",
          "Restarting>Skipped",
          "Verifying>Skipped",
          "Soaking>Skipped",
          "Held>Skipped",
          "Stalled>Skipped",
          "RollingBack>Skipped");

  static Stream<Arguments> everyPair() {
    List<Arguments> pairs = new ArrayList<>();
    for (TargetPhase from : TargetPhase.values()) {
      for (TargetPhase to : TargetPhase.values()) {
        pairs.add(Arguments.of(from, to, ALLOWED.contains(from + ">" + to)));
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @MethodSource("everyPair")
  void allowsExactlyTheTableAndNamesBothPhasesOtherwise(
      TargetPhase from, TargetPhase to, boolean allowed) {
    assertThat(Transitions.isAllowed(from, to)).isEqualTo(allowed);
    if (allowed) {
      assertThatCode(() -> Transitions.check("payments", from, to)).doesNotThrowAnyException();
    } else {
      assertThatThrownBy(() -> Transitions.check("payments", from, to))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "illegal transition of namespace payments from " + from + " to " + to);
    }
  }
}

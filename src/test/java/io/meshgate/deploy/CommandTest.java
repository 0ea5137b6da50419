package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A command that never ends fails the test at its timeout, with what it printed. */
class CommandTest {
  @Test
  void aHungCommandIsStoppedAtItsTimeoutNamingItAndItsOutput() {
    List<String> hung = List.of("sh", "-c", "echo rendering; echo stuck >&2; exec sleep 600");

    assertThatThrownBy(() -> Command.run(hung, Map.of(), Duration.ofSeconds(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("sh -c echo rendering; echo stuck >&2; exec sleep 600")
        .hasMessageContaining("did not end in PT2S")
        .hasMessageContaining("rendering")
        .hasMessageContaining("stuck");
  }

  @Test
  void aCommandThatEndsGivesItsOutputErrorAndCodeApart() {
    Command.Result result =
        Command.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Map.of("X", "1"));

    assertThat(result.code()).isEqualTo(3);
    assertThat(result.out()).isEqualTo("out\n");
    assertThat(result.err()).isEqualTo("err\n");
  }
}

package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A program started for a test ends with the JVM that started it, however the JVM ends. */
class WithParentIT {
  private static final Duration GONE = Duration.ofSeconds(10);
  private Process wrapper;

  @AfterEach
  void cleanUp() {
    if (wrapper != null) {
      wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
      wrapper.destroyForcibly();
    }
  }

  private ProcessHandle startSleep() throws IOException {
    wrapper = new ProcessBuilder(WithParent.command(List.of("/bin/sleep", "300"))).start();
    return await("sleep started under the wrapper")
        .atMost(GONE)
        .until(() -> WithParent.program(wrapper, "sleep").orElse(null), p -> p != null);
  }

  @Test
  void theProgramStopsWhenThePipeFromItsParentCloses() throws Exception {
    ProcessHandle sleep = startSleep();

    // what the kernel does to the pipe when the JVM dies, even by SIGKILL
    wrapper.getOutputStream().close();

    await("the program stopped").atMost(GONE).until(() -> !sleep.isAlive());
    await("the wrapper ended").atMost(GONE).until(() -> !wrapper.isAlive());
  }

  @Test
  void theProgramStopsWithTheWrapperOnSigterm() throws Exception {
    ProcessHandle sleep = startSleep();

    wrapper.destroy();

    await("the program stopped").atMost(GONE).until(() -> !sleep.isAlive());
    assertThat(wrapper.waitFor()).isNotZero();
    assertThat(wrapper.descendants()).isEmpty();
  }

  @Test
  void whileTheParentLivesTheProgramRuns() throws Exception {
    ProcessHandle sleep = startSleep();

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(sleep::isAlive);
    assertThat(wrapper.isAlive()).isTrue();
  }
}

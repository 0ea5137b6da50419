package io.meshgate.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TickSchedulerTest {

  /**
   * Quartz hands out one scheduler per instance name and JVM: two daemons in one JVM (the leader
   * election test) shared it, so one's ticks ran the other's controller and one's standby paused
   * both.
   */
  @Test
  void twoSchedulersInOneJvmTickTheirOwnConsumersAndPauseIndependently() {
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    try (TickScheduler a = new TickScheduler(first::add);
        TickScheduler b = new TickScheduler(second::add)) {
      a.schedule("istio-1-20", Duration.ofMillis(100));
      b.schedule("istio-1-20", Duration.ofMillis(100));
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> !first.isEmpty() && !second.isEmpty());

      a.standby();
      int secondBefore = second.size();

      await().atMost(Duration.ofSeconds(5)).until(() -> second.size() > secondBefore + 2);
      assertThat(first).containsOnly("istio-1-20");
      assertThat(second).containsOnly("istio-1-20");
    }
  }
}

package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.sim.ClusterSimulator;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeadershipTest {
  private static final Leadership.Timings FAST =
      new Leadership.Timings(
          Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));

  @Test
  void leaderWhoseLeaseIsTakenStopsActingAtOnceAndCompetesAgain() {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      sim.namespace("meshgate", Map.of());
      AtomicInteger starts = new AtomicInteger();
      AtomicInteger stops = new AtomicInteger();
      try (Leadership leadership =
          Leadership.start(
              sim.client(),
              "meshgate",
              "meshgate-leader",
              "replica-a",
              FAST,
              starts::incrementAndGet,
              stops::incrementAndGet)) {
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);

        // another replica takes the lease (as after a partition), renewing it once; a renewal by
        // the leader between our read and write is a conflict, and the other replica tries again
        await().atMost(Duration.ofSeconds(10)).until(() -> takeOver(sim));

        await().atMost(Duration.ofSeconds(10)).until(() -> !leadership.isLeader());
        assertThat(stops.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(15)).until(leadership::isLeader);
        assertThat(starts.get()).isEqualTo(2);
      }
    }
  }

  private static boolean takeOver(ClusterSimulator sim) {
    Lease lease = sim.client().leases().inNamespace("meshgate").withName("meshgate-leader").get();
    lease.getSpec().setHolderIdentity("replica-b");
    lease.getSpec().setRenewTime(ZonedDateTime.now());
    lease.getSpec().setAcquireTime(ZonedDateTime.now());
    try {
      sim.client().leases().inNamespace("meshgate").resource(lease).update();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return false;
    }
  }
}

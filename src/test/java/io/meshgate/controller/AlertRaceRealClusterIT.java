package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.migration.AlertFingerprints;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.AuditLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue "Nothing a cluster sends can stop the daemon", points 3 and 7: Alertmanager deliveries to
 * both replicas race the leader's ticks (interval 1 s, a status write each tick) for a minute on a
 * real API server; every alert a replica acknowledged with a 200 is in the status at the end.
 */
class AlertRaceRealClusterIT {
  private static final Duration RACE = Duration.ofSeconds(60);
  private static final int DISTINCT_ALERTS = 10_000;
  private static final int PER_DELIVERY = 50;
  private static final int SENDERS = 4;

  private static RealClusterFixture fixture;
  private static Daemon replicaA;
  private static Daemon replicaB;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    fixture.mesh.appNamespace("ticking", Map.of("istio.io/rev", FROM));
    fixture.mesh.namespace("alerted", Map.of("istio.io/rev", FROM));
    fixture.mesh.awaitSettled("ticking");
    replicaA = replica("meshgate-a");
    replicaB = replica("meshgate-b");
  }

  private static Daemon replica(String identity) {
    return fixture.startDaemon(identity, new ScriptedGate());
  }

  @AfterAll
  static void stop() {
    for (Daemon d : new Daemon[] {replicaA, replicaB}) {
      if (d != null) {
        d.close();
      }
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void everyAcknowledgedAlertIsRecordedWhateverTicksAndOtherDeliveriesDo() throws Exception {
    // the ticking namespace soaks for ever: a status write every tick (its pass streak grows);
    // the alerted one waits in the next wave, where hold alerts are recorded for it
    fixture.apply(
        migration(
            "race",
            "interval: 1s\npassStreak: 100000",
            """
            - {name: first, namespaces: [ticking], soak: 0s}
            - {name: second, namespaces: [alerted]}
            """));
    await("the first namespace soaks")
        .atMost(Duration.ofSeconds(60))
        .until(() -> phase(fixture.status("race"), "ticking") == TargetPhase.Soaking);
    int requestsBefore = fixture.meshgateRequests().size();

    Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicLong next = new AtomicLong();
    AtomicInteger deliveries = new AtomicInteger();
    AtomicInteger retried = new AtomicInteger();
    long end = System.nanoTime() + RACE.toNanos();
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    List<Future<?>> running = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      Daemon to = s % 2 == 0 ? replicaA : replicaB;
      running.add(
          senders.submit(
              () -> {
                while (System.nanoTime() < end) {
                  // new alerts until the budget is spent, then the same again, as Alertmanager
                  // re-sends a group's firing alerts
                  long first = next.getAndAdd(PER_DELIVERY) % DISTINCT_ALERTS;
                  List<Long> batch = new ArrayList<>();
                  for (long f = first; f < first + PER_DELIVERY; f++) {
                    batch.add(f);
                  }
                  while (deliver(http, to, batch) != 200) {
                    retried.incrementAndGet();
                  }
                  acknowledged.addAll(batch);
                  deliveries.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    senders.shutdown();

    List<AlertRecord> alerts = fixture.status("race").alerts();
    assertThat(alerts).singleElement();
    AlertRecord record = alerts.get(0);
    long lost =
        acknowledged.stream().filter(f -> !record.fingerprints().contains(fingerprint(f))).count();
    List<AuditLog.Request> all = fixture.meshgateRequests();
    List<AuditLog.Request> raced = all.subList(requestsBefore, all.size());
    long statusWrites =
        raced.stream()
            .filter(r -> "update".equals(r.verb()) && "status".equals(r.subresource()))
            .count();
    long conflicts = raced.stream().filter(r -> r.code() == 409).count();
    System.out.printf(
        "FIGURE alert race: %d deliveries of %d alerts to two replicas in %ds with ticks every 1s;"
            + " %d distinct alerts acknowledged, %d recorded, %d lost; %d status writes, %d"
            + " conflicts (409), %d deliveries retried after 503%n",
        deliveries.get(),
        PER_DELIVERY,
        RACE.toSeconds(),
        acknowledged.size(),
        record.count(),
        lost,
        statusWrites,
        conflicts,
        retried.get());
    assertThat(lost).as("acknowledged alerts missing from the status").isZero();
    assertThat(record.count()).isEqualTo(acknowledged.size());
    assertThat(statusWrites)
        .as("writes that raced the deliveries")
        .isGreaterThan(RACE.toSeconds() * 2);
    assertThat(phase(fixture.status("race"), "ticking")).isEqualTo(TargetPhase.Soaking);
  }

  /** Point 7: two replicas approving different waves at once both count. */
  @Test
  void approvalsSentToBothReplicasAtOnceAreAllKept() throws Exception {
    List<String> waves = List.of("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8");
    StringBuilder spec = new StringBuilder();
    for (String wave : waves) {
      spec.append("- {name: ").append(wave).append(", namespaces: [ns-").append(wave);
      spec.append("], requireApproval: true}\n");
    }
    fixture.apply(migration("approvals", "interval: 1s\npaused: true", spec.toString()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> replicaA.controller() != null && fixture.status("approvals") != null);
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService approvers = Executors.newFixedThreadPool(waves.size());
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < waves.size(); i++) {
      Daemon to = i % 2 == 0 ? replicaA : replicaB;
      String wave = waves.get(i);
      answers.add(
          approvers.submit(
              () ->
                  http.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      "http://127.0.0.1:"
                                          + to.httpPort()
                                          + "/api/v1/migrations/approvals/approve?wave="
                                          + wave))
                              .POST(HttpRequest.BodyPublishers.noBody())
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .statusCode()));
    }
    for (Future<Integer> answer : answers) {
      assertThat(answer.get()).isEqualTo(200);
    }
    approvers.shutdown();

    String approved =
        fixture
            .admin
            .genericKubernetesResources(
                io.meshgate.kube.RevisionMigration.API_VERSION, "RevisionMigration")
            .withName("approvals")
            .get()
            .getMetadata()
            .getAnnotations()
            .get("meshgate.io/approve");
    assertThat(approved.split(",")).containsExactlyInAnyOrderElementsOf(waves);
  }

  private static long fingerprint(long n) {
    return AlertFingerprints.parse(HexFormat.of().toHexDigits(n));
  }

  private static int deliver(HttpClient http, Daemon to, List<Long> fingerprints) throws Exception {
    StringBuilder alerts = new StringBuilder();
    for (long f : fingerprints) {
      if (alerts.length() > 0) {
        alerts.append(',');
      }
      alerts.append(
          """
          {"status":"firing","labels":{"alertname":"Race","severity":"warning","namespace":"alerted","n":"%d"},\
          "annotations":{},"startsAt":"2026-11-30T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",\
          "generatorURL":"","fingerprint":"%s"}"""
              .formatted(f, HexFormat.of().toHexDigits(f)));
    }
    String body =
        """
        {"version":"4","groupKey":"{}:{alertname=\\"Race\\"}","truncatedAlerts":0,"status":"firing",\
        "receiver":"meshgate","groupLabels":{},"commonLabels":{},"commonAnnotations":{},\
        "externalURL":"http://alertmanager","alerts":[%s]}"""
            .formatted(alerts);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + to.httpPort() + "/api/v1/alertmanager"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }
}

package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshgate.app.Daemon;
import io.meshgate.json.Mappers;
import io.meshgate.migration.Condition;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.Manifests;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue "Nothing a cluster sends can stop the daemon": one daemon on a real API server with three
 * migrations it cannot act on (two stored under an older CRD that did not refuse them, one naming a
 * rule it does not have) and one good migration, through which 15,000 hold alerts are delivered (a
 * single delivery of 10,000 among them) and resolved while one of its namespaces is deleted
 * mid-wave and another's baseline is not a finite number. The good migration ends as expected, the
 * broken ones are reported, the status stays under 256 KiB, and the daemon stays up and ready.
 */
class SoakRealClusterIT {
  private static final int STATUS_LIMIT = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RealClusterFixture fixture;
  private static ScriptedGate gate;
  private static Daemon daemon;
  private static final AtomicLong largestStatus = new AtomicLong();

  @BeforeAll
  static void start() throws IOException {
    fixture = RealClusterFixture.start();
    for (String ns : new String[] {"soak-a", "soak-b", "soak-gone", "zero", "huge", "norule"}) {
      fixture.mesh.appNamespace(ns, Map.of("istio.io/rev", FROM));
    }
    // stored while the cluster had a CRD that refused neither; the current one is applied after
    fixture.apply(olderCrd());
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> create("zero-interval", "zero", "interval: 0s") != null);
    create("huge-limit", "huge", "failureLimit: 3000000000");
    fixture.applyFile(RealClusterFixture.CRD);
    create("unknown-rule", "norule", "gates: [{rule: no-such-rule}]");
    gate = new ScriptedGate();
    gate.baselineOf.put("soak-a", Double.POSITIVE_INFINITY);
    daemon = fixture.startDaemon("meshgate-0", gate);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static GenericKubernetesResource create(String name, String namespace, String override) {
    String manifest =
        migration(name, "interval: 1s", "- {name: all, namespaces: [" + namespace + "]}");
    return fixture.admin.resource(Manifests.overlaid(manifest, override)).create();
  }

  @Test
  void theGoodMigrationEndsAsExpectedWhateverTheRestSends() throws Exception {
    fixture.apply(
        migration(
            "soak",
            "interval: 1s\npassStreak: 2",
            """
            - {name: first, namespaces: [soak-a], soak: 0s}
            - {name: second, namespaces: [soak-b, soak-gone], soak: 0s, maxConcurrent: 1}
            """));
    await("soak-b is in flight")
        .atMost(Duration.ofSeconds(90))
        .until(() -> watched().namespace("soak-b").map(n -> n.phase().isInFlight()).orElse(false));

    fixture.admin.namespaces().withName("soak-gone").delete();
    HttpClient http = HttpClient.newHttpClient();
    for (int d = 0; d < 50; d++) {
      assertThat(deliver(http, "firing", d * 100L, 100)).isEqualTo(200);
    }
    await("soak-b holds on the alerts")
        .atMost(Duration.ofSeconds(30))
        .until(() -> phase(watched(), "soak-b") == TargetPhase.Held);
    System.gc();
    long heapBefore = heapUsed();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    long started = System.nanoTime();
    assertThat(deliver(http, "firing", 5_000, 10_000)).isEqualTo(200);
    long took = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "FIGURE one delivery of 10,000 alerts accepted in %d ms; heap %d MiB after a GC before it,"
            + " peak %d MiB during it (the whole test JVM: daemon, sender, clients, fake kubelet)%n",
        took, heapBefore >> 20, heapPeak() >> 20);
    assertThat(watched().alerts())
        .singleElement()
        .satisfies(a -> assertThat(a.count()).isEqualTo(15_000));
    for (int d = 0; d < 15; d++) {
      assertThat(deliver(http, "resolved", d * 1000L, 1000)).isEqualTo(200);
    }

    MigrationStatus end =
        await("the good migration ends")
            .atMost(Duration.ofSeconds(120))
            .until(SoakRealClusterIT::watched, s -> s.phase().isTerminal());
    System.out.printf("FIGURE largest status seen in the soak: %,d bytes%n", largestStatus.get());
    assertThat(end.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(end.alerts()).isEmpty();
    assertThat(phase(end, "soak-a")).isEqualTo(TargetPhase.Promoted);
    assertThat(phase(end, "soak-b")).isEqualTo(TargetPhase.Promoted);
    assertThat(phase(end, "soak-gone")).isEqualTo(TargetPhase.Skipped);
    assertThat(fixture.mesh.labels("soak-b")).containsEntry("istio.io/rev", TO);
    TargetStatus infinite = end.namespace("soak-a").orElseThrow();
    assertThat(infinite.baseline()).containsEntry("p99-latency", null);
    assertThat(infinite.baselineNotes().get("p99-latency"))
        .startsWith("baseline was Infinity, not a number a bound can be relative to");
    assertThat(largestStatus.get()).isLessThan(STATUS_LIMIT);

    assertInvalid("zero-interval", "field 'spec.interval' is \"0s\"; expected a positive duration");
    assertInvalid(
        "huge-limit", "field 'spec.failureLimit' is 3000000000; expected at most 2147483647");
    assertInvalid(
        "unknown-rule", "field 'spec.gates[0].rule' is \"no-such-rule\"; expected a rule in");
    for (String untouched : new String[] {"zero", "huge", "norule"}) {
      assertThat(fixture.mesh.labels(untouched)).containsEntry("istio.io/rev", FROM);
      assertThat(fixture.restarts(untouched)).isEmpty();
    }
    assertThat(daemon.isReady()).isTrue();
  }

  private static void assertInvalid(String migration, String messageStart) {
    Condition ready =
        await(migration + " is reported")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    fixture.status(migration).conditions().stream()
                        .filter(c -> c.type().equals("Ready"))
                        .findFirst()
                        .orElse(null),
                c -> c != null && Reason.INVALID_SPEC.token().equals(c.reason()));
    assertThat(ready.status()).isEqualTo("False");
    assertThat(ready.message()).startsWith(messageStart);
  }

  /** The good migration's status, and its size as stored, the largest kept. */
  private static MigrationStatus watched() {
    GenericKubernetesResource raw =
        fixture
            .admin
            .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
            .withName("soak")
            .get();
    try {
      largestStatus.accumulateAndGet(
          JSON.writeValueAsBytes(raw.getAdditionalProperties().get("status")).length, Math::max);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return fixture.status("soak");
  }

  private static long heapPeak() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static long heapUsed() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    return used;
  }

  private static int deliver(HttpClient http, String status, long first, int count)
      throws Exception {
    StringBuilder alerts = new StringBuilder();
    for (long f = first; f < first + count; f++) {
      if (alerts.length() > 0) {
        alerts.append(',');
      }
      alerts.append(
          """
          {"status":"%s","labels":{"alertname":"Soak","severity":"warning","namespace":"soak-b","n":"%d"},\
          "annotations":{"summary":"p99 of soak-b is high"},"startsAt":"2026-11-30T10:00:00Z",\
          "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus/graph","fingerprint":"%s"}"""
              .formatted(status, f, HexFormat.of().toHexDigits(f)));
    }
    String body =
        """
        {"version":"4","groupKey":"{}:{alertname=\\"Soak\\"}","truncatedAlerts":0,"status":"%s",\
        "receiver":"meshgate","groupLabels":{},"commonLabels":{},"commonAnnotations":{},\
        "externalURL":"http://alertmanager","alerts":[%s]}"""
            .formatted(status, alerts);
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + daemon.httpPort() + "/api/v1/alertmanager"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /**
   * deploy/crds without what this release added (its CEL rules, integer maxima) and without the
   * int32 formats an API server enforces.
   */
  private static String olderCrd() throws IOException {
    JsonNode crd = Mappers.yaml().readTree(RealClusterFixture.CRD.toFile());
    strip(crd);
    return Mappers.yaml().writeValueAsString(crd);
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("x-kubernetes-validations");
      object.remove("maximum");
      if (object.path("format").asText().startsWith("int")) {
        object.remove("format");
      }
      for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
        strip(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(SoakRealClusterIT::strip);
    }
  }
}

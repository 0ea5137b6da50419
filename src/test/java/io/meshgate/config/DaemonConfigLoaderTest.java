package io.meshgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshgate.gate.WaypointLabels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigLoaderTest {
  @TempDir Path dir;

  private static final String FULL =
      """
      prometheus:
        url: http://prometheus.istio-system:9090
        externalUrl: https://prometheus.example.com
        timeout: 10s
        headers: {X-Scope-OrgID: team-a}
        bearerTokenFile: /var/run/secrets/prometheus/token
        caFile: /etc/meshgate/ca.pem
        revisionLabel: istio_io_rev
      rulesDir: /etc/meshgate/rules
      controlPlaneNamespace: istio-system
      http: {port: 8080, webhookTokenFile: /var/run/secrets/meshgate/webhook-token}
      alerts:
        namespaceLabels: [namespace, destination_workload_namespace, destination_service_namespace]
        revisionLabels: [istio_io_rev, revision]
        actions:
          - {match: {severity: critical}, action: rollback}
          - {match: {severity: warning}, action: hold}
      slack: {webhookUrlFile: /var/run/secrets/meshgate/slack-webhook-url}
      leaderElection: {enabled: true, namespace: meshgate, leaseName: meshgate-leader}
      """;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("meshgate.yaml"), text);
  }

  private String file() {
    return dir.resolve("meshgate.yaml").toString();
  }

  @Test
  void readsTheDesignedConfigWithoutCheckingFiles() throws IOException {
    DaemonConfig config = DaemonConfigLoader.load(write(FULL), false);

    assertThat(config.prometheus().url())
        .isEqualTo(URI.create("http://prometheus.istio-system:9090"));
    assertThat(config.prometheus().headers()).isEqualTo(Map.of("X-Scope-OrgID", "team-a"));
    assertThat(config.prometheus().timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.alerts().actions()).hasSize(2);
    assertThat(config.slack().webhookUrlFile())
        .isEqualTo(Path.of("/var/run/secrets/meshgate/slack-webhook-url"));
    assertThat(config.leaderElection().leaseName()).isEqualTo("meshgate-leader");
  }

  @Test
  void appliesDefaultsToAMinimalConfig() throws IOException {
    DaemonConfig config =
        DaemonConfigLoader.load(write("prometheus: {url: http://localhost:9090}\n"), true);

    assertThat(config.prometheus().externalUrl()).isEqualTo(URI.create("http://localhost:9090"));
    assertThat(config.prometheus().timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.prometheus().revisionLabel()).isEqualTo("istio_io_rev");
    assertThat(config.rulesDir()).isEqualTo(Path.of("rules"));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().address()).as("every IPv4 interface").isEqualTo("0.0.0.0");
    assertThat(config.alerts()).isEqualTo(DaemonConfig.Alerts.DEFAULT);
    assertThat(config.slack()).isNull();
    assertThat(config.leaderElection().enabled()).isTrue();
    assertThat(config.gate().minWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.gate().scrapeInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.gate().waypointLabels())
        .isEqualTo(new WaypointLabels("namespace", "gateway_networking_k8s_io_gateway_name"));
  }

  /** Issue 25: a scrape that names a waypoint's labels otherwise says so here. */
  @Test
  void readsTheWaypointLabelsKeepingTheDefaultOfAnUnsetOne() throws IOException {
    DaemonConfig both =
        DaemonConfigLoader.load(
            write(
                "prometheus: {url: http://localhost:9090}\n"
                    + "gate: {waypointLabels: {namespace: k8s_namespace, name: gateway_name}}\n"),
            true);
    DaemonConfig one =
        DaemonConfigLoader.load(
            write(
                "prometheus: {url: http://localhost:9090}\n"
                    + "gate: {minWindow: 2m, waypointLabels: {name: gateway_name}}\n"),
            true);

    assertThat(both.gate().waypointLabels())
        .isEqualTo(new WaypointLabels("k8s_namespace", "gateway_name"));
    assertThat(one.gate())
        .isEqualTo(
            new DaemonConfig.GateSettings(
                Duration.ofMinutes(2),
                Duration.ofSeconds(15),
                new WaypointLabels("namespace", "gateway_name")));
  }

  @Test
  void refusesAWaypointLabelThatIsNoLabelNameAndAnUnknownKey() throws IOException {
    write(
        "prometheus: {url: http://p:9090}\n"
            + "gate: {waypointLabels: {namespace: k8s-namespace, nme: gateway_name}}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        file()
                            + ": field 'gate.waypointLabels.namespace' is \"k8s-namespace\";"
                            + " expected a Prometheus label name such as istio_io_rev",
                        file()
                            + ": field 'gate.waypointLabels.nme' is unknown; did you mean"
                            + " 'gate.waypointLabels.name'?"));
  }

  @Test
  void refusesWaypointLabelsThatAreNotAMapping() throws IOException {
    write("prometheus: {url: http://p:9090}\ngate: {waypointLabels: gateway_name}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .hasMessage(
            file() + ": field 'gate.waypointLabels' is \"gateway_name\"; expected a mapping");
  }

  /** Issue 22: the evidence window's minimum, read and checked against the scrape interval. */
  @Test
  void readsTheMinimumEvidenceWindow() throws IOException {
    DaemonConfig config =
        DaemonConfigLoader.load(
            write(
                "prometheus: {url: http://localhost:9090}\n"
                    + "gate: {minWindow: 20s, scrapeInterval: 10s}\n"),
            true);

    assertThat(config.gate())
        .isEqualTo(new DaemonConfig.GateSettings(Duration.ofSeconds(20), Duration.ofSeconds(10)));
  }

  @Test
  void refusesAMinimumWindowUnderTwoScrapeIntervals() throws IOException {
    write("prometheus: {url: http://p:9090}\ngate: {minWindow: 20s}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .hasMessage(
            file()
                + ": field 'gate.minWindow' is 20s, under two scrape intervals (2 x 15s = 30s): a"
                + " rate over it would rest on a single sample; set it to at least 30s, or set"
                + " gate.scrapeInterval to your Prometheus's scrape interval");
  }

  @Test
  void refusesABadOrUnknownGateSetting() throws IOException {
    write(
        "prometheus: {url: http://p:9090}\n"
            + "gate: {minWindow: soon, scrapeInterval: 30s, minWindows: 1m}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        file()
                            + ": field 'gate.minWindow' is \"soon\"; expected a duration such as 30s, 5m or 1h30m",
                        file()
                            + ": field 'gate.minWindows' is unknown; did you mean 'gate.minWindow'?"));
  }

  @Test
  void unknownKeysAreNamedWithTheirPathAndTheNearestKey() throws IOException {
    write("prometheus: {url: http://p:9090, timout: 5s}\nleaderElecton: {enabled: false}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        file()
                            + ": field 'leaderElecton' is unknown; did you mean 'leaderElection'?",
                        file()
                            + ": field 'prometheus.timout' is unknown; did you mean 'prometheus.timeout'?"));
  }

  @Test
  void collectsEveryBadValue() throws IOException {
    write(
        """
        prometheus:
          url: prometheus:9090
          timeout: 10
          headers: {Authorization: Bearer abc}
          revisionLabel: istio.io/rev
        http: {port: 70000}
        alerts:
          actions:
            - {match: {severity: critical}, action: page}
        """);

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        file()
                            + ": field 'alerts.actions[0].action' is \"page\"; expected one of rollback, hold",
                        file()
                            + ": field 'http.port' is 70000; expected a whole number from 1 to 65535",
                        file()
                            + ": field 'prometheus.revisionLabel' is \"istio.io/rev\"; expected a Prometheus label name such as istio_io_rev",
                        file()
                            + ": field 'prometheus.timeout' is 10; expected a duration such as 30s, 5m or 1h30m",
                        file()
                            + ": field 'prometheus.url' is \"prometheus:9090\"; expected an http(s) URL such as http://prometheus:9090",
                        file()
                            + ": field 'prometheus.headers.Authorization' would put a secret in the config; use bearerTokenFile or basicAuth.passwordFile"));
  }

  @Test
  void atStartUpSecretFilesMustExist() throws IOException {
    write("prometheus: {url: http://p:9090, bearerTokenFile: /nonexistent/token}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), true))
        .hasMessage(
            file()
                + ": field 'prometheus.bearerTokenFile' names /nonexistent/token, which does not exist or cannot be read");
  }

  @Test
  void missingPrometheusIsNamed() throws IOException {
    write("rulesDir: rules\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .hasMessage(file() + ": field 'prometheus' is missing; expected at least prometheus.url");
  }

  /** Issue 26: off unless set; the template is kept as written, for each migration to copy. */
  @Test
  void sailAutoMigrateIsOffByDefaultAndReadsItsTemplate() throws IOException {
    DaemonConfig plain =
        DaemonConfigLoader.load(write("prometheus: {url: http://localhost:9090}\n"), false);
    DaemonConfig on =
        DaemonConfigLoader.load(
            write(
                """
                prometheus: {url: http://localhost:9090}
                sail:
                  autoMigrate: true
                  template:
                    dryRun: true
                    waves: [{name: all, selector: {matchLabels: {mesh: sail}}, soak: 10m}]
                """),
            false);

    assertThat(plain.sail()).isEqualTo(DaemonConfig.Sail.OFF);
    assertThat(on.sail().autoMigrate()).isTrue();
    assertThat(on.sail().template().path("dryRun").asBoolean()).isTrue();
    assertThat(on.sail().template().path("waves").path(0).path("soak").asText()).isEqualTo("10m");
  }

  @Test
  void autoMigrateWithoutATemplateIsRefused() throws IOException {
    write("prometheus: {url: http://p:9090}\nsail: {autoMigrate: true}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .hasMessage(
            file()
                + ": field 'sail.template' is missing; sail.autoMigrate: true creates each"
                + " RevisionMigration from it: set the spec of the migrations to create (waves,"
                + " gates, soak, ...) without fromRevision and toRevision, or set"
                + " sail.autoMigrate: false");
  }

  @Test
  void aTemplateNamingTheRevisionsIsRefused() throws IOException {
    write(
        """
        prometheus: {url: http://p:9090}
        sail:
          autoMigrate: true
          template: {fromRevision: default-v1-26-0, waves: [{name: all, namespaces: [a]}]}
        """);

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .hasMessage(
            file()
                + ": field 'sail.template.fromRevision' is set; autoMigrate takes fromRevision and"
                + " toRevision from the Istio resource's revisions (the previous one and the new"
                + " active one): remove it");
  }

  @Test
  void anUnknownSailKeyOrATemplateThatIsNoMappingIsRefused() throws IOException {
    write("prometheus: {url: http://p:9090}\nsail: {automigrate: true, template: all}\n");

    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        file()
                            + ": field 'sail.automigrate' is unknown; did you mean"
                            + " 'sail.autoMigrate'?",
                        file() + ": field 'sail.template' is \"all\"; expected a mapping"));
  }

  /** Issue 29: the one port kept to loopback behind a local proxy, or on an IPv6 address. */
  @Test
  void readsTheHttpAddressAnIpv4OrIpv6AddressOfThisMachine() throws IOException {
    for (String address : List.of("127.0.0.1", "::1", "0.0.0.0", "::")) {
      write("prometheus: {url: http://p:9090}\nhttp: {address: \"" + address + "\", port: 9000}\n");

      DaemonConfig config = DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), true);

      assertThat(config.http()).isEqualTo(new DaemonConfig.Http(address, 9000, null));
    }
  }

  @Test
  void refusesAnHttpAddressThatIsNoIpAddress() throws IOException {
    List<String> refused = List.of("localhost", "127.1", "256.0.0.1", "[::1]", "::1%lo", "1:2:3");
    for (String address : refused) {
      write("prometheus: {url: http://p:9090}\nhttp: {address: \"" + address + "\"}\n");

      assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
          .as(address)
          .hasMessage(
              file()
                  + ": field 'http.address' is \""
                  + address
                  + "\"; expected an IP address of the pod such as 0.0.0.0 (every IPv4"
                  + " interface), 127.0.0.1 (loopback only) or ::");
    }
    write("prometheus: {url: http://p:9090}\nhttp: {address: \"\"}\n");
    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false))
        .hasMessage(
            file()
                + ": field 'http.address' is \"\"; expected an IP address of the pod such as 0.0.0.0"
                + " (every IPv4 interface), 127.0.0.1 (loopback only) or ::");
  }

  /** validate checks the form away from the cluster; start-up checks the machine has it. */
  @Test
  void atStartUpTheHttpAddressMustBeOneOfThisMachine() throws IOException {
    // TEST-NET-3 (RFC 5737): no machine's address
    write("prometheus: {url: http://p:9090}\nhttp: {address: 203.0.113.7}\n");

    assertThat(DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), false).http().address())
        .isEqualTo("203.0.113.7");
    assertThatThrownBy(() -> DaemonConfigLoader.load(dir.resolve("meshgate.yaml"), true))
        .hasMessageStartingWith(
            file() + ": field 'http.address' is 203.0.113.7, which is no address of this machine (")
        .hasMessageContaining("127.0.0.1")
        .hasMessageEndingWith("); expected one of them, or 0.0.0.0 for every IPv4 interface");
  }
}

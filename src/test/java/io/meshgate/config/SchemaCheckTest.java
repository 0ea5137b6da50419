package io.meshgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the one engine says what is wrong, on the published schemas. */
class SchemaCheckTest {
  private static JsonNode yaml(String text) throws Exception {
    return Mappers.yaml().readTree(text);
  }

  private static final String RULE =
      """
      name: error-rate
      scope: namespace
      groupBy: destination_workload_namespace
      query: sum(rate(x{namespace=~"{{namespaces}}"}[{{window}}]))
      window: 5m
      max: 0.01
      severity: critical
      """;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # change                            | field     | message
          name: error-rate=>name: Error_Rate  | name      | is "Error_Rate"; expected a DNS-1123 rule name such as error-rate
          window: 5m=>window: soon            | window    | is "soon"; expected a duration such as 30s, 5m or 1h30m
          window: 5m=>window: 5             | window    | is 5; expected a duration such as 30s, 5m or 1h30m
          groupBy: destination_workload_namespace=>groupBy: 5 | groupBy | is 5; expected a label name, or a list of one or two label names
          groupBy: destination_workload_namespace=>groupBy: [{a: 1}] | groupBy[0] | is a mapping; expected a label name, or a quoted placeholder such as "{{waypointNameLabel}}"
          severity: critical=>severity: page  | severity  | is "page"; expected one of critical, warning
          max: 0.01=>max: [1]                 | max       | is a list; expected a number
          max: 0.01=>mx: 0.01                 | mx        | is unknown; did you mean 'max'?
          max: 0.01=>colour: red              | colour    | is unknown; known fields: name, description, scope, query, groupBy, window, max, min, maxIncrease, baselineFloor, minVolume, volumeQuery, severity, onNoData, cohort, cohortMargin, acceptWarnings
          window: 5m=>x: 1                    | window    | is missing; expected a duration such as 30s, 5m or 1h30m
          """)
  void aPropertysOwnExpectationComesBeforeItsDefinitions(
      String change, String field, String message) throws Exception {
    String[] fromTo = change.split("=>");
    JsonNode rule = yaml(RULE.replace(fromTo[0], fromTo[1]));

    List<SchemaCheck.Problem> problems = SchemaCheck.RULE.problems(rule);

    assertThat(problems).contains(new SchemaCheck.Problem(field, message));
  }

  @Test
  void theShippedRuleIsValid() throws Exception {
    assertThat(SchemaCheck.RULE.problems(yaml(RULE))).isEmpty();
  }

  @Test
  void nestedFieldsAreNamedByTheirPathAndEveryProblemIsSaidOnce() throws Exception {
    JsonNode config =
        yaml(
            """
            prometheus: {url: http://p:9090, basicAuth: {username: u}}
            http: {port: 0}
            alerts: {actions: [{match: {}, action: hold}], namespaceLabels: [ok, not-ok]}
            slack: {}
            leaderElection: {namespace: Meshgate}
            """);

    assertThat(SchemaCheck.DAEMON_CONFIG.problems(config))
        .containsExactly(
            new SchemaCheck.Problem(
                "alerts.actions[0].match",
                "is empty; expected labels such as {severity: critical}"),
            new SchemaCheck.Problem(
                "alerts.namespaceLabels[1]",
                "is \"not-ok\"; expected a Prometheus label name such as istio_io_rev"),
            new SchemaCheck.Problem("http.port", "is 0; expected a whole number from 1 to 65535"),
            new SchemaCheck.Problem(
                "leaderElection.namespace",
                "is \"Meshgate\"; expected a DNS-1123 label (lower-case letters, digits and '-',"
                    + " starting and ending with a letter or digit)"),
            new SchemaCheck.Problem(
                "prometheus.basicAuth.passwordFile",
                "is missing; expected the path of a file holding the password"),
            new SchemaCheck.Problem(
                "slack.webhookUrlFile",
                "is missing; expected the path of a file holding the Slack webhook URL"));
  }

  /** The schema, and so helm and `meshgate validate`, refuses a host name where an IP is due. */
  @Test
  void theHttpAddressIsAnIpAddressNotAHostName() throws Exception {
    for (String address : List.of("0.0.0.0", "10.1.2.3", "::", "fd00::1", "::ffff:10.0.0.1")) {
      assertThat(
              SchemaCheck.DAEMON_CONFIG.problems(
                  yaml("prometheus: {url: http://p:9090}\nhttp: {address: \"" + address + "\"}")))
          .as(address)
          .isEmpty();
    }
    for (String address : List.of("localhost", "meshgate.example.com", "256.0.0.1", "[::1]")) {
      assertThat(
              SchemaCheck.DAEMON_CONFIG.problems(
                  yaml("prometheus: {url: http://p:9090}\nhttp: {address: \"" + address + "\"}")))
          .as(address)
          .containsExactly(
              new SchemaCheck.Problem(
                  "http.address",
                  "is \""
                      + address
                      + "\"; expected an IP address of the pod such as 0.0.0.0 (every IPv4"
                      + " interface), 127.0.0.1 (loopback only) or ::"));
    }
  }

  @ParameterizedTest(name = "{0} among [{1}] -> {2}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
          timout,      timeout url,        timeout
          leaderElecton, leaderElection http, leaderElection
          TimeOut,     timeout,            timeout
          xyz,         timeout url,        -
          pq,          url,                -
          """)
  void theNearestKnownNameIsOnlySuggestedWhenItIsClose(String key, String known, String nearest) {
    assertThat(SchemaCheck.nearest(key, List.of(known.split(" ")))).isEqualTo(nearest);
  }
}

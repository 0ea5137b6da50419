package io.meshgate.cli;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.meshgate.prometheus.MimirLikeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28: {@code meshgate evaluate --config} against a Mimir-like server ({@link
 * MimirLikeServer}). With the path prefix and tenant of the config it evaluates; a refusal of the
 * connection settings exits 64 with an error naming the setting, not 1 (a HOLD a script would wait
 * out forever).
 */
class EvaluateMimirTest {
  @RegisterExtension
  static WireMockExtension mimir =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path dir;

  @BeforeEach
  void mimirLike() {
    MimirLikeServer.serve(
        mimir,
        "[{\"metric\":{\"destination_workload_namespace\":\"payments\"},"
            + "\"value\":[1796637600,\"0.002\"]}]");
  }

  private Cli evaluate(String url, String headers) throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            "prometheus: {url: " + url + (headers == null ? "" : ", headers: " + headers) + "}\n");
    return Cli.run(
        "evaluate",
        "--config",
        config.toString(),
        "--to-revision",
        "1-20-0",
        "-n",
        "payments",
        "--time",
        "2026-12-07T10:00:00Z");
  }

  @Test
  void thePrefixAndTenantOfTheConfigReachTheData() throws IOException {
    Cli cli = evaluate(mimir.baseUrl() + "/prometheus", "{X-Scope-OrgID: team-a}");

    assertThat(cli.err()).doesNotContain("error:");
    assertThat(cli.exitCode()).as(cli.out()).isIn(ExitCodes.HOLD, ExitCodes.PROMOTE);
    assertThat(cli.out()).doesNotContain("ERROR");
  }

  @Test
  void aMissingTenantExitsWithAnErrorNamingTheTenantHeader() throws IOException {
    Cli cli = evaluate(mimir.baseUrl() + "/prometheus", null);

    assertThat(cli.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err())
        .isEqualTo(
            "error: Prometheus at "
                + mimir.baseUrl()
                + "/prometheus refused the query with HTTP 401 \"no org id\": a configuration"
                + " error, not retried; set the tenant header prometheus.headers X-Scope-OrgID"
                + " (Mimir, Cortex) or the credentials prometheus.bearerTokenFile / basicAuth"
                + System.lineSeparator());
    assertThat(cli.out()).contains("HOLD");
  }

  @Test
  void aTenantNotAllowedExitsWithAnErrorNamingTheTenantHeader() throws IOException {
    Cli cli = evaluate(mimir.baseUrl() + "/prometheus", "{X-Scope-OrgID: team-b}");

    assertThat(cli.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err())
        .startsWith("error: Prometheus at " + mimir.baseUrl() + "/prometheus refused the query")
        .contains("HTTP 403 \"tenant not allowed\"", "prometheus.headers X-Scope-OrgID");
  }

  @Test
  void aUrlWithoutThePrefixExitsWithAnErrorNamingThePrefix() throws IOException {
    Cli cli = evaluate(mimir.baseUrl(), "{X-Scope-OrgID: team-a}");

    assertThat(cli.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err())
        .startsWith("error: Prometheus at " + mimir.baseUrl() + "/ refused the query")
        .contains(
            "HTTP 404 \"404 page not found\"",
            "check its path prefix (Mimir and Cortex serve it under one, such as"
                + " http://mimir/prometheus)");
  }
}

package io.meshgate.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

/**
 * WireMock answering as Mimir (or Cortex) does behind an auth gateway: the Prometheus API only
 * under {@link #PREFIX} (Mimir's default {@code api.prometheus_http_prefix}; any other path is 404
 * {@code 404 page not found}, Go's default handler), a query without {@code X-Scope-OrgID} refused
 * with 401 {@code no org id} (grafana/dskit middleware/http_auth.go {@code AuthenticateUser},
 * user/http.go {@code ErrNoOrgID}), and a tenant other than {@link #TENANT} refused with 403 by the
 * gateway (Mimir itself takes any tenant and answers an unknown one with empty results).
 */
public final class MimirLikeServer {
  public static final String PREFIX = "/prometheus";
  public static final String TENANT = "team-a";
  public static final String TENANT_HEADER = "X-Scope-OrgID";

  private MimirLikeServer() {}

  /** Stubs {@code server}: {@code vector} (a {@code data.result} array) for the allowed tenant. */
  public static void serve(WireMockExtension server, String vector) {
    server.stubFor(
        any(anyUrl())
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "text/plain; charset=utf-8")
                    .withBody("404 page not found\n")));
    String api = PREFIX + "/api/v1/.*";
    server.stubFor(
        post(urlPathMatching(api))
            .atPriority(1)
            .withHeader(TENANT_HEADER, absent())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("Content-Type", "text/plain; charset=utf-8")
                    .withBody("no org id\n")));
    server.stubFor(
        post(urlPathMatching(api))
            .atPriority(2)
            .withHeader(TENANT_HEADER, equalTo(TENANT))
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                        + vector
                        + "}}")));
    server.stubFor(
        post(urlPathMatching(api))
            .atPriority(3)
            .withHeader(TENANT_HEADER, matching(".*"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "text/plain; charset=utf-8")
                    .withBody("tenant not allowed\n")));
  }
}

package io.meshgate.prometheus;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to reach Prometheus (or Thanos Querier, Cortex, Mimir: {@code url} may carry a path prefix
 * such as {@code /prometheus}). Secrets are never here, only the files that hold them.
 */
public record PrometheusSettings(
    URI url,
    URI externalUrl,
    Duration timeout,
    Map<String, String> headers,
    Path bearerTokenFile,
    BasicAuth basicAuth,
    Path caFile,
    String revisionLabel) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final String DEFAULT_REVISION_LABEL = "istio_io_rev";

  /** Basic auth; the password is read from {@code passwordFile} at each request. */
  public record BasicAuth(String username, Path passwordFile) {}

  public PrometheusSettings {
    if (url == null) {
      throw new IllegalArgumentException("prometheus url is missing");
    }
    externalUrl = externalUrl == null ? url : externalUrl;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    revisionLabel = revisionLabel == null ? DEFAULT_REVISION_LABEL : revisionLabel;
  }

  /** Plain settings for a URL: the defaults, no auth. */
  public static PrometheusSettings of(URI url) {
    return new PrometheusSettings(url, null, null, null, null, null, null, null);
  }

  public PrometheusSettings withUrl(URI newUrl) {
    return new PrometheusSettings(
        newUrl,
        externalUrl.equals(url) ? newUrl : externalUrl,
        timeout,
        headers,
        bearerTokenFile,
        basicAuth,
        caFile,
        revisionLabel);
  }
}

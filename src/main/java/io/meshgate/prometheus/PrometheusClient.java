package io.meshgate.prometheus;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.meshgate.gate.Durations;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.RangeResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;

/**
 * Instant PromQL queries against Prometheus, Thanos Querier, Cortex or Mimir. Transient failures
 * (network, timeouts, 5xx) are retried with exponential backoff inside a circuit breaker; a refused
 * query ({@code bad_data}, {@code execution}) is never retried.
 *
 * <pre>{@code
 * PrometheusClient client = new PrometheusClient(settings, sharedOkHttp, sharedMapper);
 * QueryResult result = client.query("sum(up)", Instant.now());
 * }</pre>
 */
public final class PrometheusClient {
  /** Retry and breaker tuning; tests shorten the waits. */
  public record Resilience(
      int maxAttempts, Duration firstBackoff, int breakerMinimumCalls, Duration breakerOpenFor) {
    public static final Resilience DEFAULT =
        new Resilience(3, Duration.ofMillis(200), 5, Duration.ofSeconds(30));
  }

  private final PrometheusSettings settings;
  private final OkHttpClient http;
  private final HttpUrl queryUrl;
  private final HttpUrl rangeUrl;
  private final ResponseParser parser;
  private final Retry retry;
  private final CircuitBreaker breaker;

  public PrometheusClient(PrometheusSettings settings, OkHttpClient shared, ObjectMapper json) {
    this(settings, shared, json, Resilience.DEFAULT);
  }

  public PrometheusClient(
      PrometheusSettings settings, OkHttpClient shared, ObjectMapper json, Resilience resilience) {
    this.settings = settings;
    this.http = configure(shared, settings);
    HttpUrl base = HttpUrl.get(settings.url());
    this.queryUrl = base.newBuilder().addPathSegments("api/v1/query").build();
    this.rangeUrl = base.newBuilder().addPathSegments("api/v1/query_range").build();
    this.parser =
        new ResponseParser(json, base.newBuilder().username("").password("").build().toString());
    this.retry =
        Retry.of(
            "prometheus",
            RetryConfig.custom()
                .maxAttempts(resilience.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(resilience.firstBackoff(), 2.0))
                .retryOnException(e -> e instanceof PrometheusException p && p.retryable())
                .failAfterMaxAttempts(false)
                .build());
    this.breaker =
        CircuitBreaker.of(
            "prometheus",
            CircuitBreakerConfig.custom()
                .slidingWindowSize(Math.max(10, resilience.breakerMinimumCalls()))
                .minimumNumberOfCalls(resilience.breakerMinimumCalls())
                .failureRateThreshold(50)
                .waitDurationInOpenState(resilience.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(e -> e instanceof PrometheusException p && p.retryable())
                .build());
  }

  private static OkHttpClient configure(OkHttpClient shared, PrometheusSettings settings) {
    OkHttpClient.Builder builder =
        shared
            .newBuilder()
            // Resilience4j owns retries; OkHttp's silent re-send would double them
            .retryOnConnectionFailure(false)
            .socketFactory(new NoDelaySocketFactory())
            .callTimeout(settings.timeout())
            .readTimeout(settings.timeout())
            .connectTimeout(
                settings.timeout().compareTo(Duration.ofSeconds(5)) < 0
                    ? settings.timeout()
                    : Duration.ofSeconds(5));
    if (settings.caFile() != null) {
      HandshakeCertificates certificates = trusting(settings.caFile());
      builder.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
    }
    return builder.build();
  }

  private static HandshakeCertificates trusting(Path caFile) {
    String pem;
    try {
      pem = Files.readString(caFile);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "prometheus.caFile " + caFile + " cannot be read: " + e.getMessage(), e);
    }
    HandshakeCertificates.Builder builder =
        new HandshakeCertificates.Builder().addPlatformTrustedCertificates();
    int count = 0;
    for (String block : pem.split("(?<=-----END CERTIFICATE-----)")) {
      if (block.contains("-----BEGIN CERTIFICATE-----")) {
        builder.addTrustedCertificate(Certificates.decodeCertificatePem(block.strip()));
        count++;
      }
    }
    if (count == 0) {
      throw new IllegalArgumentException(
          "prometheus.caFile " + caFile + " holds no PEM certificate");
    }
    return builder.build();
  }

  /**
   * Reasons of failures that the connection settings cause (tenant, credentials, path prefix, CA):
   * every query fails alike until an operator fixes them, so they are not retried and not taken for
   * an outage.
   */
  private static final Set<String> CONFIGURATION_REASONS =
      Set.of("unauthorized", "forbidden", "not_found", "tls", "credentials");

  /** Whether a failure with this reason is a configuration error (see the messages). */
  public static boolean isConfigurationError(String reason) {
    return CONFIGURATION_REASONS.contains(reason);
  }

  public PrometheusSettings settings() {
    return settings;
  }

  /** The query's answer, or a {@link QueryResult.Failure} saying why there is none. */
  public QueryResult query(String promql, Instant time) {
    Supplier<QueryResult.Success> guarded =
        CircuitBreaker.decorateSupplier(
            breaker, Retry.decorateSupplier(retry, () -> send(promql, time)));
    try {
      return guarded.get();
    } catch (PrometheusException e) {
      return new QueryResult.Failure(e.reason(), e.getMessage(), e.retryable());
    } catch (CallNotPermittedException e) {
      return new QueryResult.Failure(
          "circuit_open",
          "not sent: Prometheus failed too many recent queries (circuit breaker open); it is tried again shortly",
          true);
    }
  }

  /**
   * The query evaluated at every {@code step} from {@code start} to {@code end}, in one request
   * (with the same retries and circuit breaker as {@link #query}).
   */
  public RangeResult queryRange(String promql, Instant start, Instant end, Duration step) {
    Supplier<RangeResult.Success> guarded =
        CircuitBreaker.decorateSupplier(
            breaker, Retry.decorateSupplier(retry, () -> sendRange(promql, start, end, step)));
    try {
      return guarded.get();
    } catch (PrometheusException e) {
      return new RangeResult.Failure(
          new QueryResult.Failure(e.reason(), e.getMessage(), e.retryable()));
    } catch (CallNotPermittedException e) {
      return new RangeResult.Failure(
          new QueryResult.Failure(
              "circuit_open",
              "not sent: Prometheus failed too many recent queries (circuit breaker open)",
              true));
    }
  }

  private RangeResult.Success sendRange(String promql, Instant start, Instant end, Duration step) {
    FormBody form =
        new FormBody.Builder()
            .add("query", promql)
            .add("start", epochSeconds(start))
            .add("end", epochSeconds(end))
            .add("step", Long.toString(step.toSeconds()))
            .add("timeout", Durations.format(settings.timeout()))
            .add("partial_response", "false")
            .build();
    Request.Builder request =
        new Request.Builder().url(rangeUrl).post(form).header("Accept-Encoding", "identity");
    settings.headers().forEach(request::header);
    authorize(request);
    try (Response response = http.newCall(request.build()).execute()) {
      ResponseBody body = response.body();
      return parser.parseMatrix(response.code(), body == null ? new byte[0] : body.bytes());
    } catch (IOException e) {
      throw transportFailure(e);
    }
  }

  private QueryResult.Success send(String promql, Instant time) {
    FormBody form =
        new FormBody.Builder()
            .add("query", promql)
            .add("time", epochSeconds(time))
            .add("timeout", Durations.format(settings.timeout()))
            // Thanos: an error is safer than silently partial data behind a PROMOTE
            .add("partial_response", "false")
            .build();
    Request.Builder request =
        new Request.Builder()
            .url(queryUrl)
            .post(form)
            // OkHttp would ask for gzip: compressing every answer costs the shared Prometheus
            // more CPU than the few hundred KB it saves on a cluster network
            .header("Accept-Encoding", "identity");
    settings.headers().forEach(request::header);
    authorize(request);
    try (Response response = http.newCall(request.build()).execute()) {
      ResponseBody body = response.body();
      return parser.parse(response.code(), body == null ? new byte[0] : body.bytes());
    } catch (IOException e) {
      throw transportFailure(e);
    }
  }

  private void authorize(Request.Builder request) {
    if (settings.bearerTokenFile() != null) {
      request.header(
          "Authorization", "Bearer " + secret(settings.bearerTokenFile(), "bearerTokenFile"));
    } else if (settings.basicAuth() != null) {
      PrometheusSettings.BasicAuth basic = settings.basicAuth();
      request.header(
          "Authorization",
          Credentials.basic(
              basic.username(), secret(basic.passwordFile(), "basicAuth.passwordFile")));
    }
  }

  /** Read at every request: mounted Secrets and projected tokens rotate. */
  private static String secret(Path file, String key) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new PrometheusException(
          "credentials",
          "prometheus." + key + " " + file + " cannot be read: " + e.getMessage(),
          false);
    }
  }

  private PrometheusException transportFailure(IOException e) {
    String where = " at " + queryUrl.newBuilder().username("").password("").build();
    if (e instanceof InterruptedIOException) {
      return new PrometheusException(
          "timeout",
          "Prometheus did not answer within " + Durations.format(settings.timeout()) + where,
          true);
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException) {
      return new PrometheusException(
          "unreachable",
          "Prometheus unreachable" + where + ": " + e.getMessage() + " (check prometheus.url)",
          true);
    }
    if (e instanceof SSLException) {
      return new PrometheusException(
          "tls",
          "TLS with Prometheus failed"
              + where
              + ": "
              + e.getMessage()
              + " (check prometheus.caFile)",
          false);
    }
    return new PrometheusException("io", "Prometheus request failed" + where + ": " + e, true);
  }

  static String epochSeconds(Instant time) {
    long millis = time.toEpochMilli();
    return Math.floorDiv(millis, 1000) + "." + String.format("%03d", Math.floorMod(millis, 1000));
  }
}

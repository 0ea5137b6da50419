package io.meshgate.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.alerting.AlertmanagerPayload;
import io.meshgate.controller.MigrationObject;
import io.meshgate.json.Mappers;
import io.meshgate.kube.ClusterReadException;
import io.meshgate.kube.MigrationCommands;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.logging.LogContext;
import io.meshgate.metrics.Metrics;
import io.meshgate.plan.PlanRequestException;
import io.meshgate.plan.UpgradePlan;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One port: health, readiness, metrics, the migrations API, the upgrade plan and the Alertmanager
 * webhook. Writes need {@code Authorization: Bearer <token>} unless started without a token on
 * purpose ({@code --insecure-webhook}).
 *
 * <pre>{@code
 * HttpServer http = HttpServer.start("0.0.0.0", 8080, token, metrics, daemon::isReady, migrations, handOff, commands, plans);
 * }</pre>
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  /**
   * Alertmanager sends a whole group in one request (10,000 alerts make about 5 MB) and never
   * retries a 413, so the limit is generous; the body is streamed, not held.
   */
  static final long MAX_BODY = 64L * 1024 * 1024;

  private static final String MAX_BODY_TEXT = "64 MiB";

  private static final ObjectMapper JSON = Mappers.json();

  /** Read access to the migrations for the API. */
  public interface MigrationView {
    List<MigrationObject> all();

    Optional<MigrationObject> get(String name);
  }

  /** The upgrade plan of {@code GET /api/v1/plan}, read from the cluster when asked. */
  public interface PlanSource {
    /**
     * @throws PlanRequestException when the revisions are bad, unknown or the same
     * @throws ClusterReadException when the cluster cannot be read
     */
    UpgradePlan plan(String from, String to);
  }

  private final Javalin app;
  private final byte[] token;
  private final Metrics metrics;
  private final DeadlineCommits commits;

  /**
   * Started on {@code address} (an IP address of this machine; {@code 0.0.0.0}: every IPv4
   * interface); {@code commitDeadline}: how long a webhook delivery may take to be recorded.
   */
  HttpServer(
      String address,
      int port,
      String token,
      Metrics metrics,
      BooleanSupplier ready,
      MigrationView migrations,
      AlertHandOff handOff,
      MigrationCommands commands,
      PlanSource plans,
      Duration commitDeadline) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.metrics = metrics;
    this.commits = new DeadlineCommits(commitDeadline);
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = MAX_BODY;
            });
    app.exception(
        HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.toString(), e);
          error(ctx, 500, "internal error: " + e.getMessage());
        });
    app.get("/healthz", ctx -> ctx.result("ok"));
    app.get(
        "/readyz",
        ctx -> {
          if (ready.getAsBoolean()) {
            ctx.result("ready");
          } else {
            ctx.status(503).result("not ready: caches not synced yet");
          }
        });
    app.get("/metrics", this::metrics);
    app.get(
        "/api/v1/migrations",
        ctx -> ctx.json(migrations.all().stream().map(HttpServer::view).toList()));
    app.get(
        "/api/v1/migrations/{name}",
        ctx ->
            ctx.json(
                view(
                    migrations
                        .get(ctx.pathParam("name"))
                        .orElseThrow(() -> notFound(ctx.pathParam("name"))))));
    app.get("/api/v1/plan", ctx -> plan(ctx, plans));
    app.post(
        "/api/v1/migrations/{name}/pause", ctx -> command(ctx, name -> commands.pause(name, true)));
    app.post(
        "/api/v1/migrations/{name}/resume",
        ctx -> command(ctx, name -> commands.pause(name, false)));
    app.post(
        "/api/v1/migrations/{name}/approve",
        ctx -> command(ctx, name -> commands.approve(name, ctx.queryParam("wave"))));
    app.post("/api/v1/migrations/{name}/abort", ctx -> command(ctx, commands::abort));
    app.post("/api/v1/alertmanager", ctx -> alertmanager(ctx, handOff));
    app.start(address, port);
  }

  public static HttpServer start(
      String address,
      int port,
      String token,
      Metrics metrics,
      BooleanSupplier ready,
      MigrationView migrations,
      AlertHandOff handOff,
      MigrationCommands commands,
      PlanSource plans) {
    return new HttpServer(
        address,
        port,
        token,
        metrics,
        ready,
        migrations,
        handOff,
        commands,
        plans,
        DeadlineCommits.DEFAULT);
  }

  public int port() {
    return app.port();
  }

  private static HttpResponseException notFound(String name) {
    return new HttpResponseException(404, "no RevisionMigration " + name);
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message == null ? "" : message));
  }

  private static Map<String, Object> view(MigrationObject m) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", m.name());
    if (m.spec() != null) {
      view.put("fromRevision", m.spec().fromRevision());
      view.put("toRevision", m.spec().toRevision());
      if (m.spec().tagMode()) {
        view.put("tag", m.spec().tag().name());
      }
      view.put("paused", m.spec().paused());
      view.put("dryRun", m.spec().dryRun());
    } else {
      view.put("specProblem", m.specProblem());
    }
    view.put("aborted", m.aborted());
    view.put("approvedWaves", m.approvedWaves().stream().sorted().toList());
    view.put("status", RevisionMigrations.fromStatus(m.status()));
    return view;
  }

  /** {@code ?from=R0&to=R1}: 400 for a missing, bad or unknown revision, 503 if unreadable. */
  private static void plan(Context ctx, PlanSource plans) {
    String from = required(ctx, "from");
    String to = required(ctx, "to");
    UpgradePlan plan;
    try {
      plan = plans.plan(from, to);
    } catch (PlanRequestException e) {
      throw new HttpResponseException(400, e.getMessage());
    } catch (ClusterReadException e) {
      LOG.warn("api: no plan from {} to {}: {}", from, to, e.getMessage());
      throw new HttpResponseException(503, e.getMessage());
    }
    ctx.json(plan.toMap());
  }

  private static String required(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null || value.isEmpty()) {
      throw new HttpResponseException(
          400, "query parameter '" + name + "' is required: GET /api/v1/plan?from=R0&to=R1");
    }
    return value;
  }

  private void metrics(Context ctx) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, metrics.registry.scrape());
    ctx.contentType(PrometheusTextFormatWriter.CONTENT_TYPE).result(out.toByteArray());
  }

  /** 401 without a bearer token, 403 with a wrong one; compared in constant time. */
  private void authorize(Context ctx) {
    if (token == null) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw new HttpResponseException(401, "missing Authorization: Bearer <token>");
    }
    byte[] offered = header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(offered, token)) {
      throw new HttpResponseException(403, "wrong bearer token");
    }
  }

  private void command(Context ctx, Function<String, MigrationCommands.Outcome> command) {
    authorize(ctx);
    MigrationCommands.Outcome outcome;
    try (LogContext context = LogContext.migration(ctx.pathParam("name"))) {
      outcome = command.apply(ctx.pathParam("name"));
    }
    switch (outcome.result()) {
      case NOT_FOUND -> throw new HttpResponseException(404, outcome.message());
      case INVALID -> throw new HttpResponseException(400, outcome.message());
      case DONE -> {}
    }
    LOG.info("api: {}", outcome.message());
    ctx.json(Map.of("result", outcome.message()));
  }

  private void alertmanager(Context ctx, AlertHandOff handOff) {
    authorize(ctx);
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new HttpResponseException(
          415, "expected Content-Type application/json, got " + (type == null ? "none" : type));
    }
    if (ctx.contentLength() > MAX_BODY) {
      throw new HttpResponseException(
          413, "body of " + ctx.contentLength() + " bytes is over the " + MAX_BODY_TEXT + " limit");
    }
    AlertHandOff.Delivery delivery = handOff.begin();
    AlertmanagerPayload.Header header;
    try (InputStream body = new LimitedInputStream(ctx.bodyInputStream(), MAX_BODY)) {
      header = AlertmanagerPayload.stream(body, JSON, delivery::add);
      delivery.group(header);
    } catch (AlertmanagerPayload.MalformedPayloadException e) {
      throw new HttpResponseException(400, e.getMessage());
    } catch (LimitedInputStream.LimitExceededException e) {
      throw new HttpResponseException(413, "body is over the " + MAX_BODY_TEXT + " limit");
    } catch (IOException e) {
      throw new HttpResponseException(400, "unreadable body: " + e.getMessage());
    }
    AlertHandOff.Result result;
    try {
      result = commits.commit(delivery);
    } catch (RuntimeException e) {
      // 5xx is what Alertmanager retries: the alerts were not durably recorded
      LOG.warn(
          "alerts of group {} not recorded, asking Alertmanager to retry: {}",
          header.groupKey(),
          e.toString());
      throw new HttpResponseException(503, "alerts not recorded (" + e.getMessage() + "); retry");
    }
    result
        .byAction()
        .forEach((action, count) -> metrics.alertsReceived.labelValues(action).inc(count));
    if (result.truncated() > 0) {
      warnTruncated(header, result);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("firing", result.firing());
    body.put("resolved", result.resolved());
    body.put("unmatched", result.unmatched());
    body.put("truncated", result.truncated());
    body.put("migrations", result.migrations());
    ctx.json(body);
  }

  /** Said at every truncated delivery: the setting that loses alerts is on the sending side. */
  private void warnTruncated(AlertmanagerPayload.Header header, AlertHandOff.Result result) {
    metrics.alertsTruncated.inc(result.truncated());
    if (result.truncatedStandIn()) {
      LOG.warn(
          "Alertmanager left {} alerts of group {} out of its notification (webhook_config"
              + " max_alerts); recorded one stand-in alert for them, mapped by the group's labels"
              + " {}, until a notification of the group comes whole; raise max_alerts or group by"
              + " namespace so that each alert reaches meshgate",
          result.truncated(),
          header.groupKey(),
          header.groupLabels());
    } else {
      LOG.warn(
          "Alertmanager left {} alerts of group {} out of its notification (webhook_config"
              + " max_alerts) and the group's labels {} name no migrating namespace or revision"
              + " with a mapped action: alerts among them may be lost; raise max_alerts or group"
              + " by namespace (group_by) so that each alert reaches meshgate",
          result.truncated(),
          header.groupKey(),
          header.groupLabels());
    }
  }

  @Override
  public void close() {
    app.stop();
    commits.close();
  }

  /** The webhook token: the file's content, else MESHGATE_WEBHOOK_TOKEN; null when neither. */
  public static String readToken(java.nio.file.Path file, Supplier<String> env) {
    if (file != null) {
      try {
        String token = java.nio.file.Files.readString(file).strip();
        if (!token.isEmpty()) {
          return token;
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "http.webhookTokenFile " + file + " cannot be read: " + e.getMessage(), e);
      }
    }
    String fromEnv = env.get();
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
  }
}

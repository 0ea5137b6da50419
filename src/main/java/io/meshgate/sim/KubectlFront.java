package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;

/**
 * The simulated cluster as kubectl needs it: an HTTP front of fabric8's mock API server that serves
 * discovery ({@link Discovery}), answers {@code kubectl get} with server-side Tables ({@link
 * Tables}) and streams watches over plain HTTP ({@link WatchStream}); everything else goes through
 * to the mock as it is. The mock serves watches over WebSocket only (a plain {@code ?watch=true}
 * GET is a 400, "Connection header must be Upgrade"), while kubectl watches with a chunked HTTP
 * response (client-go {@code rest/request.go} Watch).
 *
 * <pre>{@code
 * try (KubectlFront front = KubectlFront.start(cluster.client().getMasterUrl().toURI())) {
 *   Files.writeString(dir.resolve("kubeconfig"), front.kubeconfig());
 *   // KUBECONFIG=dir/kubeconfig kubectl get revmig -w
 * }
 * }</pre>
 */
public final class KubectlFront implements AutoCloseable {
  static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(30);

  private final URI backend;
  private final HttpServer server;
  private final ExecutorService threads;
  private final HttpClient http;
  private final Set<WatchStream> watches = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService beats =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "kubectl-front-heartbeat");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;

  private KubectlFront(URI backend, HttpServer server, ExecutorService threads) {
    this.backend = backend;
    this.server = server;
    this.threads = threads;
    // HTTP/1.1 as an API server speaks it to kubectl: the default, HTTP/2, makes the first request
    // an h2c upgrade, which the mock's server took and then answered no more (a CI run's fabric8
    // watch through the front waited past its 30 s timeout on the CRD list behind it)
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(BACKEND_TIMEOUT)
            .build();
  }

  /** Starts a front of {@code backend} (the mock's URL) on a free loopback port. */
  public static KubectlFront start(URI backend) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // every watch holds a thread for as long as its client follows it
    ExecutorService threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "kubectl-front");
              t.setDaemon(true);
              return t;
            });
    KubectlFront front = new KubectlFront(backend, server, threads);
    server.createContext("/", front::handle);
    server.setExecutor(threads);
    server.start();
    return front;
  }

  /** Where kubectl reaches the cluster. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A kubeconfig whose current context is this front, without credentials (none are checked). */
  public String kubeconfig() {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: meshgate-demo",
        "    cluster:",
        "      server: " + url(),
        "contexts:",
        "  - name: meshgate-demo",
        "    context:",
        "      cluster: meshgate-demo",
        "      user: meshgate-demo",
        "current-context: meshgate-demo",
        "users:",
        "  - name: meshgate-demo",
        "    user: {}",
        "");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getRawPath();
      Map<String, String> params = FrontRequest.params(exchange.getRequestURI().getRawQuery());
      // a selector it cannot read is the client's error (400), found before anything is forwarded
      FieldSelector.parse(params.get("fieldSelector"));
      boolean get = exchange.getRequestMethod().equals("GET");
      if (!get && params.containsKey("fieldSelector")) {
        // the mock ignores field selectors: kubectl delete --field-selector would delete them all
        throw new IllegalArgumentException(
            "this server applies field selectors to reads only, not to "
                + exchange.getRequestMethod());
      }
      Optional<JsonNode> discovery = get ? discovery(path) : Optional.empty();
      if (discovery.isPresent()) {
        JsonNode document = discovery.get();
        respond(
            exchange,
            document.path("kind").asText().equals("Status") ? document.path("code").asInt() : 200,
            document);
      } else if (get && FrontRequest.isWatch(params)) {
        watch(exchange, path, params);
      } else {
        forward(exchange, path, params);
      }
    } catch (IllegalArgumentException e) {
      if (exchange.getResponseCode() < 0) {
        respond(exchange, 400, ApiServerDispatcher.statusObject(400, "BadRequest", e.getMessage()));
      }
    } catch (IOException | RuntimeException e) {
      // the client has gone, or the mock failed: answer if the response has not started
      if (exchange.getResponseCode() < 0) {
        respond(
            exchange, 500, ApiServerDispatcher.statusObject(500, "InternalError", e.toString()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private static JsonNode notServed(String path) {
    return ApiServerDispatcher.statusObject(
        404, "NotFound", "the server could not find the requested resource " + path);
  }

  /**
   * The discovery document at {@code path} (a 404 Status for a group it does not serve), if any.
   */
  private Optional<JsonNode> discovery(String path) throws IOException, InterruptedException {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] parts = trimmed.split("/");
    if (trimmed.equals("/api")) {
      return Optional.of(discovery().coreVersions());
    }
    if (trimmed.equals("/api/v1")) {
      return discovery().resources("v1");
    }
    if (trimmed.equals("/apis")) {
      return Optional.of(discovery().groups());
    }
    if (parts.length == 3 && parts[1].equals("apis")) {
      return Optional.of(discovery().group(parts[2]).orElse(notServed(trimmed)));
    }
    if (parts.length == 4 && parts[1].equals("apis")) {
      return Optional.of(
          discovery().resources(parts[2] + "/" + parts[3]).orElse(notServed(trimmed)));
    }
    return Optional.empty();
  }

  private Discovery discovery() throws IOException, InterruptedException {
    HttpResponse<String> crds =
        http.send(
            HttpRequest.newBuilder(
                    backend.resolve("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"))
                .timeout(BACKEND_TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    List<JsonNode> items = new ArrayList<>();
    if (crds.statusCode() == 200) {
      Mappers.json().readTree(crds.body()).path("items").forEach(items::add);
    }
    return new Discovery(items);
  }

  /**
   * Any other request, answered by the mock; a list's field selector applied here; a GET asking for
   * a Table gets one.
   */
  private void forward(HttpExchange exchange, String path, Map<String, String> params)
      throws IOException, InterruptedException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    boolean get = exchange.getRequestMethod().equals("GET");
    FieldSelector selector =
        get ? FieldSelector.parse(params.get("fieldSelector")) : FieldSelector.parse(null);
    String query =
        selector.isEmpty()
            ? FrontRequest.query(exchange)
            : FrontRequest.withoutFieldSelector(exchange);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(backend.resolve(exchange.getRequestURI().getRawPath() + query))
            .timeout(BACKEND_TIMEOUT)
            .method(
                exchange.getRequestMethod(),
                body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : List.of("Content-Type", "User-Agent", "Accept")) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    Matcher resource = ResourcePath.PATTERN.matcher(path);
    if (get
        && response.statusCode() == HttpURLConnection.HTTP_NOT_FOUND
        && resource.matches()
        && ResourcePath.of(resource).name() != null) {
      respond(exchange, HttpURLConnection.HTTP_NOT_FOUND, ResourcePath.of(resource).notFound());
      return;
    }
    if (get && response.statusCode() == 200 && resource.matches()) {
      JsonNode object = Mappers.json().readTree(response.body());
      Discovery discovery = discovery();
      withoutNullNamespace(object);
      object.path("items").forEach(KubectlFront::withoutNullNamespace);
      if (object.path("items").isArray()) {
        for (Iterator<JsonNode> items = object.path("items").elements(); items.hasNext(); ) {
          if (!selector.matches(items.next())) {
            items.remove();
          }
        }
        ResourcePath.of(resource).typed((ObjectNode) object, discovery);
      }
      respond(
          exchange,
          200,
          FrontRequest.asTable(exchange)
              ? Tables.table(
                  object,
                  ResourcePath.of(resource).columns(discovery),
                  params.get("includeObject"),
                  Instant.now())
              : object);
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(
        response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
    exchange.getResponseBody().write(response.body());
  }

  /**
   * The mock stores a cluster-scoped object with {@code namespace: null}, which {@code kubectl get
   * -o yaml} shows; the API server leaves the key out.
   */
  private static void withoutNullNamespace(JsonNode object) {
    if (object.path("metadata").path("namespace").isNull()) {
      ((ObjectNode) object.path("metadata")).remove("namespace");
    }
  }

  /** A watch as an HTTP stream of JSON watch events, one per line, until either side ends it. */
  private void watch(HttpExchange exchange, String path, Map<String, String> params)
      throws IOException, InterruptedException {
    // fabric8 asks for a WebSocket first and watches over HTTP when the handshake is answered
    // with 200, as kubectl proxy does (BaseOperation.submitWatch; a 503 would be retried first,
    // StandardHttpClient); kubectl never asks for one
    if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Upgrade"))) {
      respond(
          exchange,
          200,
          ApiServerDispatcher.statusObject(
              200, "", "this server streams watches over HTTP, not WebSocket"));
      return;
    }
    Matcher resource = ResourcePath.PATTERN.matcher(path);
    boolean table = FrontRequest.asTable(exchange) && resource.matches();
    List<Tables.Column> columns = table ? ResourcePath.of(resource).columns(discovery()) : null;
    boolean bookmarks = "true".equals(params.get("allowWatchBookmarks"));
    ObjectNode bookmark =
        bookmarks && !table && resource.matches()
            ? ResourcePath.of(resource).bookmark(discovery())
            : null;
    URI socket =
        URI.create("ws://" + backend.getRawAuthority() + path + FrontRequest.query(exchange));
    WatchStream stream =
        new WatchStream(
            exchange,
            WatchStream.Filter.of(params),
            columns,
            params.get("includeObject"),
            bookmarks,
            bookmark);
    WebSocket mock;
    try {
      // the mock's watch first: a refusal is answered with its code, and no change is lost
      // between the response's start and the watch's
      mock = stream.open(http, socket);
    } catch (WatchStream.Refused e) {
      respond(
          exchange,
          e.code,
          ApiServerDispatcher.statusObject(e.code, e.reason(), e.getMessage() + " " + path));
      return;
    }
    watches.add(stream);
    if (closed) {
      // closing went through the watches before this one was added
      stream.endWith(gone());
    }
    try {
      stream.follow(mock, beats);
    } finally {
      watches.remove(stream);
    }
  }

  /** How many watches are open: each holds a thread, a socket and a watch of the mock. */
  public int openWatches() {
    return watches.size();
  }

  private static void respond(HttpExchange exchange, int code, JsonNode body) throws IOException {
    byte[] bytes = Mappers.json().writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static ObjectNode gone() {
    return ApiServerDispatcher.statusObject(410, "Gone", "the simulated cluster has stopped");
  }

  /**
   * Stops serving as a killed demo does (kill -9): the connections drop, no watch hears a Gone.
   * What tests of the front's clients need.
   */
  void halt() {
    server.stop(0);
    beats.shutdownNow();
    threads.shutdownNow();
  }

  /** Ends every watch, saying the cluster is gone for good, and stops serving. */
  @Override
  public void close() {
    closed = true;
    watches.forEach(watch -> watch.endWith(gone()));
    // a second for the ended watches to finish their responses: a stream cut before its last
    // chunk is an error to the client, not the end of the watch
    server.stop(1);
    beats.shutdownNow();
    threads.shutdownNow();
  }
}

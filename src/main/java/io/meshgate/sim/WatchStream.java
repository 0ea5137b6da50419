package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One watch of {@link KubectlFront}: the mock's WebSocket watch relayed as the chunked HTTP
 * response a real API server sends, one JSON watch event per line, each object turned into a
 * one-row Table when the client asked for Tables (as {@code kubectl get -w} does).
 */
final class WatchStream {
  /**
   * What the mock does not filter itself. It sends an ADDED event for every stored object when a
   * watch opens, whatever resourceVersion it starts from; the API server sends those only for a
   * watch from "0" or from no version (a watch from a list's version sees changes only, which is
   * what {@code kubectl get -w} relies on: pkg/cmd/get/get.go watch). And {@code kubectl get KIND
   * NAME -w} selects its object with {@code fieldSelector=metadata.name=NAME}.
   */
  record Filter(long fromVersion, FieldSelector selector) {
    static Filter of(Map<String, String> params) {
      long from;
      try {
        from = Long.parseLong(params.getOrDefault("resourceVersion", "0"));
      } catch (NumberFormatException e) {
        from = 0;
      }
      return new Filter(from, FieldSelector.parse(params.get("fieldSelector")));
    }

    boolean passes(String type, JsonNode object) {
      if (!selector.matches(object)) {
        return false;
      }
      if (!type.equals("ADDED") || fromVersion <= 0) {
        return true;
      }
      try {
        return Long.parseLong(object.path("metadata").path("resourceVersion").asText())
            > fromVersion;
      } catch (NumberFormatException e) {
        return true;
      }
    }
  }

  /**
   * How often an open stream writes something while nothing happens: a client that has gone (Ctrl-C
   * on {@code kubectl get -w}) is noticed only by a failed write, and until then its stream holds a
   * thread, a socket and a watch of the mock.
   */
  static final Duration HEARTBEAT = Duration.ofSeconds(5);

  private final HttpExchange exchange;
  private final Filter filter;
  private final List<Tables.Column> columns;
  private final String includeObject;
  private final boolean bookmarks;
  private final ObjectNode bookmark;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final StringBuilder partial = new StringBuilder();

  /** Events that came from the mock before the response started, sent when it does. */
  private final List<String> pending = new ArrayList<>();

  private OutputStream out;
  private boolean closed;
  private String lastVersion;

  /**
   * {@code columns} null: the objects as they are, not as Tables. The heartbeat is a BOOKMARK event
   * when the client allows {@code bookmarks} ({@code bookmark}: its object's kind and apiVersion;
   * null when the kind is unknown, and then there is no heartbeat), else an empty line. An empty
   * line would end a fabric8 HTTP watch, which always allows bookmarks: it reads every line as an
   * event (AbstractWatchManager, "Unexpected exception processing watch event").
   */
  WatchStream(
      HttpExchange exchange,
      Filter filter,
      List<Tables.Column> columns,
      String includeObject,
      boolean bookmarks,
      ObjectNode bookmark) {
    this.exchange = exchange;
    this.filter = filter;
    this.columns = columns;
    this.includeObject = includeObject;
    this.bookmarks = bookmarks;
    this.bookmark = bookmark;
    // a bookmark before any event carries the version the watch started from
    this.lastVersion = String.valueOf(Math.max(0, filter.fromVersion()));
  }

  /** The mock's watch at {@code socket}; a refusal is the client's answer, with the mock's code. */
  WebSocket open(HttpClient http, URI socket) throws Refused, InterruptedException {
    try {
      return http.newWebSocketBuilder()
          .buildAsync(socket, new Relay())
          .get(KubectlFront.BACKEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        throw new Refused(refused.getResponse().statusCode(), "the mock API server refused");
      }
      throw new Refused(503, "the mock API server cannot be reached: " + e.getCause());
    }
  }

  /** The mock refused a watch, with the HTTP status {@code code}. */
  static final class Refused extends Exception {
    final int code;

    Refused(int code, String message) {
      super(message);
      this.code = code;
    }

    /** The reason of the Status that says so. */
    String reason() {
      return switch (code) {
        case 400 -> "BadRequest";
        case 404 -> "NotFound";
        case 410 -> "Gone";
        case 503 -> "ServiceUnavailable";
        default -> "InternalError";
      };
    }
  }

  /**
   * Relays the mock's watch (opened by {@link #open}) until the client, the mock or {@link #end}
   * ends it, writing a heartbeat on {@code beats} while nothing else is written.
   */
  void follow(WebSocket webSocket, ScheduledExecutorService beats)
      throws IOException, InterruptedException {
    ScheduledFuture<?> heartbeat = null;
    try {
      synchronized (this) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        out = exchange.getResponseBody();
        for (String line : pending) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
        }
        pending.clear();
        // the headers, now: a watch with nothing to report yet would otherwise keep its client
        // waiting
        out.flush();
      }
      heartbeat =
          beats.scheduleWithFixedDelay(
              this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
      ended.await();
    } finally {
      if (heartbeat != null) {
        heartbeat.cancel(false);
      }
      webSocket.abort();
    }
  }

  private void beat() {
    try {
      synchronized (this) {
        if (bookmarks && bookmark != null) {
          ObjectNode object = bookmark.deepCopy();
          object.putObject("metadata").put("resourceVersion", lastVersion);
          write(Mappers.json().createObjectNode().put("type", "BOOKMARK").set("object", object));
        } else if (!bookmarks && out != null && !closed) {
          // client-go frames a watch with encoding/json's Decoder, which skips the whitespace
          // between values (k8s.io/apimachinery@v0.36.3/pkg/util/framer/framer.go
          // NewJSONFramedReader)
          out.write('\n');
          out.flush();
        }
      }
    } catch (IOException e) {
      end();
    }
  }

  /** Ends the stream: the client sees the watch close, as when an API server stops. */
  void end() {
    ended.countDown();
  }

  /**
   * Ends the stream with an ERROR event carrying {@code status}: a fabric8 watcher hears a 410 Gone
   * as the end of its watch (onClose) where a closed stream only makes it reconnect. Nothing is
   * written after it.
   */
  void endWith(JsonNode status) {
    try {
      write(Mappers.json().createObjectNode().put("type", "ERROR").set("object", status));
    } catch (IOException e) {
      // the client has gone already
    }
    synchronized (this) {
      closed = true;
    }
    end();
  }

  private synchronized void write(JsonNode event) throws IOException {
    if (closed) {
      return;
    }
    String line = event + "\n";
    if (out == null) {
      pending.add(line);
      return;
    }
    out.write(line.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private final class Relay implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String message = partial.toString();
        partial.setLength(0);
        try {
          relay(message);
        } catch (IOException e) {
          // the client has gone (Ctrl-C on kubectl)
          end();
        }
      }
      webSocket.request(1);
      return CompletableFuture.completedFuture(null);
    }

    private void relay(String message) throws IOException {
      JsonNode event = Mappers.json().readTree(message);
      String type = event.path("type").asText();
      JsonNode object = event.path("object");
      String version = object.path("metadata").path("resourceVersion").asText("");
      if (!version.isEmpty()) {
        synchronized (WatchStream.this) {
          lastVersion = version;
        }
      }
      if (!filter.passes(type, object)) {
        return;
      }
      if (columns != null && !type.equals("ERROR")) {
        ((ObjectNode) event)
            .set("object", Tables.table(object, columns, includeObject, Instant.now()));
      }
      write(event);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      end();
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      end();
    }
  }
}

package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * One watch of {@link KubectlFront}: the mock's WebSocket watch relayed as the chunked HTTP
 * response a real API server sends, one JSON watch event per line, each object turned into a
 * one-row Table when the client asked for Tables (as {@code kubectl get -w} does).
 */
final class WatchStream {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private final HttpExchange exchange;
  private final Filter filter;
  private final List<Tables.Column> columns;
  private final String includeObject;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final StringBuilder partial = new StringBuilder();
  private volatile OutputStream out;

  /** {@code columns} null: the objects as they are, not as Tables. */
  WatchStream(
      HttpExchange exchange, Filter filter, List<Tables.Column> columns, String includeObject) {
    this.exchange = exchange;
    this.filter = filter;
    this.columns = columns;
    this.includeObject = includeObject;
  }

  /** Relays the mock's watch at {@code socket} until the client or the mock ends it. */
  void follow(HttpClient http, URI socket) throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    out = exchange.getResponseBody();
    // the headers, now: a watch with nothing to report yet would otherwise keep its client waiting
    out.flush();
    WebSocket webSocket;
    try {
      webSocket = http.newWebSocketBuilder().buildAsync(socket, new Relay()).get();
    } catch (ExecutionException e) {
      throw new IOException("the mock API server refused the watch " + socket, e.getCause());
    }
    try {
      ended.await();
    } finally {
      webSocket.abort();
    }
  }

  /** Ends the stream: the client sees the watch close, as when an API server stops. */
  void end() {
    ended.countDown();
  }

  /**
   * Ends the stream with an ERROR event carrying {@code status}: a fabric8 watcher hears a 410 Gone
   * as the end of its watch (onClose) where a closed stream only makes it reconnect.
   */
  void endWith(JsonNode status) {
    try {
      write(JSON.createObjectNode().put("type", "ERROR").set("object", status));
    } catch (IOException e) {
      // the client has gone already
    }
    end();
  }

  private synchronized void write(JsonNode event) throws IOException {
    if (out != null) {
      out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
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
      JsonNode event = JSON.readTree(message);
      String type = event.path("type").asText();
      JsonNode object = event.path("object");
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

package io.meshgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/**
 * Passes each webhook request on to {@code target} with its headers of interest and answers what
 * the target answered; keeps every body once the target has answered, so that a test sees a payload
 * only after meshgate has acted on it.
 *
 * <pre>{@code
 * try (RecordingRelay relay = RecordingRelay.start(meshgateWebhook)) {
 *   JsonNode first = relay.relayed(1);
 * }
 * }</pre>
 */
final class RecordingRelay implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final com.sun.net.httpserver.HttpServer server;
  private final URI target;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> bodies = new CopyOnWriteArrayList<>();

  private RecordingRelay(com.sun.net.httpserver.HttpServer server, URI target) {
    this.server = server;
    this.target = target;
  }

  static RecordingRelay start(URI target) throws IOException {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    RecordingRelay relay = new RecordingRelay(server, target);
    server.createContext("/", relay::relay);
    server.start();
    return relay;
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private void relay(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (String header : List.of("Content-Type", "Authorization")) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
          request.header(header, value);
        }
      }
      HttpResponse<byte[]> answer =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      bodies.add(new String(body, StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while relaying", e);
    }
  }

  /** The {@code n}th body relayed (from 1), once there is one. */
  JsonNode relayed(int n) throws IOException {
    Awaitility.await("notification " + n + " relayed to meshgate")
        .atMost(Duration.ofSeconds(60))
        .until(() -> bodies.size() >= n);
    return JSON.readTree(bodies.get(n - 1));
  }

  /** Writes every body relayed to {@code dir}, as 1.json, 2.json, ... */
  void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (int i = 0; i < bodies.size(); i++) {
      Files.writeString(dir.resolve((i + 1) + ".json"), bodies.get(i));
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package io.meshgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshgate.metrics.Metrics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 29, {@code http.address}: the one port bound on the address the config names, so that a
 * sidecar-less pod can keep it to loopback behind a local proxy.
 */
class HttpAddressTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * 127.0.0.2 is another address of the machine on every Linux host (all of 127.0.0.0/8 is
   * loopback), so the check never depends on the machine having a second interface.
   */
  private static final String OTHER_LOOPBACK = "127.0.0.2";

  @Test
  void boundToOneAddressItAnswersThereAndOnNoOtherAddressOfTheMachine() throws Exception {
    try (HttpServer server = start("127.0.0.1")) {
      assertThat(healthz("127.0.0.1", server.port())).isEqualTo("ok");
      // the same port on another address of the machine: refused, nothing listens there
      assertThatThrownBy(() -> connect(InetAddress.getByName(OTHER_LOOPBACK), server.port()))
          .as("port %d on %s", server.port(), OTHER_LOOPBACK)
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void boundToEveryInterfaceItAnswersOnEveryAddressOfTheMachine() throws Exception {
    try (HttpServer server = start("0.0.0.0")) {
      assertThat(healthz("127.0.0.1", server.port())).isEqualTo("ok");
      assertThat(healthz(OTHER_LOOPBACK, server.port())).isEqualTo("ok");
    }
  }

  private static HttpServer start(String address) {
    return HttpServer.start(
        address,
        0,
        "token",
        new Metrics(),
        () -> true,
        new HttpServer.MigrationView() {
          @Override
          public List<io.meshgate.controller.MigrationObject> all() {
            return List.of();
          }

          @Override
          public Optional<io.meshgate.controller.MigrationObject> get(String name) {
            return Optional.empty();
          }
        },
        null,
        null,
        null);
  }

  private static String healthz(String host, int port) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void connect(InetAddress address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 5_000);
    }
  }
}

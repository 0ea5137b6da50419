package io.meshgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshgate.metrics.Metrics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 29, {@code http.address}: the one port bound on the address the config names, so that a
 * sidecar-less pod can keep it to loopback behind a local proxy.
 */
class HttpAddressTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void boundToLoopbackItAnswersOnLoopbackOnlyAndOnNoOtherAddressOfTheMachine() throws Exception {
    Optional<InetAddress> other = otherLocalAddress();

    try (HttpServer server = start("127.0.0.1")) {
      assertThat(server.address()).isEqualTo("127.0.0.1");
      assertThat(healthz("127.0.0.1", server.port())).isEqualTo("ok");
      if (other.isPresent()) {
        // the same port on the machine's other address: refused, nothing listens there
        assertThatThrownBy(() -> connect(other.get(), server.port()))
            .as("port %d on %s", server.port(), other.get())
            .isInstanceOf(ConnectException.class);
      }
    }
  }

  @Test
  void boundToEveryInterfaceItAnswersOnLoopbackAndOnTheMachinesOtherAddress() throws Exception {
    Optional<InetAddress> other = otherLocalAddress();

    try (HttpServer server = start("0.0.0.0")) {
      assertThat(server.address()).isEqualTo("0.0.0.0");
      assertThat(healthz("127.0.0.1", server.port())).isEqualTo("ok");
      if (other.isPresent()) {
        assertThat(healthz(other.get().getHostAddress(), server.port())).isEqualTo("ok");
      }
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

  /** An IPv4 address of an interface that is up, other than loopback, if the machine has one. */
  private static Optional<InetAddress> otherLocalAddress() throws SocketException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .filter(HttpAddressTest::up)
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .findFirst();
  }

  private static boolean up(NetworkInterface network) {
    try {
      return network.isUp();
    } catch (SocketException e) {
      return false;
    }
  }
}

package io.meshgate.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on a fixed loopback port in front of a server (Prometheus), with the faults a network
 * or a struggling server inflicts on its clients: answers held back ({@link #slow}), connections
 * reset halfway through the answer ({@link #resetMidAnswer}), connections refused ({@link
 * #refuse}); {@link #heal} ends them. The upstream can be moved ({@link #forwardTo}), so that a
 * restarted server on another port stays behind the same address.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(prometheus.url())) {
 *   proxy.slow(Duration.ofSeconds(5));
 *   proxy.heal();
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {
  /** What the proxy does to a new connection. */
  private sealed interface Fault {}

  private record Healthy() implements Fault {}

  private record Slow(Duration delay) implements Fault {}

  private record ResetMidAnswer() implements Fault {}

  private final int port;
  private final AtomicReference<InetSocketAddress> upstream;
  private final AtomicReference<Fault> fault = new AtomicReference<>(new Healthy());
  private final AtomicReference<ServerSocket> listener = new AtomicReference<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicLong connections = new AtomicLong();

  private FaultProxy(int port, InetSocketAddress upstream) {
    this.port = port;
    this.upstream = new AtomicReference<>(upstream);
  }

  /** A healthy proxy to {@code target}'s host and port. */
  public static FaultProxy start(URI target) throws IOException {
    FaultProxy proxy = new FaultProxy(LocalProcesses.freeLoopbackPort(), address(target));
    proxy.listen();
    return proxy;
  }

  private static InetSocketAddress address(URI target) {
    return new InetSocketAddress(target.getHost(), target.getPort());
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Connections accepted so far: that clients did come while a fault lasted. */
  public long connections() {
    return connections.get();
  }

  /** New connections go to {@code target}. */
  public void forwardTo(URI target) {
    upstream.set(address(target));
  }

  /**
   * Every answer is held back {@code delay} before its first byte. Open connections are reset, so
   * that a client's pooled connections do not escape the fault.
   */
  public void slow(Duration delay) throws IOException {
    listen();
    fault.set(new Slow(delay));
    resetOpen();
  }

  /**
   * Every connection is reset (RST) once half of the answer's first read has been passed on. Open
   * connections are reset at once.
   */
  public void resetMidAnswer() throws IOException {
    listen();
    fault.set(new ResetMidAnswer());
    resetOpen();
  }

  /** The port is closed: connections are refused. Open connections are reset. */
  public void refuse() throws IOException {
    ServerSocket socket = listener.getAndSet(null);
    if (socket != null) {
      socket.close();
    }
    resetOpen();
  }

  /** Faults end; connections held back or open under a fault are reset. */
  public void heal() throws IOException {
    fault.set(new Healthy());
    resetOpen();
    listen();
  }

  private synchronized void listen() throws IOException {
    if (listener.get() != null) {
      return;
    }
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    listener.set(socket);
    threads.execute(() -> accept(socket));
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        connections.incrementAndGet();
        threads.execute(() -> serve(client, fault.get()));
      } catch (IOException e) {
        // the socket was closed: refuse() or close()
        return;
      }
    }
  }

  private void serve(Socket client, Fault onAccept) {
    open.add(client);
    try (client;
        Socket server = new Socket()) {
      open.add(server);
      server.connect(upstream.get(), 5_000);
      threads.execute(() -> pipe(client, server));
      if (onAccept instanceof Slow slow) {
        Thread.sleep(slow.delay().toMillis());
      }
      if (onAccept instanceof ResetMidAnswer) {
        byte[] first = new byte[8192];
        int read = server.getInputStream().read(first);
        if (read > 0) {
          client.getOutputStream().write(first, 0, Math.max(1, read / 2));
          client.getOutputStream().flush();
        }
        reset(client);
        return;
      }
      pipe(server, client);
    } catch (IOException e) {
      // the upstream is down or a side hung up: the client sees its connection end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(client);
      open.removeIf(Socket::isClosed);
    }
  }

  private static void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // one side closed: the other learns it from its own socket
    }
  }

  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (SocketException e) {
      // already closed
    } catch (IOException e) {
      // closing a reset socket has nothing left to report
    }
  }

  private void resetOpen() {
    open.forEach(FaultProxy::reset);
    open.clear();
  }

  @Override
  public void close() throws IOException {
    refuse();
    threads.shutdownNow();
  }
}

package io.meshgate.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;

/** The IP addresses of this machine's interfaces, which a server socket may be bound on. */
final class LocalAddresses {
  private LocalAddresses() {}

  /**
   * Whether {@code literal} (an IP address, checked by {@link Checks#ipAddress}: never looked up)
   * is the wildcard or an address of an interface here.
   */
  static boolean isLocal(String literal) {
    try {
      InetAddress address = InetAddress.getByName(literal);
      return address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null;
    } catch (UnknownHostException | SocketException e) {
      return false;
    }
  }

  /** Every address of every interface that is up, as text. */
  static List<String> all() {
    try {
      return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .filter(LocalAddresses::up)
          .flatMap(NetworkInterface::inetAddresses)
          .map(InetAddress::getHostAddress)
          .sorted()
          .toList();
    } catch (SocketException e) {
      return List.of("its interfaces cannot be listed: " + e.getMessage());
    }
  }

  private static boolean up(NetworkInterface network) {
    try {
      return network.isUp();
    } catch (SocketException e) {
      return false;
    }
  }
}

package io.meshgate.config;

import io.meshgate.gate.Durations;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks a schema cannot make, written once for the rule and config loaders, {@code meshgate
 * validate} and the daemon's reading of RevisionMigrations. Each returns why a value is wrong, as
 * the rest of a "field 'x' ..." sentence, or null when it is right.
 */
public final class Checks {
  private static final String DURATION = "duration such as 30s, 5m or 1h30m";

  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");

  /**
   * Hex digits, colons and an embedded IPv4 tail, starting with a hex digit or a colon, with a
   * colon somewhere: InetAddress then parses it as an IPv6 literal and never looks it up.
   */
  private static final Pattern IPV6_CHARACTERS =
      Pattern.compile("^(?=.*:)[0-9a-fA-F:][0-9a-fA-F:.]*$");

  private Checks() {}

  /** A duration, zero included (a soak of 0s leaves the decision to the pass streak). */
  public static String durationProblem(String text) {
    return parse(text) == null ? invalid(text) : null;
  }

  /** A duration that is more than zero. */
  public static String positiveDuration(String text) {
    Duration d = parse(text);
    if (d == null) {
      return invalid(text);
    }
    return d.isZero() ? "is \"" + text + "\"; expected a positive " + DURATION : null;
  }

  private static Duration parse(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException | ArithmeticException e) {
      return null;
    }
  }

  private static String invalid(String text) {
    try {
      Durations.parse(text);
      return null;
    } catch (ArithmeticException e) {
      return "is \"" + text + "\"; expected a duration that fits in a few years";
    } catch (IllegalArgumentException e) {
      return "is \"" + text + "\"; expected a " + DURATION;
    }
  }

  /**
   * An IPv4 address in dotted-quad form or an IPv6 address, written as an address: a host name
   * would need a lookup (and {@code validate} runs away from the cluster), and the short IPv4 forms
   * Java also accepts ({@code 127.1}) read as typos.
   */
  public static String ipAddress(String text) {
    boolean parses =
        IPV4.matcher(text).matches()
            || (IPV6_CHARACTERS.matcher(text).matches() && ipv6(text) != null);
    return parses
        ? null
        : "is \""
            + text
            + "\"; expected an IP address of the pod such as 0.0.0.0 (every IPv4 interface),"
            + " 127.0.0.1 (loopback only) or ::";
  }

  /** The address, or null; an IPv4-mapped one ({@code ::ffff:10.0.0.1}) comes back as IPv4. */
  private static InetAddress ipv6(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** An http or https URL with a host. */
  public static String httpUrl(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return null;
      }
    } catch (URISyntaxException e) {
      // said below, with the expectation
    }
    return "is \"" + text + "\"; expected an http(s) URL such as http://prometheus:9090";
  }
}

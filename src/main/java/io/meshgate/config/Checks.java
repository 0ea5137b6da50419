package io.meshgate.config;

import io.meshgate.gate.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * The checks a schema cannot make, written once for the rule and config loaders, {@code meshgate
 * validate} and the daemon's reading of RevisionMigrations. Each returns why a value is wrong, as
 * the rest of a "field 'x' ..." sentence, or null when it is right.
 */
public final class Checks {
  private static final String DURATION = "duration such as 30s, 5m or 1h30m";

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

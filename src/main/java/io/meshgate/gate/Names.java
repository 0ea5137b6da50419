package io.meshgate.gate;

import java.util.regex.Pattern;

/**
 * Validation of every name that is pasted into PromQL. Namespaces and revisions are DNS-1123
 * labels, which contain no regex or PromQL metacharacters, so a validated name is safe inside a
 * label matcher or a regex alternation. A gateway's Deployment name is a DNS-1123 subdomain: its
 * one metacharacter, the dot, goes into a regex as {@code [.]} ({@link #inRegex}).
 */
public final class Names {
  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern PROMETHEUS_LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private Names() {}

  public static boolean isPrometheusLabel(String name) {
    return name != null && PROMETHEUS_LABEL.matcher(name).matches();
  }

  /** Why {@code name} is not a DNS-1123 label, or null when it is one. */
  public static String dns1123Problem(String name) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > 63) {
      return "is " + name.length() + " characters long; a DNS-1123 label has at most 63";
    }
    if (!DNS_1123_LABEL.matcher(name).matches()) {
      return "is \""
          + name
          + "\"; expected a DNS-1123 label (lower-case letters, digits and '-', starting and"
          + " ending with a letter or digit)";
    }
    return null;
  }

  /** Why {@code name} is not a DNS-1123 subdomain (a Deployment's name), or null when it is one. */
  public static String dns1123SubdomainProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > 253) {
      return "is " + name.length() + " characters long; a DNS-1123 subdomain has at most 253";
    }
    if (!DNS_1123_SUBDOMAIN.matcher(name).matches()) {
      return "is \""
          + name
          + "\"; expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each"
          + " part between dots starting and ending with a letter or digit)";
    }
    return null;
  }

  /**
   * A validated DNS-1123 name as a regex matching exactly it: a dot as {@code [.]}, which needs no
   * backslash, so it means the same in a double-quoted, single-quoted or backtick PromQL string.
   */
  static String inRegex(String name) {
    return name.replace(".", "[.]");
  }
}

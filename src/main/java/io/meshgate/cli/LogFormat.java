package io.meshgate.cli;

import java.util.List;
import java.util.Locale;

/**
 * How the daemon logs: {@code json} (one object per line, for a log shipper) or {@code text}.
 * Chosen before the first log line: {@code run --log-format}, else {@code MESHGATE_LOG_FORMAT},
 * else JSON unless stderr is a terminal. Every other command logs text, for the person who runs it.
 */
enum LogFormat {
  json,
  text,
  /** JSON, unless on a terminal. */
  auto;

  /** The system property logback.xml reads. */
  static final String PROPERTY = "meshgate.log.format";

  /** The format for a command line, before picocli (and logback) see it. */
  static String choose(List<String> args, String environment, boolean terminal) {
    if (args.isEmpty() || !args.get(0).equals("run")) {
      return text.name();
    }
    LogFormat chosen = parse(flag(args));
    if (chosen == null) {
      chosen = parse(environment);
    }
    if (chosen == null || chosen == auto) {
      return terminal ? text.name() : json.name();
    }
    return chosen.name();
  }

  private static String flag(List<String> args) {
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.startsWith("--log-format=")) {
        return arg.substring("--log-format=".length());
      }
      if (arg.equals("--log-format") && i + 1 < args.size()) {
        return args.get(i + 1);
      }
    }
    return null;
  }

  /** The format a value names; null for none (picocli reports a bad flag value). */
  private static LogFormat parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      return valueOf(value.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

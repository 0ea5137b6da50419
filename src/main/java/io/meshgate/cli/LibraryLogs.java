package io.meshgate.cli;

import java.util.List;
import java.util.Set;

/**
 * The level of the libraries' loggers (fabric8, OkHttp, Quartz, Javalin...; meshgate's own are
 * {@code io.meshgate}, at {@code MESHGATE_LOG_LEVEL}). The daemon ({@code run}, and {@code demo},
 * whose daemon logs to its work directory) keeps their warnings: an operator reading its log wants
 * them. Every other command shows a person what meshgate says, so a library warning such as
 * fabric8's about RevisionMigration's {@code v1alpha1} on every {@code status} (issue 29) is left
 * out; libraries' errors still reach stderr.
 */
final class LibraryLogs {
  /** The system property logback.xml reads for the root logger's level. */
  static final String PROPERTY = "meshgate.log.libraries";

  private static final Set<String> DAEMONS = Set.of("run", "demo");

  private LibraryLogs() {}

  /** The level for a command line, chosen before picocli (and logback) see it. */
  static String level(List<String> args) {
    return !args.isEmpty() && DAEMONS.contains(args.get(0)) ? "WARN" : "ERROR";
  }
}

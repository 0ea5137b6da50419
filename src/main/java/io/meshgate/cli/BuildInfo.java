package io.meshgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Properties;

/**
 * What {@code meshgate version} reports: the project version, the git commit the jar was built from
 * and that commit's time, which is also the time stamped on every entry of the jar
 * (project.build.outputTimestamp), so a rebuild of one commit is byte-identical.
 *
 * <pre>{@code
 * BuildInfo build = BuildInfo.current();
 * System.out.println(build.version() + " " + build.commit());
 * }</pre>
 */
record BuildInfo(String version, String commit, String date) {
  static final String UNKNOWN = "unknown";

  /** Written by Maven's resource filtering (src/main/filtered). */
  static final String RESOURCE = "/meshgate/version.properties";

  /** This build's, from the classpath; "unknown" where the build could not know. */
  static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE + " from the classpath", e);
    }
    return of(properties);
  }

  /**
   * From the properties Maven filled in. A value still in {@code ${...}} form was not known when
   * the jar was built (a source tree without .git); the date may be ISO 8601
   * (src/build/git-commit.sh) or Unix seconds (SOURCE_DATE_EPOCH passed by the image build), and is
   * shown in UTC.
   */
  static BuildInfo of(Properties properties) {
    return new BuildInfo(
        known(properties.getProperty("version")),
        known(properties.getProperty("commit")),
        date(known(properties.getProperty("date"))));
  }

  private static String known(String value) {
    return value == null || value.isBlank() || value.contains("${") ? UNKNOWN : value.strip();
  }

  private static String date(String value) {
    if (value.equals(UNKNOWN)) {
      return value;
    }
    try {
      Instant instant =
          value.chars().allMatch(Character::isDigit)
              ? Instant.ofEpochSecond(Long.parseLong(value))
              : OffsetDateTime.parse(value).toInstant();
      return instant.toString();
    } catch (DateTimeParseException | NumberFormatException e) {
      return UNKNOWN;
    }
  }

  /** The lines of {@code meshgate version} and {@code meshgate --version}. */
  String[] lines() {
    return new String[] {"meshgate " + version, "commit: " + commit, "built: " + date};
  }
}

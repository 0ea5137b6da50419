package io.meshgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shared YAML mapper, and reading a file into a tree with parse errors as problems. */
public final class Yaml {

  private Yaml() {}

  /** The parsed document, or null after recording why it could not be read. */
  static JsonNode read(Path file, String source, Problems problems) {
    String text = text(file, source, problems);
    if (text == null) {
      return null;
    }
    try {
      return Mappers.yaml().readTree(text);
    } catch (JsonProcessingException e) {
      notYaml(e, text, source, problems);
      return null;
    }
  }

  /**
   * Every non-empty document of a file ({@code ---} separated, as {@code kubectl apply} reads
   * manifests), or null after recording why the file could not be read.
   */
  public static List<JsonNode> readAll(Path file, String source, Problems problems) {
    String text = text(file, source, problems);
    if (text == null) {
      return null;
    }
    try (MappingIterator<JsonNode> documents =
        Mappers.yaml().readerFor(JsonNode.class).readValues(text)) {
      List<JsonNode> list = new ArrayList<>();
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          list.add(document);
        }
      }
      if (list.isEmpty()) {
        problems.add(source, null, "is empty");
        return null;
      }
      return list;
    } catch (JsonProcessingException e) {
      notYaml(e, text, source, problems);
      return null;
    } catch (IOException e) {
      problems.add(source, null, "cannot be read: " + e.getMessage());
      return null;
    }
  }

  private static String text(Path file, String source, Problems problems) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      problems.add(source, null, "does not exist");
      return null;
    } catch (IOException e) {
      problems.add(source, null, "cannot be read: " + e.getMessage());
      return null;
    }
    if (text.isBlank()) {
      problems.add(source, null, "is empty");
      return null;
    }
    return text;
  }

  private static void notYaml(
      JsonProcessingException e, String text, String source, Problems problems) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    String firstLine = e.getOriginalMessage().lines().findFirst().orElse("").strip();
    problems.add(
        source, null, "is not valid YAML" + where + ": " + firstLine + placeholderHint(e, text));
  }

  /**
   * A rule's {@code [{{waypointNamespaceLabel}}, ...]} is a YAML mapping inside a list, which
   * cannot be read: the line that failed says so when it holds an unquoted placeholder.
   */
  private static String placeholderHint(JsonProcessingException e, String text) {
    if (e.getLocation() == null || e.getLocation().getLineNr() < 1) {
      return "";
    }
    String line =
        text.lines().skip(e.getLocation().getLineNr() - 1L).findFirst().orElse("").strip();
    boolean unquoted = line.matches(".*[\\[{,]\\s*\\{\\{.*");
    return unquoted
        ? "; a placeholder inside [ ] or { } is written in quotes, such as"
            + " [\"{{waypointNamespaceLabel}}\", \"{{waypointNameLabel}}\"]"
        : "";
  }
}

package io.meshgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The shared YAML mapper, and reading a file into a tree with parse errors as problems. */
public final class Yaml {
  public static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

  private Yaml() {}

  /** The parsed document, or null after recording why it could not be read. */
  static JsonNode read(Path file, String source, Problems problems) {
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
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      String firstLine = e.getOriginalMessage().lines().findFirst().orElse("").strip();
      problems.add(source, null, "is not valid YAML" + where + ": " + firstLine);
      return null;
    }
  }
}

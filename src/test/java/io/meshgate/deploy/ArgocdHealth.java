package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import io.meshgate.sim.Backends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What Argo CD shows for RevisionMigration objects: {@code
 * deploy/argocd/revisionmigration-health.lua} run by {@link Backends#argocdHealth()}, on gopher-lua
 * as Argo CD's application controller runs a health script ({@code src/test/go/deploy/main.go}).
 *
 * <pre>{@code
 * List<ArgocdHealth.Health> health = ArgocdHealth.of(List.of(object));
 * }</pre>
 */
public final class ArgocdHealth {
  public static final Path SCRIPT = Path.of("deploy", "argocd", "revisionmigration-health.lua");

  /** Argo CD's health of one object: a health status code and its message. */
  public record Health(String status, String message) {}

  private ArgocdHealth() {}

  /** The health of each object, in order; a script error fails the test with its text. */
  public static List<Health> of(List<JsonNode> objects) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("argocd-health");
      List<String> command = new ArrayList<>(List.of(Backends.argocdHealth(), SCRIPT.toString()));
      for (int i = 0; i < objects.size(); i++) {
        Path file = dir.resolve("object-" + i + ".json");
        Files.writeString(file, Mappers.json().writeValueAsString(objects.get(i)));
        command.add(file.toString());
      }
      Path errors = dir.resolve("stderr");
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectError(errors.toFile())
              .start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError("argocd-health failed: " + Files.readString(errors));
      }
      List<Health> health = new ArrayList<>();
      List<String> lines = new String(out, StandardCharsets.UTF_8).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        JsonNode line = Mappers.json().readTree(lines.get(i));
        if (line.has("error")) {
          throw new AssertionError(
              "the script failed on " + objects.get(i) + ": " + line.get("error").asText());
        }
        health.add(new Health(line.path("status").asText(), line.path("message").asText()));
      }
      return health;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The health of one object. */
  public static Health of(JsonNode object) {
    return of(List.of(object)).get(0);
  }

  /** A RevisionMigration of generation 2 whose status is {@code status} (YAML). */
  static JsonNode migration(String status) {
    return migration(2, status);
  }

  /** A RevisionMigration of {@code generation} whose status is {@code status} (YAML). */
  static JsonNode migration(long generation, String status) {
    try {
      return Mappers.yaml()
          .readTree(
              """
              apiVersion: meshgate.io/v1alpha1
              kind: RevisionMigration
              metadata: {name: istio-1-20, generation: %d}
              spec:
                fromRevision: 1-19-0
                toRevision: 1-20-0
                waves: [{name: test, namespaces: [test]}, {name: prod, namespaces: [prod]}]
              status:
              %s"""
                  .formatted(generation, status.indent(2)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

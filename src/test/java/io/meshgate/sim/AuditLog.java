package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The API server's audit log (JSON lines, level Metadata, every user but the control plane's own):
 * what each client really sent and what it was answered, as the server saw it.
 */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  AuditLog(Path file) {
    this.file = file;
  }

  /** One completed request. */
  public record Request(
      String user,
      String userAgent,
      String verb,
      String apiGroup,
      String resource,
      String subresource,
      String namespace,
      String name,
      String uri,
      int code,
      String message) {

    /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
    public String rbacResource() {
      return subresource == null ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
      return verb + " " + uri + " -> " + code + (message == null ? "" : " (" + message + ")");
    }
  }

  /** Every request answered so far, oldest first (a watch as soon as it started). */
  public List<Request> requests() {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Request> requests = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode event;
      try {
        event = JSON.readTree(line);
      } catch (IOException e) {
        // the last line may be half written while the server appends it
        continue;
      }
      String stage = event.path("stage").asText();
      boolean watch = "watch".equals(event.path("verb").asText());
      // a watch is logged when it starts and again when it ends; anything else when it ends
      if (!(watch ? "ResponseStarted" : "ResponseComplete").equals(stage)) {
        continue;
      }
      JsonNode ref = event.path("objectRef");
      requests.add(
          new Request(
              event.path("user").path("username").asText(),
              event.path("userAgent").asText(),
              event.path("verb").asText(),
              text(ref.path("apiGroup")),
              text(ref.path("resource")),
              text(ref.path("subresource")),
              text(ref.path("namespace")),
              text(ref.path("name")),
              event.path("requestURI").asText(),
              event.path("responseStatus").path("code").asInt(),
              text(event.path("responseStatus").path("message"))));
    }
    return requests;
  }

  /** The requests of one user, e.g. {@code system:serviceaccount:meshgate:meshgate}. */
  public List<Request> requests(String user) {
    return requests(r -> r.user().equals(user));
  }

  public List<Request> requests(Predicate<Request> which) {
    return requests().stream().filter(which).toList();
  }

  private static String text(JsonNode node) {
    return node.isMissingNode() || node.isNull() || node.asText().isEmpty() ? null : node.asText();
  }
}

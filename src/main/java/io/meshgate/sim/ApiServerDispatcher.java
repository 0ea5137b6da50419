package io.meshgate.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD dispatcher made closer to a real API server: JSON merge patch follows RFC 7386
 * (null removes a key, arrays are replaced; fabric8 7.8.0 stores nulls and appends arrays), PATCH
 * answers 200 instead of 202, and every request not sent by {@code ownUserAgent} is recorded.
 * Expectations set with {@code server.expect()} (the mock's {@code /} and {@code /version}) win
 * over the CRUD store, as in fabric8's own mixed dispatcher. A watch closed by its client no longer
 * blocks the server for 30 s (see {@link ClosedOffEventLoop}).
 */
final class ApiServerDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expectationDispatcher;
  private final String ownUserAgent;
  private final Queue<ApiCall> calls = new ConcurrentLinkedQueue<>();
  private volatile EvictionPolicy evictions = EvictionPolicy.UNSUPPORTED;

  /**
   * What the Eviction API does: the CRUD mock has no subresources. Called on the server's thread
   * with the stored pod (null when there is none); it must not call the server.
   */
  interface EvictionPolicy {
    EvictionPolicy UNSUPPORTED =
        (namespace, name, pod) ->
            status(405, "MethodNotAllowed", "this server does not evict pods");

    MockResponse evict(String namespace, String name, JsonNode pod);
  }

  private static final Pattern EVICTION =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?");

  void evictions(EvictionPolicy policy) {
    this.evictions = policy;
  }

  /** A {@code Status} answer as the API server writes one. */
  static MockResponse status(int code, String reason, String message) {
    return new MockResponse()
        .setResponseCode(code)
        .setBody(statusObject(code, reason, message).toString());
  }

  /** The {@code Status} object of an answer with {@code code}, as the API server writes it. */
  static ObjectNode statusObject(int code, String reason, String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("apiVersion", "v1").put("kind", "Status");
    status.putObject("metadata");
    status.put("status", code < 300 ? "Success" : "Failure");
    status.put("reason", reason).put("code", code).put("message", message);
    return status;
  }

  ApiServerDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, String ownUserAgent) {
    this.expectations = expectations;
    this.expectationDispatcher = new MockDispatcher(expectations);
    this.ownUserAgent = ownUserAgent;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String userAgent = request.getHeader("User-Agent");
    if (!ownUserAgent.equals(userAgent)) {
      calls.add(new ApiCall(request.getMethod(), request.getPath(), userAgent));
    }
    Matcher eviction = EVICTION.matcher(request.getPath());
    if ("POST".equals(request.getMethod()) && eviction.matches()) {
      Map.Entry<io.fabric8.mockwebserver.crud.AttributeSet, String> stored =
          findResource(
              getKey("/api/v1/namespaces/" + eviction.group(1) + "/pods/" + eviction.group(2)));
      try {
        return evictions.evict(
            eviction.group(1),
            eviction.group(2),
            stored == null ? null : JSON.readTree(stored.getValue()));
      } catch (JsonProcessingException e) {
        return status(500, "InternalError", "stored pod is not JSON: " + e.getOriginalMessage());
      }
    }
    Queue<ServerResponse> expected =
        expectations.get(new SimpleRequest(request.method(), request.getPath()));
    if (expected != null && !expected.isEmpty()) {
      return expectationDispatcher.dispatch(request);
    }
    return super.dispatch(request);
  }

  /**
   * Optimistic concurrency as a real API server has it: an update carrying a resourceVersion other
   * than the stored one is a 409 Conflict. The CRUD mock accepts it and silently loses the other
   * writer's change.
   */
  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    String path = request.getPath();
    int query = path.indexOf('?');
    String resourcePath = query < 0 ? path : path.substring(0, query);
    if (resourcePath.endsWith("/status")) {
      resourcePath = resourcePath.substring(0, resourcePath.length() - "/status".length());
    }
    try {
      String offered =
          JSON.readTree(request.getBody().getBytes())
              .path("metadata")
              .path("resourceVersion")
              .asText("");
      Map.Entry<io.fabric8.mockwebserver.crud.AttributeSet, String> stored =
          findResource(getKey(resourcePath));
      if (!offered.isEmpty() && stored != null) {
        String current =
            JSON.readTree(stored.getValue()).path("metadata").path("resourceVersion").asText("");
        if (!current.isEmpty() && !current.equals(offered)) {
          String status =
              "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,"
                  + "\"message\":\"the object has been modified; please apply your changes to the latest version and try again\"}";
          return new MockResponse()
              .setResponseCode(HttpURLConnection.HTTP_CONFLICT)
              .setBody(status);
        }
      }
    } catch (java.io.IOException e) {
      // not JSON: let the CRUD dispatcher answer as it does
    }
    return super.handleUpdate(request);
  }

  /**
   * Like the real API server, an update that changes nothing keeps its resourceVersion. fabric8
   * decides that with a JSON diff whose list comparison is quadratic, which made a status holding a
   * thousand alerts cost the mock server 50 ms per write; an equality check decides the same.
   */
  @Override
  public void touchResourceVersion(JsonNode currentResource, JsonNode updatedResource) {
    if (!currentResource.equals(updatedResource)) {
      ((ObjectNode) updatedResource.get("metadata"))
          .put("resourceVersion", String.valueOf(requestResourceVersion()));
    }
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    MockResponse response = super.handlePatch(request);
    // the real API server answers a successful PATCH with 200 OK
    return response.code() == HttpURLConnection.HTTP_ACCEPTED
        ? response.setResponseCode(HttpURLConnection.HTTP_OK)
        : response;
  }

  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    return response.withWebSocketUpgrade(new ClosedOffEventLoop(response.getWebSocketListener()));
  }

  /**
   * fabric8 7.8.0's watch listener waits, on the server's only event-loop thread, for its sender
   * thread to finish, while that thread waits up to 30 s for a write only the event loop can
   * complete: a client closing a watch while an event is on its way (an informer stopped during a
   * rollout) froze the whole server for 30 s. The close handling runs on a thread of its own.
   */
  private static final class ClosedOffEventLoop extends WebSocketListener {
    private final WebSocketListener delegate;

    ClosedOffEventLoop(WebSocketListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      delegate.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      offEventLoop(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
      offEventLoop(() -> delegate.onFailure(webSocket, failure, response));
    }

    private static void offEventLoop(Runnable close) {
      Thread thread = new Thread(close, "cluster-sim-watch-close");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Called by fabric8's PatchHandler for {@code application/merge-patch+json} only. */
  @Override
  public JsonNode merge(JsonNode current, String patch) throws KubernetesCrudDispatcherException {
    try {
      return mergePatch(current.deepCopy(), JSON.readTree(patch));
    } catch (JsonProcessingException e) {
      throw new KubernetesCrudDispatcherException(
          "merge patch is not valid JSON: " + e.getOriginalMessage(), 422);
    }
  }

  /** RFC 7386 section 2, applied in place to {@code target} where it is an object. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result =
        target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  List<ApiCall> calls() {
    return new ArrayList<>(calls);
  }

  void clearCalls() {
    calls.clear();
  }
}

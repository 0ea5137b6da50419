package io.meshgate.controller;

/**
 * A write the API server refused: which action, the request (verb, resource, object), and the
 * server's answer, with what to do about it. The message names all of them, so that a log line, an
 * Event or a condition alone tells an operator what broke.
 *
 * <pre>{@code
 * throw new ClusterWriteException("flip", "patch", "namespaces", "payments", 403, serverMessage);
 * }</pre>
 */
public final class ClusterWriteException extends RuntimeException {
  private static final String ZTUNNEL_GRANT = "deploy/optional/ztunnel-rbac.yaml";

  private final String action;
  private final String verb;
  private final String resource;
  private final String object;
  private final int code;

  /**
   * @param action meshgate's name for the write: flip, restart, restore, status, event
   * @param verb the RBAC verb: patch, update, create, get
   * @param resource as RBAC names it: {@code namespaces}, {@code deployments}, {@code
   *     revisionmigrations/status}
   * @param object the object's name, {@code namespace/name} for namespaced objects
   * @param code the HTTP status the server answered (0: no answer)
   * @param serverMessage the server's own message
   */
  public ClusterWriteException(
      String action, String verb, String resource, String object, int code, String serverMessage) {
    super(message(action, verb, resource, object, code, serverMessage));
    this.action = action;
    this.verb = verb;
    this.resource = resource;
    this.object = object;
    this.code = code;
  }

  private static String message(
      String action, String verb, String resource, String object, int code, String serverMessage) {
    String request = verb + " " + resource + " \"" + object + "\"";
    String detail = serverMessage == null || serverMessage.isBlank() ? "" : ": " + serverMessage;
    if (code == 0) {
      return action + " failed: no answer from the API server to " + request + detail;
    }
    return action
        + " failed: the API server answered "
        + request
        + " with "
        + code
        + " "
        + status(code)
        + detail
        + hint(verb, resource, code);
  }

  private static String hint(String verb, String resource, int code) {
    return switch (code) {
      case 403 ->
          "; meshgate's ServiceAccount needs '"
              + verb
              + "' on '"
              + resource
              + "' (see "
              + grantedIn(verb, resource)
              + ")";
      case 422 ->
          resource.startsWith("revisionmigrations")
              ? "; the CRD in the cluster may be older than this meshgate: apply deploy/crds/"
              : "";
      default -> "";
    };
  }

  /**
   * Where the grant of {@code verb} on {@code resource} is shipped: the optional ones apart. Only
   * ztunnel waves delete pods (their ztunnel pods), so that delete is in the ztunnel grant.
   */
  private static String grantedIn(String verb, String resource) {
    if (resource.equals("pods") && verb.equals("delete")) {
      return ZTUNNEL_GRANT;
    }
    return switch (resource) {
      case "nodes", "controllerrevisions", "poddisruptionbudgets" -> ZTUNNEL_GRANT;
      case "mutatingwebhookconfigurations" ->
          "deploy/optional/revision-tags-rbac.yaml, which must list the tag's webhook by name";
      case "rollouts" -> "deploy/optional/argo-rollouts-rbac.yaml";
      case "istiorevisiontags" -> "deploy/optional/sail-operator-rbac.yaml";
      default -> "deploy/rbac.yaml";
    };
  }

  private static String status(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 413 -> "Request Entity Too Large";
      case 422 -> "Unprocessable Entity";
      case 429 -> "Too Many Requests";
      default -> code >= 500 ? "Server Error" : "Error";
    };
  }

  public String action() {
    return action;
  }

  public String verb() {
    return verb;
  }

  public String resource() {
    return resource;
  }

  public String object() {
    return object;
  }

  public int code() {
    return code;
  }
}

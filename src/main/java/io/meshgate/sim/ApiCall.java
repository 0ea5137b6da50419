package io.meshgate.sim;

/**
 * One HTTP request that reached the simulated API server from a client other than the simulator
 * itself. {@code path} includes the query string ({@code watch=true}, {@code labelSelector=...}).
 */
public record ApiCall(String method, String path, String userAgent) {
  /** The path without its query string. */
  public String resourcePath() {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  public boolean isWatch() {
    return method.equals("GET") && path.matches(".*[?&]watch=(true|1)(&.*)?");
  }

  public boolean isWrite() {
    return !method.equals("GET") && !method.equals("HEAD");
  }
}

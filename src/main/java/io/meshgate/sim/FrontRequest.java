package io.meshgate.sim;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What {@link KubectlFront} reads of a request: its query and what it asks for. */
final class FrontRequest {
  private FrontRequest() {}

  /** Whether the client asked for a server-side Table ({@code kubectl get}). */
  static boolean asTable(HttpExchange exchange) {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    return accept != null && accept.contains("as=Table");
  }

  static boolean isWatch(Map<String, String> params) {
    String watch = params.getOrDefault("watch", "");
    return watch.equals("true") || watch.equals("1");
  }

  static String withoutFieldSelector(HttpExchange exchange) {
    List<String> kept = new ArrayList<>();
    for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
      if (!pair.startsWith("fieldSelector=")) {
        kept.add(pair);
      }
    }
    return kept.isEmpty() ? "" : "?" + String.join("&", kept);
  }

  static String query(HttpExchange exchange) {
    String query = exchange.getRequestURI().getRawQuery();
    return query == null ? "" : "?" + query;
  }

  static Map<String, String> params(String query) {
    Map<String, String> params = new HashMap<>();
    if (query == null) {
      return params;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }
}

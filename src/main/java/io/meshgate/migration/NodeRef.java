package io.meshgate.migration;

/**
 * How a ztunnel wave's node is named among a migration's targets: {@code Node/worker-1}. A node
 * name holds no slash and a gateway's key two, so a node's key never collides with a namespace or a
 * gateway; {@code status.nodes[]} lists it by its plain {@code name}.
 */
public final class NodeRef {
  private static final String PREFIX = "Node/";

  private NodeRef() {}

  public static String key(String node) {
    return PREFIX + node;
  }

  /** Whether {@code key} names a node rather than a namespace or a gateway. */
  public static boolean isKey(String key) {
    return key.startsWith(PREFIX) && key.indexOf('/', PREFIX.length()) < 0;
  }

  /** The node's name in a node's key. */
  public static String name(String key) {
    if (!isKey(key)) {
      throw new IllegalArgumentException(
          "\"" + key + "\" is not a node key; expected " + PREFIX + "<node>");
    }
    return key.substring(PREFIX.length());
  }
}

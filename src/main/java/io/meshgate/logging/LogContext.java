package io.meshgate.logging;

import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.NodeRef;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The unit of work of the log lines written inside it, as fields (MDC): {@value #MIGRATION},
 * {@value #NAMESPACE}, {@value #GATEWAY} (a gateway's key), {@value #NODE} (a ztunnel wave's node,
 * by name), and the revision pair {@value #FROM_REVISION} / {@value #TO_REVISION}. The one place
 * they are set: JSON lines carry them as fields, text lines show them before the message ({@code
 * migration=istio-1-20 ns=payments 1-19-0→1-20-0 flipped ...}).
 *
 * <pre>{@code
 * try (LogContext context = LogContext.migration("istio-1-20", "1-19-0", "1-20-0")) {
 *   try (LogContext ns = LogContext.namespace("payments")) {
 *     LOG.info("flipped");
 *   }
 * }
 * }</pre>
 */
public final class LogContext implements AutoCloseable {
  public static final String MIGRATION = "migration";
  public static final String NAMESPACE = "namespace";
  public static final String GATEWAY = "gateway";
  public static final String NODE = "node";
  public static final String FROM_REVISION = "fromRevision";
  public static final String TO_REVISION = "toRevision";

  /** The values the keys had before, restored on close (null: absent). */
  private final Map<String, String> previous = new LinkedHashMap<>();

  private LogContext(Map<String, String> fields) {
    fields.forEach(
        (key, value) -> {
          previous.put(key, MDC.get(key));
          if (value == null) {
            MDC.remove(key);
          } else {
            MDC.put(key, value);
          }
        });
  }

  /** A migration and, when known, its revisions. */
  public static LogContext migration(String name, String fromRevision, String toRevision) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(MIGRATION, name);
    fields.put(FROM_REVISION, fromRevision);
    fields.put(TO_REVISION, toRevision);
    return new LogContext(fields);
  }

  /** A migration whose revisions are not known here. */
  public static LogContext migration(String name) {
    return migration(name, null, null);
  }

  /** A namespace, within the migration already in context. */
  public static LogContext namespace(String namespace) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(NAMESPACE, namespace);
    return new LogContext(fields);
  }

  /**
   * A target of the migration already in context: a namespace, a gateway by its {@link
   * GatewayRef#key()} with the namespace it is in, so that lines about a namespace's gateway are
   * found by that namespace too, or a node ({@link NodeRef#key}) by its name, in no namespace.
   */
  public static LogContext target(String target) {
    boolean node = target != null && NodeRef.isKey(target);
    boolean gateway = target != null && GatewayRef.isKey(target);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(NAMESPACE, node ? null : gateway ? GatewayRef.of(target).namespace() : target);
    fields.put(GATEWAY, gateway ? target : null);
    fields.put(NODE, node ? NodeRef.name(target) : null);
    return new LogContext(fields);
  }

  @Override
  public void close() {
    previous.forEach(
        (key, value) -> {
          if (value == null) {
            MDC.remove(key);
          } else {
            MDC.put(key, value);
          }
        });
  }
}

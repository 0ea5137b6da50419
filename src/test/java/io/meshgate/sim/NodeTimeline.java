package io.meshgate.sim;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every change of the nodes' cordons, in the order the API server made them (one watch delivers a
 * resource's changes in resourceVersion order, none skipped): a test replays it to check how many
 * nodes were cordoned at once, which the audit log (metadata only) cannot say.
 */
public final class NodeTimeline implements AutoCloseable {
  /** A node's cordon as one change left it; {@code cordonedBy} is meshgate's annotation. */
  public record Change(String node, boolean unschedulable, String cordonedBy) {}

  public static final String CORDONED_BY = "meshgate.io/cordoned-by";

  private final List<Change> changes = new ArrayList<>();
  private final SharedIndexInformer<Node> informer;

  private NodeTimeline(KubernetesClient client) {
    this.informer =
        client
            .nodes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node node) {
                    record(node);
                  }

                  @Override
                  public void onUpdate(Node before, Node after) {
                    record(after);
                  }

                  @Override
                  public void onDelete(Node node, boolean finalStateUnknown) {}
                },
                0);
    // the informer hands its initial list to the handler asynchronously: a mark taken before
    // those adds arrived would count them as changes
    await("the node timeline has seen every node")
        .atMost(Duration.ofSeconds(10))
        .until(() -> seen() == informer.getStore().list().size());
  }

  private synchronized long seen() {
    return changes.stream().map(Change::node).distinct().count();
  }

  public static NodeTimeline watch(KubernetesClient client) {
    return new NodeTimeline(client);
  }

  private synchronized void record(Node node) {
    Map<String, String> annotations = node.getMetadata().getAnnotations();
    Change change =
        new Change(
            node.getMetadata().getName(),
            Boolean.TRUE.equals(node.getSpec().getUnschedulable()),
            annotations == null ? null : annotations.get(CORDONED_BY));
    Change last = lastOf(changes, change.node());
    // a status or label update of the node changes nothing of its cordon
    if (!change.equals(last)) {
      changes.add(change);
    }
  }

  private static Change lastOf(List<Change> changes, String node) {
    for (int i = changes.size() - 1; i >= 0; i--) {
      if (changes.get(i).node().equals(node)) {
        return changes.get(i);
      }
    }
    return null;
  }

  /** A position in the timeline: the changes after it are those of what follows. */
  public synchronized int mark() {
    return changes.size();
  }

  public synchronized List<Change> since(int mark) {
    return List.copyOf(changes.subList(mark, changes.size()));
  }

  /**
   * The most nodes cordoned at any one time after {@code mark}, not counting {@code others} (nodes
   * someone else cordoned before).
   */
  public synchronized int mostCordonedAtOnce(int mark, Set<String> others) {
    Set<String> cordoned = new HashSet<>();
    for (Change c : changes.subList(0, mark)) {
      if (c.unschedulable()) {
        cordoned.add(c.node());
      } else {
        cordoned.remove(c.node());
      }
    }
    cordoned.removeAll(others);
    int most = cordoned.size();
    for (Change c : changes.subList(mark, changes.size())) {
      if (others.contains(c.node())) {
        continue;
      }
      if (c.unschedulable()) {
        cordoned.add(c.node());
      } else {
        cordoned.remove(c.node());
      }
      most = Math.max(most, cordoned.size());
    }
    return most;
  }

  /** The nodes cordoned after {@code mark}, in the order of their first cordon. */
  public synchronized List<String> cordonOrder(int mark) {
    Set<String> order = new LinkedHashSet<>();
    for (Change c : changes.subList(mark, changes.size())) {
      if (c.unschedulable()) {
        order.add(c.node());
      }
    }
    return List.copyOf(order);
  }

  /** The nodes cordoned now. */
  public synchronized Set<String> cordoned() {
    Set<String> now = new HashSet<>();
    for (Change c : changes) {
      if (c.unschedulable()) {
        now.add(c.node());
      } else {
        now.remove(c.node());
      }
    }
    return now;
  }

  /** Whether the node's cordon or meshgate's annotation on it changed after {@code mark}. */
  public synchronized boolean changedSince(int mark, String node) {
    return changes.subList(mark, changes.size()).stream()
        .anyMatch(c -> Objects.equals(c.node(), node));
  }

  @Override
  public void close() {
    informer.stop();
  }
}

package io.meshgate.sim;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;

/**
 * One Kubernetes controller the simulator imitates. It reacts to its informers' events by queueing
 * work on {@link SimContext}'s worker, reads the latest state there (level-triggered, as real
 * controllers do), and writes through the simulator's own client. See {@link ClusterSimulator} for
 * how to add one.
 */
interface ImitatedController {
  /** Starts the informers of what it watches; the simulator closes them. Called once, at start. */
  List<SharedIndexInformer<?>> watch();

  /**
   * A pod was deleted by an eviction: if {@code ownerKind}/{@code ownerName} (one of the pod's
   * owner references) is this controller's, it makes the replacement, as its real counterpart does
   * when it sees fewer pods than desired. Runs on the worker.
   */
  default void podEvicted(
      String namespace, String ownerKind, String ownerName, Map<String, String> podLabels) {}
}

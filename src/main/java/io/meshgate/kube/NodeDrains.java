package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.controller.NodePort;
import io.meshgate.controller.WriteHook;
import java.util.List;

/** TODO(ztunnel branch): the kube helper implements this. */
final class NodeDrains implements NodePort {
  NodeDrains(KubernetesClient client, WriteHook hook) {}

  @Override
  public void cordon(String migration, String node) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void evict(String node, List<String> pods) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void deleteZtunnelPod(String node, String namespace, String pod) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void uncordon(String migration, String node) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void rollBackDaemonSet(String namespace, String name, String hash) {
    throw new UnsupportedOperationException("not yet");
  }
}

package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An informer's store that keeps what meshgate reads of an object and drops what it never does:
 * {@code managedFields} and kubectl's copy of the last applied manifest, which together are most of
 * a namespace's or a pod's metadata. client-go's informers do the same with a transform; fabric8's
 * have none. Nothing is ever written back from a cached object (writes are merge patches), so
 * nothing is lost on the server.
 */
final class LeanStore<T extends HasMetadata> extends BasicItemStore<T> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  LeanStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T object) {
    ObjectMeta meta = object.getMetadata();
    if (meta != null) {
      meta.setManagedFields(null);
      if (meta.getAnnotations() != null && meta.getAnnotations().containsKey(LAST_APPLIED)) {
        Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations());
        annotations.remove(LAST_APPLIED);
        meta.setAnnotations(annotations);
      }
    }
    return super.put(key, object);
  }
}

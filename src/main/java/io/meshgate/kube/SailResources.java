package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

/**
 * Sail Operator's resources (sailoperator.io/v1 Istio, IstioRevision, IstioRevisionTag) as its
 * informers hold them; empty lists while Sail's CRDs are not installed.
 */
interface SailResources {
  List<GenericKubernetesResource> istios();

  List<GenericKubernetesResource> istioRevisions();

  List<GenericKubernetesResource> istioRevisionTags();

  /**
   * Called, on an informer thread, after an Istio resource or an IstioRevision is added or changed,
   * and once Sail's CRDs appear.
   */
  void onIstioChange(Runnable listener);
}

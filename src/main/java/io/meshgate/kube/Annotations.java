package io.meshgate.kube;

/** The labels and annotations meshgate reads and writes (DESIGN.md sections 4 and 5). */
public final class Annotations {
  public static final String REV_LABEL = "istio.io/rev";
  public static final String INJECTION_LABEL = "istio-injection";
  public static final String MIGRATION = "meshgate.io/migration";
  public static final String PREVIOUS_LABELS = "meshgate.io/previous-labels";
  public static final String PREVIOUS_REVISION = "meshgate.io/previous-revision";
  public static final String TAG_LABEL = "istio.io/tag";
  public static final String TAG_WEBHOOK_PREFIX = "istio-revision-tag-";
  public static final String RESTART_ID = "meshgate.io/restart-id";
  public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  public static final String INJECT = "sidecar.istio.io/inject";
  public static final String SIDECAR_STATUS = "sidecar.istio.io/status";
  public static final String APPROVE = "meshgate.io/approve";
  public static final String ABORT = "meshgate.io/abort";

  /** On the pods of a Gateway API gateway or waypoint istiod deploys (files/kube-gateway.yaml). */
  public static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

  private Annotations() {}
}

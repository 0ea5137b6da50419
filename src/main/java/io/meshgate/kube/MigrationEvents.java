package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.controller.EventPort;
import io.meshgate.controller.MigrationRef;
import io.meshgate.controller.WriteHook;
import io.meshgate.migration.Decision;
import io.meshgate.migration.Reason;
import io.meshgate.notify.TargetNames;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Kubernetes Events on a RevisionMigration (what {@code kubectl describe} shows): one per
 * transition, Warning when it needs attention, and Warnings for what the daemon could not do. The
 * migration is cluster-scoped, so its Events live in namespace {@code default}.
 */
final class MigrationEvents implements EventPort {
  private static final String EVENTS_NAMESPACE = "default";

  private final KubernetesClient client;
  private final Clock clock;
  private final WriteHook hook;

  MigrationEvents(KubernetesClient client, Clock clock, WriteHook hook) {
    this.client = client;
    this.clock = clock;
    this.hook = hook;
  }

  @Override
  public void recordEvent(MigrationRef migration, Decision.Transition t) {
    // a halted in-place upgrade is Held like any hold, but nothing will move it without people
    boolean warning = t.to().needsAttention() || t.reason() == Reason.REGRESSION_NO_ROLLBACK;
    event(migration, warning, t.reason().token(), message(t));
  }

  /**
   * {@code namespace payments: Soaking -> RollingBack: ...}, {@code gateway Deployment
   * istio-ingress/istio-ingressgateway: ...}; the migration's own without a subject.
   */
  static String message(Decision.Transition t) {
    return (t.namespace() == null ? "" : TargetNames.of(t.namespace()) + ": ")
        + t.from()
        + " -> "
        + t.to()
        + ": "
        + t.message();
  }

  @Override
  public void warn(MigrationRef migration, Reason reason, String message) {
    event(migration, true, reason.token(), message);
  }

  private void event(MigrationRef migration, boolean warning, String reason, String message) {
    record(
        new ObjectReferenceBuilder()
            .withApiVersion("meshgate.io/v1alpha1")
            .withKind("RevisionMigration")
            .withName(migration.name())
            .withUid(migration.uid())
            .build(),
        warning,
        reason,
        message);
  }

  /**
   * An Event on any cluster-scoped object (a RevisionMigration, Sail's Istio), in namespace {@code
   * default}, where Kubernetes keeps the Events of cluster-scoped objects.
   */
  void record(ObjectReference involved, boolean warning, String reason, String message) {
    Instant now = clock.instant();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(involved.getName() + "." + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(EVENTS_NAMESPACE)
            .endMetadata()
            .withInvolvedObject(involved)
            .withReason(reason)
            .withMessage(message)
            .withType(warning ? "Warning" : "Normal")
            .withFirstTimestamp(now.toString())
            .withLastTimestamp(now.toString())
            .withCount(1)
            .withNewSource()
            .withComponent("meshgate")
            .endSource()
            .build();
    Refusals.refusedAs(
        "event",
        "create",
        "events",
        EVENTS_NAMESPACE + "/" + event.getMetadata().getName(),
        () -> client.v1().events().inNamespace(EVENTS_NAMESPACE).resource(event).create());
    hook.afterWrite("create", "events", event.getMetadata().getName());
  }
}

package io.meshgate.kube;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The RevisionMigration custom resource as fabric8 reads and writes it. Cluster-scoped, hence no
 * {@code Namespaced}: a migration moves namespaces, it does not live in one. {@link
 * RevisionMigrations} maps it to the plain model of {@code io.meshgate.migration}.
 *
 * <pre>{@code
 * RevisionMigration rm = client.resources(RevisionMigration.class).withName("istio-1-20").get();
 * MigrationSpec spec = RevisionMigrations.toSpec(rm.getSpec());
 * }</pre>
 */
@Group(RevisionMigration.GROUP)
@Version(RevisionMigration.VERSION)
@Kind(RevisionMigration.KIND)
@Plural("revisionmigrations")
@Singular("revisionmigration")
@ShortNames("revmig")
public class RevisionMigration
    extends CustomResource<RevisionMigrationSpec, RevisionMigrationStatus> {
  public static final String GROUP = "meshgate.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "RevisionMigration";
  public static final String API_VERSION = GROUP + "/" + VERSION;
}

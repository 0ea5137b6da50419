package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshgate.json.Mappers;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.WorkloadKind;
import io.meshgate.validate.RevisionMigrationSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RevisionMigrationCrdTest {
  private static final Path CRD_FILE = Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static CustomResourceDefinition crd() throws IOException {
    return SERIALIZATION.unmarshal(Files.readString(CRD_FILE), CustomResourceDefinition.class);
  }

  private static CustomResourceDefinitionVersion version() throws IOException {
    List<CustomResourceDefinitionVersion> versions = crd().getSpec().getVersions();
    assertThat(versions).hasSize(1);
    return versions.get(0);
  }

  private static JSONSchemaProps schema(String... path) throws IOException {
    JSONSchemaProps schema = version().getSchema().getOpenAPIV3Schema();
    for (String step : path) {
      schema = step.equals("[]") ? schema.getItems().getSchema() : schema.getProperties().get(step);
    }
    return schema;
  }

  private static List<String> enumOf(String... path) throws IOException {
    return schema(path).getEnum().stream().map(node -> node.asText()).toList();
  }

  private static List<String> names(Enum<?>[] constants) {
    return Arrays.stream(constants).map(Enum::name).toList();
  }

  @Test
  void crdIsAClusterScopedResourceOfTheMeshgateGroup() throws IOException {
    CustomResourceDefinition crd = crd();

    assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
    assertThat(crd.getMetadata().getName()).isEqualTo("revisionmigrations.meshgate.io");
    assertThat(crd.getSpec().getGroup()).isEqualTo("meshgate.io");
    assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("RevisionMigration");
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("revisionmigrations");
    assertThat(crd.getSpec().getNames().getSingular()).isEqualTo("revisionmigration");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("revmig");
    assertThat(version().getName()).isEqualTo("v1alpha1");
    assertThat(version().getServed()).isTrue();
    assertThat(version().getStorage()).isTrue();
  }

  @Test
  void javaResourceAgreesWithTheCrd() throws IOException {
    CustomResourceDefinition crd = crd();
    RevisionMigration resource = new RevisionMigration();

    assertThat(CustomResource.getCRDName(RevisionMigration.class))
        .isEqualTo(crd.getMetadata().getName());
    assertThat(resource.getScope()).isEqualTo(crd.getSpec().getScope());
    assertThat(resource.getApiVersion()).isEqualTo("meshgate.io/v1alpha1");
    assertThat(resource.getKind()).isEqualTo(crd.getSpec().getNames().getKind());
    assertThat(resource.getPlural()).isEqualTo(crd.getSpec().getNames().getPlural());
    assertThat(CustomResource.getShortNames(RevisionMigration.class))
        .containsExactlyElementsOf(crd.getSpec().getNames().getShortNames());
  }

  @Test
  void statusIsASubresourceSoSpecWritersCannotClobberIt() throws IOException {
    assertThat(version().getSubresources().getStatus()).isNotNull();
  }

  @Test
  void printerColumnsArePhaseWavePromotedAndAge() throws IOException {
    assertThat(version().getAdditionalPrinterColumns())
        .extracting(
            CustomResourceColumnDefinition::getName,
            CustomResourceColumnDefinition::getType,
            CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(
            tuple("Phase", "string", ".status.phase"),
            tuple("Wave", "string", ".status.currentWave"),
            tuple("Promoted", "string", ".status.promoted"),
            tuple("Age", "date", ".metadata.creationTimestamp"));
  }

  @Test
  void schemaEnumsAreTheJavaEnums() throws IOException {
    assertThat(enumOf("status", "phase")).isEqualTo(names(MigrationPhase.values()));
    assertThat(enumOf("status", "namespaces", "[]", "phase"))
        .isEqualTo(names(TargetPhase.values()));
    assertThat(enumOf("spec", "onFailure")).isEqualTo(names(MigrationSpec.OnFailure.values()));
    assertThat(enumOf("spec", "rollbackScope"))
        .isEqualTo(names(MigrationSpec.RollbackScope.values()));
    assertThat(enumOf("spec", "mode")).isEqualTo(names(MigrationSpec.Mode.values()));
    assertThat(enumOf("spec", "restart", "kinds", "[]")).isEqualTo(names(WorkloadKind.values()));
  }

  @Test
  void schemaRequiresTheFieldsAMigrationCannotDoWithoutAndGatesMayBeOmitted() throws IOException {
    // fromRevision too, unless mode: Restart (a CEL rule: an in-place upgrade has one revision)
    assertThat(schema("spec").getRequired()).containsExactly("toRevision", "waves");
    assertThat(schema("spec", "waves").getMinItems()).isEqualTo(1);
    assertThat(schema("spec", "gates").getMinItems()).isEqualTo(1);
    assertThat(schema("spec", "waves", "[]").getRequired()).containsExactly("name");
    assertThat(schema("spec", "gates", "[]").getRequired()).containsExactly("rule");
  }

  @Test
  void schemaIsTheOneValidateUses() throws IOException {
    assertThat(RevisionMigrationSchema.openApiSchema())
        .isEqualTo(
            Mappers.yaml()
                .readTree(CRD_FILE.toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema"));
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("deploy/examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleValidatesAgainstTheCrdSchema(Path example) throws IOException {
    assertThat(RevisionMigrationSchema.problems(Mappers.yaml().readTree(example.toFile())))
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleReadsAsTheJavaResource(Path example) throws IOException {
    RevisionMigration resource =
        SERIALIZATION.unmarshal(Files.readString(example), RevisionMigration.class);

    assertThat(resource.getMetadata().getName()).isNotBlank();
    assertThat(RevisionMigrations.toSpec(resource.getSpec()).waves()).isNotEmpty();
  }
}

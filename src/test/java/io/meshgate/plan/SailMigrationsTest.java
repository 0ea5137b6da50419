package io.meshgate.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.plan.SailMigrations.Create;
import io.meshgate.plan.SailMigrations.Existing;
import io.meshgate.plan.SailMigrations.Istio;
import io.meshgate.plan.SailMigrations.Nothing;
import io.meshgate.plan.SailMigrations.Outcome;
import io.meshgate.plan.SailMigrations.Revision;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 26, {@code sail.autoMigrate}: which migration an Istio's state calls for. Sail names an
 * Istio's revisions {@code <istio>-<version with dots as dashes>} and owns them by an
 * ownerReference; the active one is {@code status.activeRevisionName}, a revision in use has
 * condition {@code InUse} True (reference/istio-facts.md section 12: sail-operator {@code
 * controllers/istio/istio_controller.go}, {@code pkg/revision/references.go}).
 */
class SailMigrationsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Istio DEFAULT = new Istio("default", "uid-default", "default-v1-27-0");

  private static Revision revision(String name, boolean inUse, int minute, String version) {
    return new Revision(name, "uid-default", inUse, T0.plusSeconds(60L * minute), version);
  }

  private static final Revision OLD = revision("default-v1-26-0", true, 0, "v1.26.0");
  private static final Revision NEW = revision("default-v1-27-0", false, 10, "v1.27.0");

  private static Outcome one(Istio istio, List<Revision> revisions, List<Existing> migrations) {
    List<Outcome> outcomes = SailMigrations.decide(List.of(istio), revisions, migrations);
    assertThat(outcomes).hasSize(1);
    return outcomes.get(0);
  }

  @Test
  void aNewActiveRevisionCreatesAMigrationFromThePreviousRevisionInUse() {
    assertThat(one(DEFAULT, List.of(OLD, NEW), List.of()))
        .isEqualTo(
            new Create(
                "default",
                "default-v1-26-0-to-default-v1-27-0",
                "default-v1-26-0",
                "default-v1-27-0"));
  }

  @Test
  void anIstioWithoutAnActiveRevisionYetCreatesNothing() {
    assertThat(one(new Istio("default", "uid-default", null), List.of(OLD, NEW), List.of()))
        .isEqualTo(
            new Nothing("default", "has no active revision yet (status.activeRevisionName)"));
  }

  @Test
  void anActiveRevisionWithoutItsIstioRevisionYetCreatesNothing() {
    assertThat(one(DEFAULT, List.of(OLD), List.of()))
        .isEqualTo(
            new Nothing("default", "its active revision default-v1-27-0 has no IstioRevision yet"));
  }

  @Test
  void aFirstInstallWithOnlyTheActiveRevisionCreatesNothing() {
    assertThat(one(DEFAULT, List.of(NEW), List.of()))
        .isEqualTo(
            new Nothing(
                "default",
                "has no revision but the active one default-v1-27-0: nothing to migrate from"));
  }

  @Test
  void aPreviousRevisionNoLongerInUseCreatesNothing() {
    Revision unused = revision("default-v1-26-0", false, 0, "v1.26.0");

    assertThat(one(DEFAULT, List.of(unused, NEW), List.of()))
        .isEqualTo(
            new Nothing(
                "default",
                "no revision but the active one default-v1-27-0 is in use (InUse condition True):"
                    + " nothing to migrate"));
  }

  @Test
  void ofSeveralOldRevisionsTheNewestInUseIsMigratedFrom() {
    Revision oldest = revision("default-v1-25-2", true, 0, "v1.25.2");
    Revision previous = revision("default-v1-26-0", true, 5, "v1.26.0");
    Revision unused = revision("default-v1-26-1", false, 7, "v1.26.1");

    assertThat(one(DEFAULT, List.of(NEW, unused, oldest, previous), List.of()))
        .isEqualTo(
            new Create(
                "default",
                "default-v1-26-0-to-default-v1-27-0",
                "default-v1-26-0",
                "default-v1-27-0"));
  }

  @Test
  void revisionsCreatedInTheSameSecondAreOrderedByVersionNumbers() {
    Revision v19 = new Revision("default-v1-9-0", "uid-default", true, T0, "v1.9.0");
    Revision v110 = new Revision("default-v1-10-0", "uid-default", true, T0, "v1.10.0");
    Istio istio = new Istio("default", "uid-default", "default-v1-11-0");
    Revision v111 = new Revision("default-v1-11-0", "uid-default", false, T0, "v1.11.0");

    assertThat(one(istio, List.of(v110, v19, v111), List.of()))
        .isEqualTo(
            new Create(
                "default",
                "default-v1-10-0-to-default-v1-11-0",
                "default-v1-10-0",
                "default-v1-11-0"));
  }

  @Test
  void revisionsOwnedByAnotherIstioAreNeverMigratedFrom() {
    Revision othersInUse = new Revision("other-v1-26-0", "uid-other", true, T0, "v1.26.0");
    Revision sameNameOtherOwner =
        new Revision("default-v1-26-0", "uid-of-a-deleted-default", true, T0, "v1.26.0");

    assertThat(one(DEFAULT, List.of(othersInUse, sameNameOtherOwner, NEW), List.of()))
        .isInstanceOf(Nothing.class);
  }

  /** Sail's InPlace strategy keeps one revision, named as the Istio, and upgrades it. */
  @Test
  void anInPlaceIstioWhoseRevisionNameDoesNotChangeCreatesNothing() {
    Istio inPlace = new Istio("default", "uid-default", "default");
    Revision only = revision("default", true, 0, "v1.27.0");

    assertThat(one(inPlace, List.of(only), List.of()))
        .isEqualTo(
            new Nothing(
                "default", "has no revision but the active one default: nothing to migrate from"));
  }

  @Test
  void aMigrationOfThatNameAlreadyThereIsNotCreatedAgain() {
    List<Existing> existing =
        List.of(
            new Existing(
                "default-v1-26-0-to-default-v1-27-0", "default-v1-26-0", "default-v1-27-0"));

    assertThat(one(DEFAULT, List.of(OLD, NEW), existing))
        .isEqualTo(
            new Nothing("default", "RevisionMigration default-v1-26-0-to-default-v1-27-0 exists"));
  }

  @Test
  void aMigrationOfThatNameIsThereEvenWhenItsSpecCannotBeRead() {
    List<Existing> existing =
        List.of(new Existing("default-v1-26-0-to-default-v1-27-0", null, null));

    assertThat(one(DEFAULT, List.of(OLD, NEW), existing)).isInstanceOf(Nothing.class);
  }

  @Test
  void aMigrationAUserMadeForTheSamePairIsNotDoubled() {
    List<Existing> existing =
        List.of(
            new Existing("unrelated", "a", "b"),
            new Existing("istio-1-27", "default-v1-26-0", "default-v1-27-0"));

    assertThat(one(DEFAULT, List.of(OLD, NEW), existing))
        .isEqualTo(
            new Nothing(
                "default",
                "RevisionMigration istio-1-27 already migrates default-v1-26-0 to default-v1-27-0"));
  }

  @Test
  void aMigrationOfAnotherPairDoesNotStopThisOne() {
    List<Existing> existing =
        List.of(
            new Existing(
                "default-v1-25-0-to-default-v1-26-0", "default-v1-25-0", "default-v1-26-0"));

    assertThat(one(DEFAULT, List.of(OLD, NEW), existing)).isInstanceOf(Create.class);
  }

  @Test
  void aVersionSetBackByHandIsNotMigratedAutomatically() {
    Istio setBack = new Istio("default", "uid-default", "default-v1-26-0");
    Revision newerInUse = revision("default-v1-27-0", true, 10, "v1.27.0");

    assertThat(one(setBack, List.of(OLD, newerInUse), List.of()))
        .isEqualTo(
            new Nothing(
                "default",
                "its active revision default-v1-26-0 is older than default-v1-27-0, which is in"
                    + " use: a version set back by hand is not migrated automatically"));
  }

  @Test
  void everyIstioGetsItsOwnOutcomeInNameOrder() {
    Istio canary = new Istio("canary", "uid-canary", "canary-v1-27-0");
    List<Revision> revisions =
        List.of(
            OLD,
            NEW,
            new Revision("canary-v1-26-0", "uid-canary", false, T0, "v1.26.0"),
            new Revision("canary-v1-27-0", "uid-canary", true, T0.plusSeconds(1), "v1.27.0"));

    List<Outcome> outcomes = SailMigrations.decide(List.of(DEFAULT, canary), revisions, List.of());

    assertThat(outcomes).extracting(Outcome::istio).containsExactly("canary", "default");
    assertThat(outcomes.get(0)).isInstanceOf(Nothing.class);
    assertThat(outcomes.get(1)).isInstanceOf(Create.class);
  }

  @Test
  void theSameStateAlwaysGivesTheSameAnswer() {
    List<Revision> revisions = List.of(OLD, NEW);

    assertThat(SailMigrations.decide(List.of(DEFAULT), revisions, List.of()))
        .isEqualTo(SailMigrations.decide(List.of(DEFAULT), List.of(NEW, OLD), List.of()));
  }

  @Test
  void aNameOverSixtyThreeCharactersIsShortenedWithAHashOfTheWholeName() {
    String from = "payments-eu-west-production-mesh-v1-26-0";
    String to = "payments-eu-west-production-mesh-v1-27-0";
    String other = "payments-eu-west-production-mesh-v1-27-1";

    String name = SailMigrations.name(from, to);

    assertThat(name)
        .hasSizeLessThanOrEqualTo(63)
        .startsWith("payments-eu-west-production-mesh-v1-26-0-to-payment")
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")
        .isEqualTo(SailMigrations.name(from, to))
        .isNotEqualTo(SailMigrations.name(from, other));
    assertThat(name.substring(name.lastIndexOf('-') + 1)).hasSize(10);
  }

  @Test
  void aNameOfSixtyThreeCharactersIsKeptAsItIs() {
    String from = "a".repeat(29);
    String to = "b".repeat(30);

    assertThat(SailMigrations.name(from, to)).isEqualTo(from + "-to-" + to).hasSize(63);
  }

  @Test
  void aShortenedNameNeverEndsItsPrefixWithADash() {
    String from = "x".repeat(47);
    String to = "y".repeat(20);

    assertThat(SailMigrations.name(from, to)).doesNotContain("--").hasSizeLessThanOrEqualTo(63);
  }

  @ParameterizedTest
  @CsvSource({
    "v1.9.0, v1.10.0, -1",
    "1.27.1, v1.27.0, 1",
    "v1.27.0, v1.27.0, 0",
    "v1.27, v1.27.0, -1",
  })
  void versionsCompareTheirNumbersAsNumbers(String a, String b, int sign) {
    assertThat(Integer.signum(SailMigrations.compareVersions(a, b))).isEqualTo(sign);
  }
}

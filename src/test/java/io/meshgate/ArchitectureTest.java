package io.meshgate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decision core ({@code gate}, {@code migration}) and the upgrade plan's classification ({@code
 * plan}) are pure: they see only java.lang, java.util, java.time and java.math, never a client
 * library, I/O, or a clock. That is what lets them be tested exhaustively and fast.
 */
class ArchitectureTest {
  private static final String[] PURE = {
    "io.meshgate.gate..", "io.meshgate.migration..", "io.meshgate.plan.."
  };
  private static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.meshgate");
  }

  @Test
  void decisionCoreDependsOnlyOnTheJdkBasicsAndItself() {
    classes()
        .that()
        .resideInAnyPackage(PURE)
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java.lang",
            "java.lang.invoke",
            "java.lang.runtime",
            "java.util..",
            "java.time..",
            "java.math..",
            "io.meshgate.gate..",
            "io.meshgate.migration..",
            "io.meshgate.plan..")
        .allowEmptyShould(true)
        .check(production);
  }

  @Test
  void decisionCoreNeverReadsTheClock() {
    noClasses()
        .that()
        .resideInAnyPackage(PURE)
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(Instant.class, "now")
        .orShould()
        .callMethod(LocalDateTime.class, "now")
        .orShould()
        .callMethod(ZonedDateTime.class, "now")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Clock.class)
        .allowEmptyShould(true)
        .check(production);
  }

  @Test
  void decisionCoreUsesNoThreadsOrProcesses() {
    noClasses()
        .that()
        .resideInAnyPackage(PURE)
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(Thread.class.getName())
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProcessBuilder.class.getName())
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName(Runtime.class.getName())
        .allowEmptyShould(true)
        .check(production);
  }

  /**
   * Packages depend on each other in one direction only; the composition root ({@code app}) and the
   * command line ({@code cli}) sit on top, the decision core at the bottom.
   */
  @Test
  void packagesFormNoCycle() {
    slices().matching("io.meshgate.(*)..").should().beFreeOfCycles().check(production);
  }

  /** The loop and its ports: adapters (fabric8, Prometheus, HTTP) are wired in {@code app}. */
  @Test
  void theControllerDependsOnNoAdapter() {
    noClasses()
        .that()
        .resideInAPackage("io.meshgate.controller..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.meshgate.app..",
            "io.meshgate.kube..",
            "io.meshgate.prometheus..",
            "io.meshgate.web..",
            "io.meshgate.config..",
            "io.fabric8..",
            "okhttp3..",
            "io.javalin..")
        .check(production);
  }
}

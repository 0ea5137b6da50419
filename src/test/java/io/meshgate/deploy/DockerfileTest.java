package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.deploy.DockerfileCheck.Instruction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image cannot be built here (no registry access), so its properties are checked by reading.
 */
class DockerfileTest {
  static final Path DOCKERFILE = Path.of("daemon", "Dockerfile");

  private static String text;
  private static List<Instruction> all;
  private static List<Instruction> runtime;

  @BeforeAll
  static void read() throws IOException {
    text = Files.readString(DOCKERFILE);
    all = DockerfileCheck.parse(text);
    runtime = DockerfileCheck.finalStage(all);
  }

  @Test
  void dockerfileHasEveryPropertyTheDeploymentReliesOn() {
    assertThat(DockerfileCheck.problems(text)).isEmpty();
  }

  /** The images of the FROM lines, with the tags the global ARGs default to. */
  private static List<String> bases() {
    return all.stream()
        .filter(i -> i.keyword().equals("FROM"))
        .map(from -> DockerfileCheck.image(from, DockerfileCheck.globalArgs(all)))
        .toList();
  }

  @Test
  void runtimeRunsTheJarAsNumericUser10001OnAPinnedJre17() {
    assertThat(bases().get(bases().size() - 1))
        .isEqualTo("eclipse-temurin:17.0.13_11-jre-jammy@${RUNTIME_BASE_DIGEST}");
    assertThat(runtimeArgs("USER")).containsExactly("10001:10001");
    assertThat(runtimeArgs("WORKDIR")).containsExactly("/app");
    assertThat(runtimeArgs("EXPOSE")).containsExactly("8080");
    assertThat(runtimeArgs("ENTRYPOINT"))
        .containsExactly("[\"java\", \"-jar\", \"meshgate.jar\", \"run\"]");
    assertThat(runtimeArgs("CMD"))
        .containsExactly("[\"--config\", \"/etc/meshgate/meshgate.yaml\"]");
  }

  @Test
  void runtimeHoldsTheDaemonJarTheDefaultConfigAndTheRules() {
    assertThat(runtimeArgs("COPY"))
        .contains(
            "--from=build /src/target/meshgate-daemon.jar /app/meshgate.jar",
            "rules/ /etc/meshgate/rules/",
            "daemon/meshgate.yaml /etc/meshgate/meshgate.yaml");
  }

  /** The jar built in the image must be the one built locally: every resource the pom packs. */
  @Test
  void buildStageCopiesEveryFileThePomPacksIntoTheJar() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    List<String> copied =
        all.subList(0, all.size() - runtime.size()).stream()
            .filter(i -> i.keyword().equals("COPY"))
            .map(Instruction::arguments)
            .toList();
    Matcher resource =
        Pattern.compile(
                "<resource>\\s*<directory>([^<]+)</directory>(.*?)</resource>", Pattern.DOTALL)
            .matcher(pom);
    int resources = 0;
    while (resource.find()) {
      resources++;
      String directory = resource.group(1);
      Matcher include = Pattern.compile("<include>([^<]+)</include>").matcher(resource.group(2));
      List<String> files = new ArrayList<>();
      while (include.find()) {
        files.add(directory + "/" + include.group(1));
      }
      List<String> needed = files.isEmpty() ? List.of(directory) : files;
      for (String path : needed) {
        assertThat(copied)
            .as("the build stage copies %s (a resource in pom.xml)", path)
            .anyMatch(copy -> copiesPath(copy, path));
      }
    }
    assertThat(resources).isGreaterThanOrEqualTo(4);
  }

  /** COPY's sources are every word but the last; a directory source brings what is under it. */
  private static boolean copiesPath(String copy, String path) {
    List<String> words = List.of(copy.trim().split("\\s+"));
    for (String source : words.subList(0, words.size() - 1)) {
      String dir = source.endsWith("/") ? source : source + "/";
      if (source.equals(path) || path.startsWith(dir) || dir.equals(path + "/")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void jvmWritesNothingOutsideTmp() {
    assertThat(runtimeArgs("ENV"))
        .singleElement()
        .asString()
        .startsWith("JDK_JAVA_OPTIONS=")
        .contains("-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp");
  }

  @Test
  void buildStageRunsTheMavenVersionTheWrapperPinsOnJdk17() throws IOException {
    Properties wrapper = new Properties();
    try (var in = Files.newInputStream(Path.of(".mvn", "wrapper", "maven-wrapper.properties"))) {
      wrapper.load(in);
    }
    String version =
        wrapper.getProperty("distributionUrl").replaceAll(".*/apache-maven-([0-9.]+)-bin.*", "$1");

    assertThat(bases().get(0))
        .isEqualTo("maven:" + version + "-eclipse-temurin-17@${BUILD_BASE_DIGEST}");
    assertThat(args("FROM").get(0)).endsWith(" AS build");
  }

  /**
   * Issue 29: both bases are pinned by digest, which the build must be given (no default, so a
   * build without it fails instead of floating on the tag); daemon/build-image.sh resolves them.
   */
  @Test
  void everyBaseIsPinnedByADigestTheBuildMustBeGiven() {
    assertThat(DockerfileCheck.globalArgs(all))
        .containsEntry("BUILD_BASE_DIGEST", null)
        .containsEntry("RUNTIME_BASE_DIGEST", null);
    assertThat(args("FROM"))
        .containsExactly(
            "${BUILD_BASE}@${BUILD_BASE_DIGEST} AS build",
            "${RUNTIME_BASE}@${RUNTIME_BASE_DIGEST}");
  }

  /** The jar in the image says what a checkout's says, and is stamped with the commit's time. */
  @Test
  void buildStagePassesTheCommitAndItsTimeToMaven() {
    List<Instruction> build = all.subList(0, all.size() - runtime.size());
    assertThat(build)
        .contains(new Instruction("ARG", "REVISION"), new Instruction("ARG", "SOURCE_DATE_EPOCH"));
    assertThat(args("RUN"))
        .contains(
            "mvn -B -DskipTests -DskipITs -Dgit.commit.id=${REVISION}"
                + " -Dgit.commit.time=${SOURCE_DATE_EPOCH} package");
  }

  @Test
  void imageRecordsItsBaseByNameAndDigestItsCommitAndTheCommitsTime() {
    String labels = String.join(" ", runtimeArgs("LABEL"));

    assertThat(labels)
        .contains(
            "org.opencontainers.image.base.name=\"docker.io/library/${RUNTIME_BASE}\"",
            "org.opencontainers.image.base.digest=\"${RUNTIME_BASE_DIGEST}\"",
            "org.opencontainers.image.revision=\"${REVISION}\"",
            "org.opencontainers.image.created=\"${CREATED}\"",
            "io.meshgate.image.build-base=\"docker.io/library/${BUILD_BASE}@${BUILD_BASE_DIGEST}\"");
  }

  /** Every build argument without a default is one build-image.sh passes. */
  @Test
  void buildImageScriptPassesEveryRequiredArgumentAndStampsTheCommitTime() throws IOException {
    String script = Files.readString(Path.of("daemon", "build-image.sh"));
    Map<String, String> globals = DockerfileCheck.globalArgs(all);
    // declared without a value anywhere: a stage's bare ARG of a global with a default inherits it
    List<String> required =
        all.stream()
            .filter(i -> i.keyword().equals("ARG") && !i.arguments().contains("="))
            .map(Instruction::arguments)
            .filter(name -> globals.get(name) == null)
            .distinct()
            .toList();

    assertThat(required)
        .containsExactlyInAnyOrder(
            "BUILD_BASE_DIGEST", "RUNTIME_BASE_DIGEST", "REVISION", "SOURCE_DATE_EPOCH", "CREATED");
    for (String name : required) {
      assertThat(script)
          .as("build-image.sh passes " + name)
          .contains("--build-arg \"" + name + "=");
    }
    assertThat(script)
        .contains(
            "rewrite-timestamp=true", "SOURCE_DATE_EPOCH=$epoch", "git log -1 --format=%ct HEAD");
    assertThat(Path.of("daemon", "build-image.sh")).isExecutable();
  }

  @Test
  void everyFileTheBuildCopiesExistsAndIsNotDockerignored() throws IOException {
    List<String> ignored =
        Files.readAllLines(Path.of(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .map(l -> l.endsWith("/") ? l.substring(0, l.length() - 1) : l)
            .toList();
    for (String copy : args("COPY")) {
      if (copy.startsWith("--from=")) {
        continue;
      }
      String[] words = copy.split("\\s+");
      for (int i = 0; i < words.length - 1; i++) {
        Path source = Path.of(words[i]);
        assertThat(source).as(copy).exists();
        assertThat(ignored).as(copy).doesNotContain(source.getName(0).toString());
      }
    }
  }

  @Test
  void reportsASingleStageRootOrNamedUserAndAShellEntrypoint() {
    String dockerfile =
        """
        FROM eclipse-temurin:17-jre
        USER %s
        ENTRYPOINT java -jar meshgate.jar run
        CMD ["--config", "/etc/meshgate/meshgate.yaml"]
        """;

    assertThat(DockerfileCheck.problems(dockerfile.formatted("0:0")))
        .containsExactly(
            "has 1 stage(s); expected a build stage and a runtime stage",
            "runtime stage is FROM eclipse-temurin:17-jre; expected a JRE 17 release pinned by"
                + " digest such as eclipse-temurin:17.0.13_11-jre-jammy@sha256:...",
            "USER is 0:0; expected a UID and GID other than 0 (root)",
            "ENTRYPOINT is java -jar meshgate.jar run; expected ENTRYPOINT [\"java\", \"-jar\","
                + " \"meshgate.jar\", \"run\"]");
    assertThat(DockerfileCheck.problems(dockerfile.formatted("meshgate")))
        .contains(
            "USER is meshgate; expected a numeric UID:GID (runAsNonRoot cannot check a user"
                + " name)");
  }

  @Test
  void reportsATagWithoutDigestAndABuildArgumentUsedOutsideItsStage() {
    String dockerfile =
        """
        ARG RUNTIME_BASE=eclipse-temurin:17.0.13_11-jre-jammy
        ARG REVISION
        FROM maven:3.9.9-eclipse-temurin-17 AS build
        RUN mvn -Dgit.commit.id=${REVISION} package
        FROM ${RUNTIME_BASE}
        USER 10001:10001
        ENTRYPOINT ["java", "-jar", "meshgate.jar", "run"]
        CMD ["--config", "/etc/meshgate/meshgate.yaml"]
        """;

    assertThat(DockerfileCheck.problems(dockerfile))
        .containsExactly(
            "build stage is FROM maven:3.9.9-eclipse-temurin-17; expected an image pinned by"
                + " digest (image@sha256:..., or image@${ARG} of a build argument without a"
                + " default)",
            "runtime stage is FROM eclipse-temurin:17.0.13_11-jre-jammy; expected a JRE 17"
                + " release pinned by digest such as eclipse-temurin:17.0.13_11-jre-jammy@sha256:...",
            "stage 1: RUN uses ${REVISION}, which no ARG of the stage declares; it would be empty");
  }

  @Test
  void parseJoinsContinuationLinesAndSkipsComments() {
    assertThat(
            DockerfileCheck.parse(
                """
                # syntax=docker/dockerfile:1
                FROM a AS b
                RUN one \\
                  # a comment inside
                  two
                """))
        .containsExactly(new Instruction("FROM", "a AS b"), new Instruction("RUN", "one two"));
  }

  private static List<String> args(String keyword) {
    return all.stream()
        .filter(i -> i.keyword().equals(keyword))
        .map(Instruction::arguments)
        .toList();
  }

  private static List<String> runtimeArgs(String keyword) {
    return runtime.stream()
        .filter(i -> i.keyword().equals(keyword))
        .map(Instruction::arguments)
        .toList();
  }
}

package io.meshgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README a new user follows: its Quick start, what CI runs, and the files it and the pages of
 * docs/ name (docs.DocsTest checks their examples and links).
 */
class ReadmeTest {
  private static final Path README = Path.of("README.md");

  static List<String> quickStartCommands() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n## Quick start\n");
    assertThat(start).as("README has a Quick start section").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(block.find()).as("the Quick start opens with a sh code block").isTrue();
    return commands(block.group(1));
  }

  private static List<String> commands(String script) {
    List<String> commands = new ArrayList<>();
    for (String line : script.split("\n")) {
      String command = line.strip();
      if (!command.isEmpty() && !command.startsWith("#")) {
        commands.add(command);
      }
    }
    return commands;
  }

  @Test
  void quickStartIsExactlyTwoCommandsTheDemoAndTheTests() throws IOException {
    List<String> commands = quickStartCommands();

    assertThat(commands).containsExactly("daemon/demo.sh", "./mvnw -B verify");
  }

  @Test
  void ciRunsExactlyTheReadmesTestCommand() throws IOException {
    String testCommand = quickStartCommands().get(1);
    List<String> ci = commands(Files.readString(Path.of(".ci/run")));

    assertThat(ci).last().isEqualTo(testCommand);
    assertThat(ci)
        .as("nothing else in .ci/run runs a build or test")
        .allMatch(
            line -> line.equals(testCommand) || line.startsWith("set ") || line.startsWith("cd "));
  }

  @Test
  void demoCommandBuildsInstallsPrometheusWhenMissingAndRunsTheDemo() throws IOException {
    Path script = Path.of(quickStartCommands().get(0));

    assertThat(script).isExecutable();
    List<String> steps = commands(Files.readString(script));
    assertThat(steps)
        .contains(
            "bash daemon/ensure-tools.sh --prometheus-only", "./mvnw -B -q -DskipTests package")
        .last()
        .isEqualTo("exec java -jar target/meshgate.jar demo \"$@\"");
  }

  @Test
  void everyRepositoryPathTheReadmeAndTheDocsNameExists() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(README));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    Pattern path =
        Pattern.compile(
            "`((?:deploy|daemon|alerts|rules|schemas|docs|src|\\.ci)/[\\w./-]*[\\w/])`");
    List<String> missing = new ArrayList<>();
    int named = 0;
    for (Path page : pages) {
      String[] lines = Files.readString(page).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher paths = path.matcher(lines[i]);
        while (paths.find()) {
          named++;
          String name = paths.group(1);
          if (!name.contains("*") && !Files.exists(Path.of(name))) {
            missing.add(page + ":" + (i + 1) + ": " + name + " does not exist");
          }
        }
      }
    }
    assertThat(named).isGreaterThan(40);
    assertThat(missing).isEmpty();
  }
}

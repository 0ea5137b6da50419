package io.meshgate.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The instructions of a Dockerfile, and the properties the Deployment in deploy/ relies on. */
final class DockerfileCheck {
  static final List<String> ENTRYPOINT = List.of("java", "-jar", "meshgate.jar", "run");
  static final List<String> CMD = List.of("--config", "/etc/meshgate/meshgate.yaml");

  /**
   * A JRE 17 Temurin image of a release (17.0.x, not a moving 17 or latest), pinned by a digest:
   * written out, or a build argument without a default that the build must be given.
   */
  static final Pattern RUNTIME_BASE =
      Pattern.compile(
          "eclipse-temurin:17\\.0\\.\\d+_\\d+-jre(-[a-z]+)?"
              + "@(sha256:[0-9a-f]{64}|\\$\\{\\w+})");

  /** Any image pinned the same way. */
  static final Pattern PINNED = Pattern.compile("[^@\\s]+@(sha256:[0-9a-f]{64}|\\$\\{\\w+})");

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+)}");

  private static final Pattern USER = Pattern.compile("(\\d+)(:(\\d+))?");

  /** One instruction: its keyword (upper case) and the rest of the line. */
  record Instruction(String keyword, String arguments) {}

  private DockerfileCheck() {}

  /** Instructions with continuation lines joined, comments and blank lines dropped. */
  static List<Instruction> parse(String text) {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String stripped = line.strip();
      if (current.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
        continue;
      }
      if (!current.isEmpty() && stripped.startsWith("#")) {
        continue;
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped.substring(0, stripped.length() - 1).strip()).append(' ');
        continue;
      }
      current.append(stripped);
      String whole = current.toString().strip();
      current.setLength(0);
      int space = whole.indexOf(' ');
      instructions.add(
          space < 0
              ? new Instruction(whole.toUpperCase(), "")
              : new Instruction(
                  whole.substring(0, space).toUpperCase(), whole.substring(space + 1).strip()));
    }
    return instructions;
  }

  /**
   * The ARGs before the first FROM, which only FROM lines see: name to default, null for an ARG
   * without one (the build must pass it).
   */
  static Map<String, String> globalArgs(List<Instruction> all) {
    Map<String, String> args = new LinkedHashMap<>();
    for (Instruction instruction : all) {
      if (instruction.keyword().equals("FROM")) {
        break;
      }
      if (instruction.keyword().equals("ARG")) {
        String[] nameAndDefault = instruction.arguments().split("=", 2);
        args.put(nameAndDefault[0], nameAndDefault.length == 2 ? nameAndDefault[1] : null);
      }
    }
    return args;
  }

  /**
   * The image a FROM names, global ARGs with a default put in; one without a default stays {@code
   * ${NAME}}.
   */
  static String image(Instruction from, Map<String, String> args) {
    String image = from.arguments().split("\\s+")[0];
    return REFERENCE
        .matcher(image)
        .replaceAll(
            m ->
                Matcher.quoteReplacement(
                    args.get(m.group(1)) == null ? m.group() : args.get(m.group(1))));
  }

  /** The instructions of the last stage, the image that runs. */
  static List<Instruction> finalStage(List<Instruction> all) {
    int from = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return from < 0 ? List.of() : all.subList(from, all.size());
  }

  /** Everything that makes a Dockerfile unfit for the Deployment; empty when it fits. */
  static List<String> problems(String text) {
    List<String> problems = new ArrayList<>();
    List<Instruction> all = parse(text);
    long stages = all.stream().filter(i -> i.keyword().equals("FROM")).count();
    if (stages < 2) {
      problems.add("has " + stages + " stage(s); expected a build stage and a runtime stage");
    }
    List<Instruction> last = finalStage(all);
    if (last.isEmpty()) {
      return problems;
    }
    Map<String, String> globals = globalArgs(all);
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();
    for (Instruction from : froms.subList(0, froms.size() - 1)) {
      String image = image(from, globals);
      if (!PINNED.matcher(image).matches()) {
        problems.add(
            "build stage is FROM "
                + image
                + "; expected an image pinned by digest (image@sha256:..., or"
                + " image@${ARG} of a build argument without a default)");
      }
    }
    String base = image(last.get(0), globals);
    if (!RUNTIME_BASE.matcher(base).matches()) {
      problems.add(
          "runtime stage is FROM "
              + base
              + "; expected a JRE 17 release pinned by digest such as"
              + " eclipse-temurin:17.0.13_11-jre-jammy@sha256:...");
    }
    problems.addAll(argsOutOfScope(all));
    List<String> users =
        last.stream().filter(i -> i.keyword().equals("USER")).map(Instruction::arguments).toList();
    if (users.isEmpty()) {
      problems.add("runtime stage has no USER; it would run as root");
    } else {
      String user = users.get(users.size() - 1);
      var m = USER.matcher(user);
      if (!m.matches()) {
        problems.add(
            "USER is "
                + user
                + "; expected a numeric UID:GID (runAsNonRoot cannot check a user name)");
      } else if (Long.parseLong(m.group(1)) == 0
          || (m.group(3) != null && Long.parseLong(m.group(3)) == 0)) {
        problems.add("USER is " + user + "; expected a UID and GID other than 0 (root)");
      }
    }
    expectExecForm(last, "ENTRYPOINT", ENTRYPOINT, problems);
    expectExecForm(last, "CMD", CMD, problems);
    return problems;
  }

  /**
   * Every {@code ${NAME}} after a stage's FROM needs an ARG NAME in that stage: a global ARG is
   * seen by FROM lines only, and elsewhere expands to nothing without a word of warning.
   */
  private static List<String> argsOutOfScope(List<Instruction> all) {
    List<String> problems = new ArrayList<>();
    Set<String> declared = new HashSet<>();
    int stage = 0;
    for (Instruction instruction : all) {
      switch (instruction.keyword()) {
        case "FROM" -> {
          stage++;
          declared.clear();
        }
        case "ARG" -> declared.add(instruction.arguments().split("=", 2)[0]);
        default -> {
          Matcher reference = REFERENCE.matcher(instruction.arguments());
          while (stage > 0 && reference.find()) {
            if (!declared.contains(reference.group(1))) {
              problems.add(
                  "stage "
                      + stage
                      + ": "
                      + instruction.keyword()
                      + " uses ${"
                      + reference.group(1)
                      + "}, which no ARG of the stage declares; it would be empty");
            }
          }
        }
      }
    }
    return problems;
  }

  private static void expectExecForm(
      List<Instruction> stage, String keyword, List<String> expected, List<String> problems) {
    List<String> found =
        stage.stream()
            .filter(i -> i.keyword().equals(keyword))
            .map(Instruction::arguments)
            .toList();
    String wanted = execForm(expected);
    if (found.isEmpty()) {
      problems.add("runtime stage has no " + keyword + "; expected " + keyword + " " + wanted);
    } else if (!found.get(found.size() - 1).equals(wanted)) {
      problems.add(
          keyword + " is " + found.get(found.size() - 1) + "; expected " + keyword + " " + wanted);
    }
  }

  /** The JSON array form, as written in the Dockerfile: {@code ["a", "b"]}. */
  static String execForm(List<String> words) {
    List<String> quoted = words.stream().map(w -> "\"" + w + "\"").toList();
    return "[" + String.join(", ", quoted) + "]";
  }
}

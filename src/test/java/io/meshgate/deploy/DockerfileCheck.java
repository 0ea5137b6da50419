package io.meshgate.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The instructions of a Dockerfile, and the properties the Deployment in deploy/ relies on. */
final class DockerfileCheck {
  static final List<String> ENTRYPOINT = List.of("java", "-jar", "meshgate.jar", "run");
  static final List<String> CMD = List.of("--config", "/etc/meshgate/meshgate.yaml");

  /** A JRE 17 Temurin image pinned to a release (17.0.x), not a moving 17 or latest. */
  static final Pattern RUNTIME_BASE =
      Pattern.compile("eclipse-temurin:17\\.0\\.\\d+_\\d+-jre(-[a-z]+)?(@sha256:[0-9a-f]{64})?");

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
    String base = last.get(0).arguments().split("\\s+")[0];
    if (!RUNTIME_BASE.matcher(base).matches()) {
      problems.add(
          "runtime stage is FROM "
              + base
              + "; expected a pinned JRE 17 such as eclipse-temurin:17.0.13_11-jre-jammy");
    }
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

package io.meshgate.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * The simple commands of a shell snippet as a reader of the docs would type them: words with quotes
 * removed, {@code \} continuations joined, comments dropped, commands split at {@code && || ; |},
 * and redirections set apart. Enough shell for documentation, not a shell: no expansion, and {@code
 * $(...)} stays inside the word that holds it.
 *
 * <pre>{@code
 * ShellScript.commands("kubectl apply -f a.yaml && meshgate status # watch", 12)
 * // [Command(12, [kubectl, apply, -f, a.yaml], [], []), Command(12, [meshgate, status], [], [])]
 * }</pre>
 */
final class ShellScript {
  private ShellScript() {}

  /**
   * One simple command: the line it starts on, its words, the files it writes ({@code > f}, {@code
   * >> f}) and the files it reads ({@code < f}).
   */
  record Command(int line, List<String> words, List<String> writes, List<String> reads) {}

  /** The commands of a {@code sh} block whose first line is {@code firstLine}. */
  static List<Command> commands(String script, int firstLine) {
    List<Command> commands = new ArrayList<>();
    String[] lines = script.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int start = i;
      StringBuilder logical = new StringBuilder(lines[i]);
      while (endsWithContinuation(logical) && i + 1 < lines.length) {
        logical.setLength(logical.length() - 1);
        logical.append(' ').append(lines[++i]);
      }
      commands.addAll(parse(logical.toString(), firstLine + start));
    }
    return commands;
  }

  /**
   * The commands of a {@code console} block: the lines after a {@code $ } prompt (and their
   * continuations); every other line is output.
   */
  static List<Command> consoleCommands(String session, int firstLine) {
    List<Command> commands = new ArrayList<>();
    String[] lines = session.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].stripLeading();
      if (!line.startsWith("$ ")) {
        continue;
      }
      int start = i;
      StringBuilder logical = new StringBuilder(line.substring(2));
      while (endsWithContinuation(logical) && i + 1 < lines.length) {
        logical.setLength(logical.length() - 1);
        logical.append(' ').append(lines[++i]);
      }
      commands.addAll(parse(logical.toString(), firstLine + start));
    }
    return commands;
  }

  private static boolean endsWithContinuation(CharSequence line) {
    return line.length() > 0 && line.charAt(line.length() - 1) == '\\';
  }

  private static List<Command> parse(String line, int lineNumber) {
    List<Command> commands = new ArrayList<>();
    List<String> words = new ArrayList<>();
    List<String> writes = new ArrayList<>();
    List<String> reads = new ArrayList<>();
    StringBuilder word = null;
    List<String> target = words;
    char quote = 0;
    int parens = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
        continue;
      }
      if (c == '(' && word != null && word.toString().endsWith("$")) {
        parens++;
      } else if (c == ')' && parens > 0) {
        parens--;
        word.append(c);
        continue;
      }
      if (parens > 0) {
        word.append(c);
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (c == '\\' && i + 1 < line.length()) {
        word = word == null ? new StringBuilder() : word;
        word.append(line.charAt(++i));
      } else if (c == '#' && word == null) {
        break;
      } else if (Character.isWhitespace(c)
          || c == ';'
          || c == '&'
          || c == '|'
          || c == '>'
          || c == '<') {
        boolean adjacent = word != null;
        if (word != null) {
          target.add(word.toString());
          target = words;
          word = null;
        }
        if (c == ';' || c == '&' || c == '|') {
          end(commands, lineNumber, words, writes, reads);
          words = new ArrayList<>();
          writes = new ArrayList<>();
          reads = new ArrayList<>();
          target = words;
        } else if (c == '>') {
          if (adjacent && !words.isEmpty() && words.get(words.size() - 1).matches("\\d")) {
            words.remove(words.size() - 1); // the 2 of 2> file
          }
          if (i + 1 < line.length() && line.charAt(i + 1) == '&') {
            i += 2; // 2>&1
          } else {
            target = writes;
          }
        } else if (c == '<') {
          target = reads;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      target.add(word.toString());
    }
    end(commands, lineNumber, words, writes, reads);
    return commands;
  }

  private static void end(
      List<Command> commands,
      int line,
      List<String> words,
      List<String> writes,
      List<String> reads) {
    if (!words.isEmpty()) {
      commands.add(new Command(line, List.copyOf(words), List.copyOf(writes), List.copyOf(reads)));
    }
  }
}

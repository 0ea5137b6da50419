package io.meshgate.config;

import java.util.List;

/** Bad input from a user (file, flag, manifest): every problem found, each a full sentence. */
public class InvalidInputException extends RuntimeException {
  private final transient List<String> problems;

  public InvalidInputException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public InvalidInputException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}

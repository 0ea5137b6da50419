package io.meshgate.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks of a rule's bounds, written once for a rule file and for a RevisionMigration gate that
 * overrides them: finite numbers, min not above max, ratios and volumes not negative.
 */
public final class Bounds {
  private Bounds() {}

  /** Every problem of these bounds, fields named as in a rule ({@code maxIncrease}). */
  public static List<Rule.Problem> problems(
      Double max, Double min, Double maxIncrease, Double baselineFloor, Double minVolume) {
    List<Rule.Problem> problems = new ArrayList<>();
    finite("max", max, problems);
    finite("min", min, problems);
    if (max != null && min != null && min > max) {
      problems.add(
          new Rule.Problem(
              "min", "is " + Numbers.format(min) + ", above max " + Numbers.format(max)));
    }
    nonNegative("maxIncrease", maxIncrease, "0.5 means +50%", problems);
    nonNegative("baselineFloor", baselineFloor, "the smallest baseline used", problems);
    nonNegative("minVolume", minVolume, "the smallest volume that is data", problems);
    return problems;
  }

  private static void finite(String field, Double value, List<Rule.Problem> problems) {
    if (value != null && !Double.isFinite(value)) {
      problems.add(
          new Rule.Problem(field, "is " + Numbers.format(value) + "; expected a finite number"));
    }
  }

  private static void nonNegative(
      String field, Double value, String hint, List<Rule.Problem> problems) {
    if (value != null && !Double.isFinite(value)) {
      finite(field, value, problems);
    } else if (value != null && value < 0) {
      problems.add(
          new Rule.Problem(
              field, "is " + Numbers.format(value) + "; expected a number >= 0 (" + hint + ")"));
    }
  }
}

package io.meshgate.gate;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers as people read them in messages: 4 significant digits, Prometheus' NaN/Inf. */
public final class Numbers {
  private Numbers() {}

  public static String format(Double value) {
    if (value == null) {
      return "none";
    }
    double v = value;
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }
}

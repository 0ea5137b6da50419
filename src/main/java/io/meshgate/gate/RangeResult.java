package io.meshgate.gate;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** What Prometheus answered to one range query: a matrix, or why there is none. */
public sealed interface RangeResult {

  /** One series over time: its labels and its samples by Unix second. */
  record RangeSeries(Map<String, String> labels, NavigableMap<Long, Double> samples) {
    public RangeSeries {
      labels = Map.copyOf(labels);
      samples = new TreeMap<>(samples);
    }
  }

  /**
   * The matrix, with the envelope's warnings and infos (as for {@link QueryResult.Success}): a
   * warning stands for the whole range, so every step carries it.
   */
  record Success(List<RangeSeries> series, List<String> warnings, List<String> infos)
      implements RangeResult {
    public Success {
      series = List.copyOf(series);
      warnings = List.copyOf(warnings);
      infos = List.copyOf(infos);
    }

    public Success(List<RangeSeries> series) {
      this(series, List.of(), List.of());
    }

    /** The instant vector at {@code epochSecond}: the series with a sample there, and warnings. */
    public QueryResult.Success at(long epochSecond) {
      return new QueryResult.Success(
          series.stream()
              .filter(s -> s.samples().containsKey(epochSecond))
              .map(s -> new Series(s.labels(), s.samples().get(epochSecond)))
              .toList(),
          warnings);
    }
  }

  /** The range query failed as a whole: every step of it is that failure. */
  record Failure(QueryResult.Failure failure) implements RangeResult {}
}

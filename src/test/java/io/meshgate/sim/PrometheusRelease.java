package io.meshgate.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Prometheus a test runs: Debian's package (2.42, on PATH, what every test ran before issue 28)
 * or Prometheus 3 built from its Go module ({@link Backends}). A test that uses a real Prometheus
 * takes one, so that its {@code Prometheus3} variant runs the same assertions on 3.x (see
 * docs/prometheus3.md for what differs).
 */
public enum PrometheusRelease {
  /** {@code prometheus} and {@code promtool} of the Debian package (or MESHGATE_PROMETHEUS). */
  DEBIAN {
    @Override
    public String prometheus() {
      return PrometheusProcess.binary();
    }

    @Override
    public String promtool() {
      return "promtool";
    }
  },
  /** Prometheus 3 and its promtool, built by {@code src/test/go/build.sh prometheus}. */
  PROMETHEUS_3 {
    @Override
    public String prometheus() {
      return Backends.prometheus3();
    }

    @Override
    public String promtool() {
      return Backends.promtool3();
    }
  };

  public abstract String prometheus();

  public abstract String promtool();

  /** {@link PrometheusProcess#start(String, Path, String, List)} with this release's binary. */
  public PrometheusProcess start(Path workDir, String config) throws IOException {
    return PrometheusProcess.start(prometheus(), workDir, config, List.of());
  }

  /** {@link PrometheusProcess#backfill(String, Path, Path)} with this release's promtool. */
  public void backfill(Path openMetrics, Path workDir) throws IOException, InterruptedException {
    PrometheusProcess.backfill(promtool(), openMetrics, workDir);
  }
}

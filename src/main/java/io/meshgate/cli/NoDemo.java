package io.meshgate.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code demo} in the daemon image, whose jar carries no simulator: says where the demo is. */
@Command(
    name = "demo",
    description = "Not in this jar: run the demo from a checkout (daemon/demo.sh).")
final class NoDemo implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(hidden = true)
  List<String> ignored;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "meshgate: the demo is not part of this jar (the daemon image's); run it from a"
                + " checkout: daemon/demo.sh, or java -jar target/meshgate.jar demo");
    return ExitCodes.USAGE;
  }
}

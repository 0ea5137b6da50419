package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 29: {@code meshgate completion}; CliJarIT runs the script in bash. */
class CompletionTest {
  @Test
  void theScriptCompletesEveryCommandAndRegistersForMeshgate() {
    Cli result = Cli.run("completion");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    for (String command : MeshgateCommand.commandLine().getSubcommands().keySet()) {
      assertThat(result.out()).contains("function _picocli_meshgate_" + command + "()");
    }
    assertThat(result.out())
        .startsWith("#!/usr/bin/env bash")
        .contains("complete -F _complete_meshgate -o default meshgate");
  }

  @Test
  void zshGetsTheSameScriptWhichLoadsBashcompinitUnderZsh() {
    Cli zsh = Cli.run("completion", "zsh");

    assertThat(zsh.exitCode()).isZero();
    assertThat(zsh.out())
        .isEqualTo(Cli.run("completion").out())
        .contains("autoload -U +X bashcompinit && bashcompinit");
  }

  @Test
  void refusesAShellItHasNoScriptFor() {
    Cli result = Cli.run("completion", "fish");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .startsWith(
            "meshgate: Invalid value for positional parameter at index 0 (SHELL): expected one of"
                + " [bash, zsh] (case-sensitive) but was 'fish'");
  }
}

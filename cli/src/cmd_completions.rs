//! `usvc completions`: shell completion scripts.

use crate::error::CliResult;
use crate::Cli;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Arguments of `usvc completions`.
#[derive(Debug, Args)]
#[command(after_help = "\
Install, for example:
  bash:       usvc completions bash > ~/.local/share/bash-completion/completions/usvc
  zsh:        usvc completions zsh > ~/.zfunc/_usvc   (with fpath+=~/.zfunc before compinit)
  fish:       usvc completions fish > ~/.config/fish/completions/usvc.fish
  powershell: usvc completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: CompletionShell,
}

/// The shells `usvc completions` writes scripts for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Prints the completion script to stdout.
pub fn run(args: &CompletionsArgs) -> CliResult {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "usvc", &mut std::io::stdout());
    Ok(())
}

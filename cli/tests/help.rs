//! `usvc --help` and `usvc completions`.

mod common;

use common::usvc;
use predicates::prelude::*;

#[test]
fn help_lists_every_family_and_the_exit_codes() {
    let mut assert = usvc().arg("--help").assert().success();
    for word in [
        "tour",
        "sandbox",
        "groups",
        "services",
        "enrollments",
        "secrets",
        "aliases",
        "recurrent",
        "logs",
        "resolve",
        "chains",
        "broadcasts",
        "files",
        "call",
        "completions",
        "--api-key",
        "--api-base-url",
        "--json",
        "Exit codes:",
        "4  not found",
        "9  connection failure or timeout",
    ] {
        assert = assert.stdout(predicate::str::contains(word));
    }
}

#[test]
fn completions_print_a_script_for_every_shell() {
    usvc()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_usvc()"))
        .stdout(predicate::str::contains("complete -F _usvc"));
    for (shell, marker) in [
        ("zsh", "#compdef usvc"),
        ("fish", "complete -c usvc"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        usvc()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker));
    }
    usvc().args(["completions", "tcsh"]).assert().code(2);
}

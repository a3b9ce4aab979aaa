//! A new publication in two commands: `willai init` makes a project that validates and
//! drafts at once, whose CI workflow runs those very commands; shell completions and the
//! man page come from the same command definition; `--version` names the commit.

use std::fs;
use std::path::Path;

use yaml_rust2::YamlLoader;

use crate::util::{Project, run, run_ok};

fn init(p: &Project, dir: &str, name: Option<&str>) -> crate::util::Ran {
    let mut cmd = p.willai();
    cmd.env_remove("WILLAI_ROOT").args(["init", dir]);
    if let Some(n) = name {
        cmd.args(["--name", n]);
    }
    run(&mut cmd)
}

#[test]
fn init_makes_a_project_that_validates_formats_and_drafts_offline() {
    let p = Project::new();
    let r = init(&p, "pub", Some("Future of Work"));
    assert_eq!(r.code, 0, "{}", r.all());
    let root = p.path("pub");
    for f in [
        "willai.toml",
        "prompts/task.j2",
        "prompts/skills.j2",
        "data/catalog/technical-writers.json",
        "data/schema/catalog.schema.json",
        "data/schema/record.schema.json",
        "cache/.gitkeep",
        ".gitignore",
        ".gitattributes",
        ".github/workflows/willai.yml",
        ".github/dependabot.yml",
        ".pre-commit-config.yaml",
    ] {
        assert!(root.join(f).is_file(), "{f} is written");
    }
    let toml = fs::read_to_string(root.join("willai.toml")).unwrap();
    assert!(toml.contains("name = \"Future of Work\""), "{toml}");
    assert!(
        toml.lines().filter(|l| l.starts_with('#')).count() > 5,
        "commented"
    );
    let attrs = fs::read_to_string(root.join(".gitattributes")).unwrap();
    assert!(attrs.contains("data/records/*.json diff=willai"), "{attrs}");

    let in_root = |args: &[&str], code: i32| {
        run_ok(
            p.willai()
                .env("WILLAI_ROOT", &root)
                .env_remove("OPENAI_API_KEY")
                .args(args),
            code,
        )
    };
    in_root(&["validate"], 0);
    in_root(&["fmt", "--check"], 0);
    let dry = in_root(&["draft", "--all", "--dry-run"], 0);
    assert!(
        dry.stdout
            .contains("dry run: 6 prompt(s), 0 cached, 6 would be sent"),
        "{}",
        dry.stdout
    );
    // Without a key or an endpoint, drafting says what to set.
    let draft = in_root(&["draft", "--all"], 2);
    assert!(draft.stderr.contains("OPENAI_API_KEY"), "{}", draft.stderr);
}

#[test]
fn init_refuses_a_directory_that_is_not_empty() {
    let p = Project::new();
    p.write("taken/notes.md", "mine");
    let r = init(&p, "taken", None);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("is not empty (notes.md is there)"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read_dir(p.path("taken")).unwrap().count(), 1);
    // The current directory, by default: also refused when not empty.
    let r = run(p.willai().env_remove("WILLAI_ROOT").arg("init"));
    assert_eq!(r.code, 2, "{}", r.all());
}

/// The `run` scripts of every job of the workflow, each with whether it runs on main
/// only (by its job's condition or its own).
fn workflow_runs(path: &Path) -> Vec<(String, bool)> {
    let text = fs::read_to_string(path).unwrap();
    let docs = YamlLoader::load_from_str(&text).expect("the workflow is YAML");
    let doc = &docs[0];
    assert_eq!(doc["name"].as_str(), Some("willai"));
    let on = &doc["on"];
    assert!(!on["push"].is_badvalue() && !on["pull_request"].is_badvalue());
    assert!(!doc["jobs"]["deploy"].is_badvalue(), "deploys to Pages");
    let main_only =
        |y: &yaml_rust2::Yaml| y.as_str().is_some_and(|c| c.contains("refs/heads/main"));
    let mut out = Vec::new();
    for (_, job) in doc["jobs"].as_hash().unwrap() {
        for s in job["steps"].as_vec().unwrap() {
            if let Some(run) = s["run"].as_str() {
                out.push((
                    run.to_string(),
                    main_only(&job["if"]) || main_only(&s["if"]),
                ));
            }
        }
    }
    out
}

#[test]
fn the_ci_workflow_parses_and_its_commands_pass_in_the_new_project() {
    let p = Project::new();
    run_ok(
        p.willai().env_remove("WILLAI_ROOT").args(["init", "pub"]),
        0,
    );
    let root = p.path("pub");
    let runs = workflow_runs(&root.join(".github/workflows/willai.yml"));
    let commands: Vec<&str> = runs.iter().map(|(r, _)| r.as_str()).collect();
    assert!(
        commands
            .iter()
            .any(|c| c.contains("cargo install --locked --profile dist") && c.contains("willai\n")),
        "{commands:?}"
    );
    assert!(commands.contains(&"willai fmt --check"), "{commands:?}");
    assert!(
        commands.contains(&"willai validate --format github"),
        "{commands:?}"
    );
    assert!(
        runs.iter()
            .any(|(r, main)| r.starts_with("willai publish") && *main),
        "publishes on main only: {runs:?}"
    );
    // Run the willai steps as CI would, in the new project (the publish step's address
    // comes from Pages: here, a stand-in).
    for cmd in commands.iter().filter(|c| c.starts_with("willai ")) {
        let args: Vec<String> = cmd
            .replace("\"$BASE_URL\"", "https://acme.github.io/pub")
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect();
        let r = run(p
            .willai()
            .env_remove("WILLAI_ROOT")
            .current_dir(&root)
            .args(&args));
        assert_eq!(r.code, 0, "`{cmd}` in the new project: {}", r.all());
    }
    assert!(
        root.join("site/index.html").is_file(),
        "the workflow's publish ran"
    );
    // The pre-commit configuration runs validate.
    let hooks = YamlLoader::load_from_str(
        &fs::read_to_string(root.join(".pre-commit-config.yaml")).unwrap(),
    )
    .unwrap();
    let entries: Vec<&str> = hooks[0]["repos"][0]["hooks"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|h| h["entry"].as_str())
        .collect();
    assert!(entries.contains(&"willai validate"), "{entries:?}");
}

#[test]
fn completions_are_accepted_by_their_shells_and_the_man_page_is_roff() {
    let p = Project::new();
    for (shell, checker) in [
        ("bash", Some(("bash", vec!["-n"]))),
        ("zsh", Some(("zsh", vec!["-n"]))),
        ("fish", Some(("fish", vec!["--no-execute"]))),
        ("powershell", None),
    ] {
        let r = run_ok(p.willai().args(["completions", shell]), 0);
        assert!(r.stdout.contains("willai"), "{shell}");
        assert!(
            r.stdout.contains("draft") && r.stdout.contains("profession"),
            "{shell}"
        );
        let Some((program, args)) = checker else {
            continue;
        };
        let Ok(found) = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
        else {
            continue;
        };
        if !found.status.success() {
            continue; // the shell is not installed here
        }
        let script = p.path(&format!("willai.{shell}"));
        fs::write(&script, &r.stdout).unwrap();
        let check = std::process::Command::new(program)
            .args(&args)
            .arg(&script)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{program} rejects the script: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let man = run_ok(p.willai().arg("man"), 0);
    assert!(
        man.stdout.contains(".TH willai 1"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("draft") && man.stdout.contains("validate"));
    // Every page the main one points to is written by --out, with its options.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    run_ok(p.willai().args(["man", "--out"]).arg(&out), 0);
    let main = std::fs::read_to_string(out.join("willai.1")).unwrap();
    let mut pointed = 0;
    for line in main.lines() {
        if let Some(page) = line.strip_suffix("(1)") {
            let file = format!("{}.1", page.replace("\\-", "-"));
            assert!(
                out.join(&file).is_file(),
                "willai.1 points to {file}, not written"
            );
            pointed += 1;
        }
    }
    assert!(pointed >= 15, "{main}");
    let serve = std::fs::read_to_string(out.join("willai-serve.1")).unwrap();
    assert!(
        serve.contains("\\-\\-port") && serve.contains("\\-\\-drafts"),
        "{serve}"
    );
    let cache_gc = std::fs::read_to_string(out.join("willai-cache-gc.1")).unwrap();
    assert!(cache_gc.contains(".TH willai-cache-gc 1"), "{cache_gc}");
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let p = Project::new();
    let r = run_ok(p.willai().arg("--version"), 0);
    let line = r.stdout.trim();
    assert!(
        line.starts_with(&format!("willai {}", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    let in_git = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success());
    if let Some(out) = in_git {
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            line.contains(&format!("({commit}")),
            "{line} names {commit}"
        );
        // ...and the date of that commit.
        let date = std::process::Command::new("git")
            .args(["log", "-1", "--format=%cs"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let date = String::from_utf8_lossy(&date.stdout).trim().to_string();
        assert!(
            line.ends_with(&format!(" {date})")),
            "{line} ends with {date}"
        );
    }
}

/// `source <(COMPLETE=bash willai)`: bash asks willai at each Tab, and `-p` completes to
/// the project's professions (found from where the shell is), not to file names.
#[test]
fn dynamic_completion_offers_the_projects_professions() {
    let p = Project::new();
    let bin = assert_cmd::cargo::cargo_bin("willai");
    let complete = |dir: &std::path::Path, shell: &str, words: &[&str]| {
        let out = std::process::Command::new(&bin)
            .current_dir(dir)
            .env_remove("WILLAI_ROOT")
            .env("COMPLETE", shell)
            .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
            .env("_CLAP_IFS", "\n")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let all = complete(p.root(), "bash", &["willai", "draft", "-p", ""]);
    assert_eq!(all.trim(), "ml-engineer\nwidget-makers");
    let some = complete(
        &p.path("data/catalog"),
        "bash",
        &["willai", "status", "-p", "Wid"],
    );
    assert_eq!(
        some.trim(),
        "widget-makers",
        "from below the root, typed as a name"
    );
    let fish = complete(
        p.root(),
        "fish",
        &["willai", "approve", "--profession", "ml"],
    );
    assert_eq!(fish.trim(), "ml-engineer\tML Engineer");
    let nowhere = tempfile::tempdir().unwrap();
    assert_eq!(
        complete(nowhere.path(), "bash", &["willai", "draft", "-p", ""]).trim(),
        ""
    );

    // Through bash itself: the registration script, then a Tab after `-p w`.
    let Ok(found) = std::process::Command::new("sh")
        .args(["-c", "command -v bash"])
        .output()
    else {
        return;
    };
    if !found.status.success() {
        return;
    }
    let script = format!(
        "source <(COMPLETE=bash {bin}); COMP_WORDS=(willai reject -p w); COMP_CWORD=3; COMP_TYPE=9; _clap_complete_willai willai w reject; echo \"${{COMPREPLY[@]}}\"",
        bin = bin.display()
    );
    let out = std::process::Command::new("bash")
        .current_dir(p.root())
        .env_remove("WILLAI_ROOT")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "widget-makers",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

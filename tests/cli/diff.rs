//! `willai diff` and `willai textconv` on a real git repository in a temp dir: records
//! committed, then changed the ways editors and drafts change them, and the changes read
//! back in words; and the README's `.gitattributes` and `git config` lines making
//! `git diff`, `git log -p` and `git show` show records as prose.

use std::process::Command;

use fake_openai::FakeServer;
use serde_json::Value;

use crate::util::{Project, repo, run, run_ok};
use crate::validate::valid_project;

/// git in the project, with the test's blank configuration and an identity of its own.
pub(crate) fn git(p: &Project, args: &[&str]) -> String {
    git_with_path(p, args, None)
}

/// git with the `PATH` it runs textconv with (the test's own by default).
fn git_with_path(p: &Project, args: &[&str], path: Option<&std::ffi::OsStr>) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(p.root())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", p.git_config())
        .env_remove("WILLAI_ROOT");
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn set_task(p: &Project, id: &str, edit: impl Fn(&mut Value)) {
    p.edit_record("widget-makers", |rec| {
        let t = rec["tasks"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|t| t["id"] == id)
            .unwrap();
        edit(t);
    });
}

/// A repository whose last commit holds widget-makers drafted (sort-widgets: HIGH, "AI
/// sorts the widgets by colour.", tools ChatGPT) and no ml-engineer record, which is
/// back in the working tree, untracked.
fn committed() -> (Project, FakeServer) {
    let p = valid_project();
    std::fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    set_task(&p, "sort-widgets", |t| {
        t["level"] = "HIGH".into();
        t["rationale"] = "AI sorts the widgets by colour.".into();
        t["tools"] = serde_json::json!(["ChatGPT"]);
    });
    let ml = p.read("data/records/ml-engineer.json");
    std::fs::remove_file(p.path("data/records/ml-engineer.json")).unwrap();
    git(&p, &["init", "-q"]);
    git(&p, &["config", "user.name", "Test"]);
    git(&p, &["config", "user.email", "test@example.org"]);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "drafts"]);
    p.write("data/records/ml-engineer.json", &ml);
    (p, server)
}

/// The editors' day after that commit: a level changed and a word, a tool added, an
/// approval, a skill entry deleted.
fn edited(p: &Project) {
    set_task(p, "sort-widgets", |t| {
        t["level"] = "LOW".into();
        t["rationale"] = "AI sorts most widgets by colour.".into();
        t["tools"] = serde_json::json!(["ChatGPT", "Robot arm"]);
    });
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "answer-letters",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-11-20",
        ]),
        0,
    );
    p.edit_record("widget-makers", |rec| {
        rec["skills"]
            .as_array_mut()
            .unwrap()
            .retain(|s| s["id"] != "letter-writing");
    });
}

fn title(p: &Project, id: &str) -> String {
    p.record("widget-makers")["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()["title"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn diff_tells_each_change_in_words_sorted_and_the_same_twice() {
    let (p, _server) = committed();
    let r = run_ok(p.willai().arg("diff"), 0);
    assert!(
        r.stdout
            .contains("-> working tree: 1 record file(s), 7 item(s) changed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\nml-engineer: new record\n"),
        "{}",
        r.stdout
    );

    git(&p, &["add", "data/records/ml-engineer.json"]);
    git(&p, &["commit", "-q", "-m", "ml"]);
    let r = run_ok(p.willai().arg("diff"), 0);
    assert!(
        r.stdout.ends_with("working tree: no record changed\n"),
        "{}",
        r.stdout
    );

    edited(&p);
    let r = run_ok(p.willai().arg("diff"), 0);
    let sort = title(&p, "sort-widgets");
    let letters = title(&p, "answer-letters");
    let head = git(&p, &["rev-parse", "HEAD"]);
    assert_eq!(
        r.stdout,
        format!(
            "willai diff HEAD ({}) -> working tree: 1 record file(s), 3 item(s) changed\n\
             \n\
             widget-makers / {sort}\n  \
               level: HIGH -> LOW\n  \
               rationale: AI sorts [-the-]{{+most+}} widgets by colour.\n  \
               tools: added Robot arm\n\
             widget-makers / {letters}\n  \
               approved by Ann Editor on 2026-11-20\n\
             widget-makers / skill Letter writing: removed\n",
            &head[..10]
        )
    );
    assert_eq!(run_ok(p.willai().arg("diff"), 0).stdout, r.stdout);

    let md = run_ok(p.willai().args(["diff", "--markdown"]), 0).stdout;
    assert!(md.contains("\n#### widget-makers\n"), "{md}");
    assert!(
        md.contains("  - rationale: AI sorts ~~the~~ **most** widgets by colour.\n"),
        "{md}"
    );
    assert!(md.contains("  - level: HIGH → LOW\n"), "{md}");

    let json: Value =
        serde_json::from_str(&run_ok(p.willai().args(["diff", "--json"]), 0).stdout).unwrap();
    assert_eq!(json["rev"], "HEAD");
    assert_eq!(json["commit"], head.trim());
    let prof = &json["professions"][0];
    assert_eq!(prof["profession"], "widget-makers");
    assert_eq!(prof["file"], "data/records/widget-makers.json");
    assert_eq!(prof["change"], "modified");
    let items = prof["items"].as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| format!("{} {} {}", i["kind"], i["id"], i["change"]))
            .collect::<Vec<_>>(),
        [
            r#""task" "sort-widgets" "modified""#,
            r#""task" "answer-letters" "modified""#,
            r#""skill" "letter-writing" "removed""#
        ]
    );
    let fields = items[0]["fields"].as_array().unwrap();
    assert_eq!(fields[0]["field"], "level");
    assert_eq!(
        (fields[0]["old"].as_str(), fields[0]["new"].as_str()),
        (Some("HIGH"), Some("LOW"))
    );
    assert_eq!(
        fields[1]["words"],
        serde_json::json!([
            {"op": "equal", "text": "AI sorts "},
            {"op": "delete", "text": "the"},
            {"op": "insert", "text": "most"},
            {"op": "equal", "text": " widgets by colour."}
        ])
    );
    assert_eq!(fields[2]["added"], serde_json::json!(["Robot arm"]));
    assert_eq!(fields[2]["removed"], serde_json::json!([]));
    let approval = items[1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "approval")
        .unwrap();
    assert_eq!(approval["note"], "approved");
    assert_eq!(approval["new"]["reviewer"], "Ann Editor");
}

#[test]
fn a_redraft_shows_new_proposals_and_taking_one_reads_as_accepted() {
    let p = valid_project();
    let server = FakeServer::start();
    git(&p, &["init", "-q"]);
    git(&p, &["config", "user.name", "Test"]);
    git(&p, &["config", "user.email", "test@example.org"]);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "published"]);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--redraft"]),
        0,
    );
    let r = run_ok(p.willai().arg("diff"), 0);
    assert!(
        r.stdout.contains(
            "ml-engineer / Write production code\n  new proposal from test-model (confidence "
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\n    rationale: [-LLMs can draft and transform code quickly."),
        "{}",
        r.stdout
    );
    git(&p, &["commit", "-q", "-am", "proposals"]);
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "ml-engineer",
            "-t",
            "write-production-code",
            "--accept-proposal",
            "--reviewer",
            "Ann",
            "--date",
            "2026-11-21",
        ]),
        0,
    );
    let r = run_ok(p.willai().args(["diff"]), 0);
    assert!(r.stdout.contains("\n  proposal accepted\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "\n  approved again by Ann on 2026-11-21 (was by WillAIReplaceMe editors on 2026-04-20)\n"
        ),
        "{}",
        r.stdout
    );
    // Against the first commit, the same approval with the level, text and title moved.
    let r = run_ok(p.willai().args(["diff", "HEAD~1"]), 0);
    assert!(r.stdout.starts_with("willai diff HEAD~1 ("), "{}", r.stdout);
}

#[test]
fn outside_git_unknown_revisions_and_broken_records_are_clear_errors() {
    let p = valid_project();
    let r = run_ok(p.willai().arg("diff"), 2);
    assert!(
        r.stderr.contains("is not in a git repository"),
        "{}",
        r.stderr
    );
    git(&p, &["init", "-q"]);
    git(&p, &["config", "user.name", "Test"]);
    git(&p, &["config", "user.email", "test@example.org"]);
    let r = run_ok(p.willai().arg("diff"), 2);
    assert!(r.stderr.contains("has no commits yet"), "{}", r.stderr);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "x"]);
    let r = run_ok(p.willai().args(["diff", "no-such-branch"]), 2);
    assert!(
        r.stderr
            .contains("unknown revision \"no-such-branch\": name a commit"),
        "{}",
        r.stderr
    );
    p.write(
        "data/records/widget-makers.json",
        "{\n  \"profession\": \"widget-makers\",\n",
    );
    let r = run_ok(p.willai().arg("diff"), 1);
    assert!(
        r.stdout.contains(
            "widget-makers: cannot compare: working tree: data/records/widget-makers.json:3:"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn textconv_prints_prose_with_or_without_a_project_and_raw_text_when_broken() {
    let (p, _server) = committed();
    let sort = title(&p, "sort-widgets");
    let r = run_ok(
        p.willai()
            .args(["textconv", "data/records/widget-makers.json"]),
        0,
    );
    assert!(
        r.stdout.starts_with(&format!(
            "profession: Widget Makers (widget-makers)\n\ntask sort-widgets: {sort}\n  statement: Sort the widgets by colour\n  status: draft, edited\n  level: HIGH (confidence 0."
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  rationale: AI sorts the widgets by colour.\n  tools: ChatGPT\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n  machine's text:\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\nskill painting: Painting\n  status: draft\n"),
        "{}",
        r.stdout
    );

    // A copy outside any project (as git hands it over): ids and the record's own words.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("blob.json");
    std::fs::copy(p.path("data/records/widget-makers.json"), &copy).unwrap();
    let mut cmd = p.willai();
    cmd.env_remove("WILLAI_ROOT")
        .current_dir(elsewhere.path())
        .arg("textconv")
        .arg(&copy);
    let r = run_ok(&mut cmd, 0);
    assert!(
        r.stdout.starts_with(&format!(
            "profession: widget-makers\n\ntask sort-widgets: {sort}\n  status: draft, edited\n"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\nskill painting\n"), "{}", r.stdout);

    // Not a record: printed as it is.
    std::fs::write(&copy, "{ not json\n").unwrap();
    let mut cmd = p.willai();
    cmd.arg("textconv").arg(&copy);
    assert_eq!(run_ok(&mut cmd, 0).stdout, "{ not json\n");
}

// Record text reaches a reviewer's terminal through diff, textconv (git diff) and
// review: an escape sequence or a bidi override in a pull request is shown, not obeyed.
#[test]
fn control_sequences_in_a_record_are_shown_as_escapes_not_sent_to_the_terminal() {
    let (p, _server) = committed();
    let hostile = "Evil \u{1b}]0;PWNED\u{7} \u{1b}[2J\u{1b}[31mred\u{1b}[0m \r x \u{202e}txt.exe";
    set_task(&p, "sort-widgets", |t| {
        t["rationale"] = hostile.into();
    });
    for args in [
        &["textconv", "data/records/widget-makers.json"][..],
        &["diff"],
        &["diff", "--markdown"],
        &["diff", "--json"],
    ] {
        let r = run(p.willai().args(args));
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        for bad in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
            assert!(
                !r.stdout.contains(bad),
                "{args:?} printed {bad:?}: {}",
                r.stdout
            );
        }
        // Shown as escapes (Markdown escapes the brackets too).
        assert!(
            r.stdout.contains("\\u001b]0;PWNED") || r.stdout.contains("\\u001b\\]0;PWNED"),
            "{args:?}: {}",
            r.stdout
        );
    }
    // JSON stays valid and means the same text.
    let r = run(p.willai().args(["diff", "--json"]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(&v, &mut all);
    assert!(
        all.iter()
            .any(|s| s.contains("\u{1b}]0;PWNED") && s.contains("\u{202e}txt.exe")),
        "{all:?}"
    );
}

/// The two setup lines, as the README gives them.
fn readme_setup() -> (String, String) {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let attributes = readme
        .lines()
        .find(|l| l.starts_with("data/records/*.json") && l.contains("diff=willai"))
        .expect("the README gives the .gitattributes line")
        .to_string();
    let config = readme
        .lines()
        .find(|l| l.starts_with("git config diff.willai.textconv "))
        .expect("the README gives the git config line")
        .to_string();
    (attributes, config)
}

/// The README's `git config` line run as a shell runs it (its quotes are the shell's).
fn configure_textconv(p: &Project, config: &str) {
    let status = Command::new("sh")
        .arg("-c")
        .arg(config)
        .current_dir(p.root())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", p.git_config())
        .status()
        .unwrap();
    assert!(status.success(), "{config}");
}

/// A `PATH` with the binary under test as `willai`, then the system's.
fn path_with_willai(p: &Project) -> std::ffi::OsString {
    let bin = p.path(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("willai"), bin.join("willai")).unwrap();
    let mut path = bin.into_os_string();
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    path
}

#[test]
fn the_readme_lines_make_git_diff_log_and_show_read_records_as_prose() {
    let (p, _server) = committed();
    let (attributes, config) = readme_setup();
    p.write(".gitattributes", &format!("{attributes}\n"));
    configure_textconv(&p, &config);
    git(&p, &["add", ".gitattributes"]);
    git(&p, &["commit", "-q", "-m", "textconv"]);
    let with_willai = path_with_willai(&p);
    let git = |p: &Project, args: &[&str]| git_with_path(p, args, Some(&with_willai));

    edited(&p);
    let diff = git(&p, &["diff", "--", "data/records/widget-makers.json"]);
    assert!(diff.contains("\n-  level: HIGH (confidence 0."), "{diff}");
    assert!(diff.contains("\n+  level: LOW\n"), "{diff}");
    assert!(
        diff.contains("\n+  rationale: AI sorts most widgets by colour.\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n-  rationale: AI sorts the widgets by colour.\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+  status: approved by Ann Editor on 2026-11-20\n"),
        "{diff}"
    );
    assert!(!diff.contains("\"level\""), "no JSON in the diff:\n{diff}");

    git(&p, &["commit", "-q", "-am", "reviewed"]);
    let log = git(
        &p,
        &["log", "-p", "-1", "--", "data/records/widget-makers.json"],
    );
    assert!(log.contains("\n+  level: LOW\n"), "{log}");
    let show = git(
        &p,
        &["show", "HEAD", "--", "data/records/widget-makers.json"],
    );
    assert!(
        show.contains("\n-skill letter-writing: Letter writing\n"),
        "{show}"
    );
}

/// Where willai is not installed, the README's driver shows the raw file: `git diff`
/// works (exit 0) and shows the JSON, instead of failing with "willai: not found".
#[test]
fn the_readme_driver_degrades_to_the_raw_file_without_willai_on_the_path() {
    let (p, _server) = committed();
    let (attributes, config) = readme_setup();
    p.write(".gitattributes", &format!("{attributes}\n"));
    configure_textconv(&p, &config);
    git(&p, &["add", ".gitattributes"]);
    git(&p, &["commit", "-q", "-m", "textconv"]);
    edited(&p);
    // A PATH with git and a shell, and no willai anywhere on it.
    let bare = std::env::var_os("PATH").unwrap_or_default();
    assert!(
        std::env::split_paths(&bare).all(|d| !d.join("willai").exists()),
        "the test needs a PATH without willai"
    );
    let diff = git_with_path(
        &p,
        &["diff", "--", "data/records/widget-makers.json"],
        Some(&bare),
    );
    assert!(diff.contains("\n+      \"level\": \"LOW\",\n"), "{diff}");
    assert!(!diff.contains("level: LOW"), "{diff}");
    let show = git_with_path(
        &p,
        &["log", "-p", "--", "data/records/widget-makers.json"],
        Some(&bare),
    );
    assert!(show.contains("\"profession\": \"widget-makers\""), "{show}");
    // The line `willai init` writes into .gitattributes is this one.
    let init = std::fs::read_to_string(repo().join("src/init/gitattributes")).unwrap();
    let value = config
        .strip_prefix("git config diff.willai.textconv ")
        .unwrap();
    assert!(init.contains(value), "{init}");
}

/// `willai diff` says when an approval no longer holds after a hand edit.
#[test]
fn diff_says_an_approval_no_longer_holds_after_a_hand_edit() {
    let (p, _server) = committed();
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-11-20",
        ]),
        0,
    );
    git(&p, &["commit", "-q", "-am", "approved"]);
    set_task(&p, "sort-widgets", |t| t["level"] = "LOW".into());
    let r = run_ok(p.willai().arg("diff"), 0);
    assert!(r.stdout.contains("level: HIGH -> LOW"), "{}", r.stdout);
    assert!(
        r.stdout.contains("approval by Ann Editor on 2026-11-20 no longer holds: the text changed since it was approved"),
        "{}",
        r.stdout
    );
    let md = run_ok(p.willai().args(["diff", "--markdown"]), 0).stdout;
    assert!(md.contains("no longer holds"), "{md}");
    let json: Value =
        serde_json::from_str(&run_ok(p.willai().args(["diff", "--json"]), 0).stdout).unwrap();
    let widgets = json["professions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["profession"] == "widget-makers")
        .unwrap();
    let fields = &widgets["items"][0]["fields"];
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "approval" && f["note"] == "no longer holds"),
        "{fields}"
    );
    // Approved again: the line goes.
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-11-21",
        ]),
        0,
    );
    let r = run_ok(p.willai().arg("diff"), 0);
    assert!(!r.stdout.contains("no longer holds"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("approved again by Ann Editor on 2026-11-21"),
        "{}",
        r.stdout
    );
}

/// A record in git's history past the 16 MiB willai reads of one file is named with its
/// size, never read into memory, and the other records are still compared.
#[test]
fn a_committed_record_over_the_cap_is_named_not_read() {
    let (p, _server) = committed();
    let good = p.read("data/records/widget-makers.json");
    let cap = 16 * 1024 * 1024;
    let mut huge = good.clone().into_bytes();
    huge.resize(cap + 1, b' ');
    std::fs::write(p.path("data/records/widget-makers.json"), &huge).unwrap();
    git(&p, &["add", "data/records/widget-makers.json"]);
    git(&p, &["commit", "-q", "-m", "a record padded past the cap"]);
    p.write("data/records/widget-makers.json", &good);
    let r = run_ok(p.willai().arg("diff"), 1);
    assert!(
        r.stdout.contains(&format!(
            "{} bytes, over the 16 MiB willai reads of one record",
            cap + 1
        )),
        "{}",
        r.stdout
    );
    // The untracked ml-engineer record is still there to tell.
    assert!(r.stdout.contains("ml-engineer"), "{}", r.stdout);
}

//! `willai validate --format github|gitlab|json`: every problem at the line and column of
//! the key or value it names, checked here independently of `willai::locate` (by reading
//! the text at that place), over every invalid fixture: schema problems, lifecycle
//! problems (edited after approval), syntax errors, repeated keys. And `validate`/`fmt`
//! name a repeated key with its line.

use std::fs;

use serde_json::Value;

use crate::util::{repo, run_ok};
use crate::validate::valid_project;

/// One parsed `::error file=F,line=N,col=M::message` line.
#[derive(Debug)]
struct Annotation {
    file: String,
    line: usize,
    col: usize,
    message: String,
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn annotations(stdout: &str) -> Vec<Annotation> {
    stdout
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("::error ")
                .unwrap_or_else(|| panic!("not a workflow command: {l}"));
            let (props, message) = rest.split_once("::").unwrap();
            let mut file = None;
            let mut line = None;
            let mut col = None;
            for kv in props.split(',') {
                let (k, v) = kv.split_once('=').unwrap();
                match k {
                    "file" => file = Some(unescape(v)),
                    "line" => line = Some(v.parse().unwrap()),
                    "col" => col = Some(v.parse().unwrap()),
                    other => panic!("unexpected property {other} in {l}"),
                }
            }
            Annotation {
                file: file.unwrap(),
                line: line.unwrap(),
                col: col.unwrap(),
                message: unescape(message),
            }
        })
        .collect()
}

/// The text from a 1-based line and character column on.
fn text_at(text: &str, line: usize, col: usize) -> String {
    let l = text
        .split('\n')
        .nth(line - 1)
        .unwrap_or_else(|| panic!("no line {line}"));
    let rest: String = l.chars().skip(col - 1).collect();
    let below: Vec<&str> = text.split('\n').skip(line).collect();
    format!("{rest}\n{}", below.join("\n"))
}

/// Checks that the text at an annotation is what its JSON pointer names: the key of an
/// object member (`"level": ...`), or the value of an array element; a pointer to
/// something absent (a missing field) is named at its nearest present parent.
fn assert_names(text: &str, value: &Value, pointer: &str, a: &Annotation) {
    let mut p = pointer.to_string();
    while value.pointer(&p).is_none() {
        p.truncate(p.rfind('/').expect("the root is always there"));
    }
    let here = text_at(text, a.line, a.col);
    if p.is_empty() {
        assert!(here.trim_start().starts_with('{'), "{a:?}");
        return;
    }
    let (parent, token) = p.rsplit_once('/').unwrap();
    let token = token.replace("~1", "/").replace("~0", "~");
    if value.pointer(parent).is_some_and(Value::is_object) {
        let key = serde_json::to_string(&token).unwrap();
        assert!(
            here.starts_with(&format!("{key}:")),
            "{a:?} should be at the key {key} of {pointer}, is at {:?}",
            &here[..here.len().min(60)]
        );
    } else {
        let mut read = serde_json::Deserializer::from_str(&here).into_iter::<Value>();
        let found = read.next().unwrap().unwrap();
        assert_eq!(&found, value.pointer(&p).unwrap(), "{a:?}");
    }
}

#[test]
fn annotations_land_on_the_keys_they_name_in_every_invalid_fixture() {
    let mut kinds = std::collections::BTreeSet::new();
    for case in crate::validate::invalid_cases() {
        let p = valid_project();
        crate::validate::overlay(&case, p.root());
        let text = run_ok(p.willai().arg("validate"), 1).stdout;
        let github = run_ok(p.willai().args(["validate", "--format", "github"]), 1).stdout;
        let json = run_ok(p.willai().args(["validate", "--format", "json"]), 1).stdout;
        let found = annotations(&github);
        let problems: Vec<Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(found.len(), text.lines().count(), "{}", case.display());
        assert_eq!(found.len(), problems.len());
        for (a, problem) in found.iter().zip(&problems) {
            let location = problem["location"].as_str().unwrap();
            assert_eq!(a.file, problem["path"], "{a:?}");
            assert_eq!(a.line, problem["line"].as_u64().unwrap() as usize);
            assert_eq!(a.col, problem["column"].as_u64().unwrap() as usize);
            let body = fs::read_to_string(p.path(&a.file)).unwrap();
            match serde_json::from_str::<Value>(&body) {
                Err(e) => {
                    // A syntax error: where serde_json itself stops (ASCII fixtures, so
                    // its byte column is the character column).
                    assert_eq!((a.line, a.col), (e.line(), e.column()), "{a:?}");
                    assert!(a.message.contains("fix the JSON syntax"), "{a:?}");
                    kinds.insert("syntax");
                }
                Ok(_) if a.message.starts_with("duplicate key") => {
                    let key = a.message.split('"').nth(1).unwrap();
                    assert!(
                        text_at(&body, a.line, a.col).starts_with(&format!("\"{key}\":")),
                        "{a:?}"
                    );
                    kinds.insert("duplicate");
                }
                Ok(_) if a.message.starts_with("not in canonical formatting") => {
                    let line = a.message.split("at line ").nth(1).unwrap();
                    assert!(line.starts_with(&format!("{})", a.line)), "{a:?}");
                    kinds.insert("canonical");
                }
                Ok(value) => {
                    assert!(location.starts_with('/'), "{problem}");
                    assert!(
                        a.message.starts_with(&format!("{location}: ")),
                        "the message names its pointer: {a:?}"
                    );
                    assert_names(&body, &value, location, a);
                    if a.message.contains("edited after approval") {
                        kinds.insert("lifecycle");
                    } else {
                        kinds.insert("schema and integrity");
                    }
                }
            }
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "canonical",
            "duplicate",
            "lifecycle",
            "schema and integrity",
            "syntax"
        ],
        "every kind of problem was checked"
    );
}

#[test]
fn validate_and_fmt_name_a_repeated_key_and_its_line() {
    let p = valid_project();
    crate::validate::overlay(
        &repo().join("tests/fixtures/invalid/duplicate-key"),
        p.root(),
    );
    let file = "data/records/widget-makers.json";
    let before = p.read(file);
    let lines: Vec<usize> = before
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("      \"tip\": \"Keep"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 2, "the fixture repeats `tip`");
    let (first, again) = (lines[0], lines[1]);
    let want =
        format!("{file}:{again}:7: duplicate key \"tip\" in /tasks/1 (first on line {first})");
    let v = run_ok(p.willai().arg("validate"), 1);
    assert!(v.stdout.contains(&want), "{}", v.stdout);
    assert!(
        !v.stdout.contains("canonical formatting"),
        "the repetition is the problem, said once: {}",
        v.stdout
    );
    for args in [&["fmt", "--check"][..], &["fmt"]] {
        let f = run_ok(p.willai().args(args), 1);
        assert!(f.stdout.contains(&want), "{}", f.stdout);
        assert!(
            f.stdout.contains("then run `willai fmt` again"),
            "{}",
            f.stdout
        );
        assert!(f.stderr.contains("1 file(s) do not parse"), "{}", f.stderr);
    }
    assert_eq!(
        p.read(file),
        before,
        "fmt keeps both until an editor chooses"
    );
    // The commands that read records name it too (not the end of the object).
    let s = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 1);
    assert!(
        s.all()
            .contains(&format!("{again}:7: duplicate key \"tip\"")),
        "{}",
        s.all()
    );
    // In a catalog file, at the top level, with an escaped spelling of the same key.
    let cat = "data/catalog/widget-makers.json";
    let text = p.read(cat);
    p.write(
        cat,
        &text.replacen("{\n", "{\n  \"n\\u0061me\": \"Widget folk\",\n", 1),
    );
    let v = run_ok(p.willai().arg("validate"), 1);
    assert!(
        v.stdout.contains(&format!("{cat}:"))
            && v.stdout
                .contains("duplicate key \"name\" in the top-level object"),
        "{}",
        v.stdout
    );
}

#[test]
fn paths_are_relative_to_the_checkout_and_text_cannot_forge_a_command() {
    let outer = tempfile::tempdir().unwrap();
    let p = valid_project();
    // The project as a folder of a bigger repository.
    let sub = outer.path().join("content");
    crate::util::copy_dir(p.root(), &sub);
    let rec = sub.join("data/records/widget-makers.json");
    let text = fs::read_to_string(&rec).unwrap();
    let evil = "x\n::error file=README.md,line=1::forged, 100%";
    let key = serde_json::to_string(evil).unwrap();
    fs::write(
        &rec,
        text.replacen(
            "\"level\": \"HIGH\",",
            &format!("\"level\": \"HIGH\",\n      {key}: 1,"),
            1,
        ),
    )
    .unwrap();
    let r = run_ok(
        p.willai()
            .env("WILLAI_ROOT", &sub)
            .env("GITHUB_WORKSPACE", outer.path())
            .args(["validate", "--format", "github"]),
        1,
    );
    let found = annotations(&r.stdout);
    assert!(!found.is_empty());
    for a in &found {
        assert_eq!(a.file, "content/data/records/widget-makers.json", "{a:?}");
    }
    assert!(
        !r.stdout
            .lines()
            .any(|l| l.starts_with("::error file=README.md")),
        "{}",
        r.stdout
    );
    let forged = found
        .iter()
        .find(|a| a.message.contains("unknown field"))
        .expect("the unknown field is reported");
    assert!(forged.message.contains(evil), "{forged:?}");
    assert!(r.stdout.contains("forged%2C 100%25") || r.stdout.contains("forged, 100%25"));
    assert_eq!(forged.line, 9, "{forged:?}");

    // GitLab: a Code Quality report, paths from CI_PROJECT_DIR, lines as GitHub's.
    let g = run_ok(
        p.willai()
            .env("WILLAI_ROOT", &sub)
            .env("CI_PROJECT_DIR", outer.path())
            .args(["validate", "--format", "gitlab"]),
        1,
    );
    let report: Vec<Value> = serde_json::from_str(&g.stdout).unwrap();
    assert_eq!(report.len(), found.len());
    for (issue, a) in report.iter().zip(&found) {
        assert_eq!(issue["location"]["path"], a.file.as_str());
        assert_eq!(issue["location"]["lines"]["begin"], a.line);
        assert_eq!(issue["description"], a.message.as_str());
        assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 64);
    }
    // A valid project: an empty report (the file CI keeps still parses), exit 0.
    let ok = valid_project();
    let g = run_ok(ok.willai().args(["validate", "--format", "gitlab"]), 0);
    assert_eq!(g.stdout.trim(), "[]");
    let g = run_ok(ok.willai().args(["validate", "--format", "github"]), 0);
    assert_eq!(g.stdout, "");
    let both = crate::util::run(
        ok.willai()
            .args(["validate", "--json", "--format", "github"]),
    );
    assert_eq!(both.code, 2, "{}", both.stderr);
}

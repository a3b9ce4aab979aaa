//! `willai validate`, `willai fmt` and `willai schema`: the files' integrity and form
//! (catalog, records and audits).

use std::fs;

use crate::annotate;
use crate::audit::{self, Audit};
use crate::beneath;
use crate::catalog::{self, Occupation, Problem};
use crate::cli::{FmtArgs, SchemaArgs, ValidateArgs, ValidateFormat};
use crate::exit::problems;
use crate::fsx;
use crate::project::Project;
use crate::record::{self, Record};
use crate::schema;
use crate::validate;

pub fn validate(project: &Project, args: &ValidateArgs) -> anyhow::Result<()> {
    let report = validate::validate(&project.root)?;
    let format = if args.json {
        ValidateFormat::Json
    } else {
        args.format
    };
    print!("{}", render(project, &report.problems, format));
    if report.problems.is_empty() {
        eprintln!("validate: {} file(s), no problems", report.files);
        Ok(())
    } else {
        Err(problems(format!(
            "validate: {} problem(s) in {} file(s) checked",
            report.problems.len(),
            report.files
        )))
    }
}

/// The problems as `format` prints them (a GitLab report is printed when empty too, so
/// the file CI keeps always parses).
fn render(project: &Project, found: &[Problem], format: ValidateFormat) -> String {
    if format == ValidateFormat::Text {
        return found.iter().map(|p| format!("{p}\n")).collect();
    }
    let root = project.root.dir();
    // Only the files with problems are read again, capped like any data file.
    let read = |path: &str| annotate_text(project, &root.join(path));
    // The path as the CI system names it: relative to its checkout, where willai's root
    // is a folder inside the repository.
    let workspace = match format {
        ValidateFormat::Github => std::env::var_os("GITHUB_WORKSPACE"),
        ValidateFormat::Gitlab => std::env::var_os("CI_PROJECT_DIR"),
        _ => None,
    }
    .and_then(|w| fs::canonicalize(w).ok());
    let root_real = fs::canonicalize(root).ok();
    let shown = |path: &str| -> String {
        let (Some(ws), Some(real)) = (&workspace, &root_real) else {
            return path.to_string();
        };
        real.join(path)
            .strip_prefix(ws)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.to_string())
    };
    let placed = annotate::place(found, &read, &shown);
    match format {
        ValidateFormat::Github => placed.iter().map(|a| annotate::github(a) + "\n").collect(),
        ValidateFormat::Gitlab => annotate::gitlab(&placed),
        _ => found
            .iter()
            .zip(&placed)
            .map(|(p, a)| {
                serde_json::json!({
                    "path": p.path,
                    "location": p.location,
                    "message": p.message,
                    "line": a.at.line,
                    "column": a.at.column,
                })
                .to_string()
                    + "\n"
            })
            .collect(),
    }
}

/// The text of a data file for placing its problems: a regular file of the project,
/// reached through no link and within the cap of a data file, else `None` (its
/// problems go to line 1).
fn annotate_text(project: &Project, path: &std::path::Path) -> Option<String> {
    let bytes = project
        .root
        .read(path, beneath::MAX_TEXT, "data file")
        .ok()??;
    String::from_utf8(bytes).ok()
}

/// The canonical text of a data file, or the problem that keeps it from parsing.
fn canonical_text(
    project: &Project,
    path: &std::path::Path,
    text: &str,
) -> Result<String, Problem> {
    let shown = project.root.display(path);
    let is_record = path.starts_with(project.root.records_dir());
    let parsed = if path.starts_with(project.root.audits_dir()) {
        catalog::parse_strict::<Audit>(text).map(|mut a| {
            a.schema = Some(audit::file::SCHEMA_REF.to_string());
            a.to_canonical()
        })
    } else if is_record {
        catalog::parse_strict::<Record>(text).map(|mut r| {
            r.schema = Some(record::SCHEMA_REF.to_string());
            r.to_canonical()
        })
    } else {
        catalog::parse_strict::<Occupation>(text).map(|mut o| {
            o.schema = Some(catalog::SCHEMA_REF.to_string());
            crate::canonical::pretty(&o)
        })
    };
    parsed.map_err(|(location, message)| Problem {
        path: shown,
        location,
        message: format!("{message}: fix it by hand, then run `willai fmt` again"),
    })
}

pub fn fmt(project: &Project, args: &FmtArgs) -> anyhow::Result<()> {
    let _lock = if args.check {
        None
    } else {
        Some(project.lock("fmt")?)
    };
    let mut changed = Vec::new();
    let mut broken = Vec::new();
    let (files, skipped) = validate::data_files(&project.root)?;
    broken.extend(skipped);
    for path in &files {
        let bytes = match project.root.read(path, beneath::MAX_TEXT, "data file") {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(e) => {
                broken.push(Problem {
                    path: project.root.display(path),
                    location: String::new(),
                    message: e.reason(),
                });
                continue;
            }
        };
        // A byte-order mark is removed (the file is rewritten without it); bytes that are
        // not UTF-8 are a problem to fix by hand, named with their line and column.
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = match fsx::decode(body) {
            Ok(text) => text,
            Err(e) => {
                broken.push(Problem {
                    path: project.root.display(path),
                    location: e.location,
                    message: e.message,
                });
                continue;
            }
        };
        // A repeated key: which one to keep is the editor's choice, not fmt's.
        let repeated = validate::duplicate_keys(&project.root.display(path), text);
        if !repeated.is_empty() {
            broken.extend(repeated.into_iter().map(|mut p| {
                p.message.push_str("; then run `willai fmt` again");
                p
            }));
            continue;
        }
        match canonical_text(project, path, text) {
            Ok(canonical) if canonical.as_bytes() == bytes.as_slice() => {}
            Ok(canonical) => {
                if !args.check {
                    project
                        .root
                        .write_atomic(path, canonical.as_bytes(), true)?;
                }
                changed.push(project.root.display(path));
            }
            Err(p) => broken.push(p),
        }
    }
    for p in &broken {
        println!("{p}");
    }
    for f in &changed {
        println!(
            "{} {f}",
            if args.check {
                "not canonical:"
            } else {
                "formatted:"
            }
        );
    }
    if !broken.is_empty() {
        let files: std::collections::BTreeSet<&str> =
            broken.iter().map(|p| p.path.as_str()).collect();
        return Err(problems(format!(
            "{} file(s) do not parse and were left as they are",
            files.len()
        )));
    }
    if args.check && !changed.is_empty() {
        return Err(problems(format!(
            "{} file(s) are not in canonical formatting: run `willai fmt`",
            changed.len()
        )));
    }
    if changed.is_empty() {
        eprintln!("fmt: {} file(s), all canonical", files.len());
    }
    Ok(())
}

pub fn schema(project: &Project, args: &SchemaArgs) -> anyhow::Result<()> {
    let mut stale = 0;
    for (name, text) in schema::files() {
        let path = project.root.schema_dir().join(name);
        let shown = project.root.display(&path);
        if args.check {
            let committed = project.root.read(&path, beneath::MAX_TEXT, "schema file");
            if !matches!(committed, Ok(Some(ref b)) if b == text.as_bytes()) {
                stale += 1;
                println!("out of date: {shown}");
            }
        } else if project.root.write_if_changed(&path, text.as_bytes())? {
            println!("wrote {shown}");
        } else {
            println!("unchanged {shown}");
        }
    }
    if stale > 0 {
        return Err(problems(
            "the schemas in data/schema/ are out of date: run `willai schema`",
        ));
    }
    Ok(())
}

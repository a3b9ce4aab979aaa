//! `willai diff --markdown` for a pull request: a Markdown page that fits where it goes
//! however large the change. A job summary holds 1 MiB and a comment 65,536 characters;
//! a redraft of every O*NET occupation changes 19,265 tasks, far more than either. So
//! the counts come first (what kind of changes, and how levels moved), then, when the
//! whole page would not fit, the level changes as a table (the changes a reader of the
//! site sees first), then as many items as fit, whole, in file order, and a last line
//! that says how many are left out and the command that shows them all.
//!
//! Sizes are counted in bytes of UTF-8, which are never fewer than the characters or
//! UTF-16 units GitHub counts, after the text is made visible (`text::visible`), exactly
//! as it is printed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::render::{self, Form};
use super::{FieldDiff, FileChange, ItemChange, ItemDiff, RevisionDiff};
use crate::text::thousands;

/// The budget when none is given: under a comment's 65,536 characters, with room for a
/// workflow to add a line of its own.
pub const DEFAULT_MAX_BYTES: usize = 60_000;

/// The smallest budget accepted: the header, the counts and the last line always fit.
pub const MIN_MAX_BYTES: usize = 2_000;

/// What one item's change amounts to, for the counts.
#[derive(Default)]
struct Kinds {
    new: usize,
    removed: usize,
    level: usize,
    approved: usize,
    withdrawn: usize,
    edited: usize,
    redrafted: usize,
    /// `OLD → NEW` for each level (or verdict) that moved, with how many.
    moves: BTreeMap<String, usize>,
}

fn level_move(f: &FieldDiff) -> Option<(&str, &str)> {
    if !matches!(f.field, "level" | "verdict") {
        return None;
    }
    Some((f.old.as_str()?, f.new.as_str()?)).filter(|(o, n)| o != n)
}

impl Kinds {
    fn of(r: &RevisionDiff) -> Kinds {
        let mut k = Kinds::default();
        for i in r.professions.iter().flat_map(|p| &p.items) {
            match i.change {
                ItemChange::Added => k.new += 1,
                ItemChange::Removed => k.removed += 1,
                ItemChange::Modified => {}
            }
            if i.change != ItemChange::Modified {
                continue;
            }
            let (mut level, mut edited, mut redrafted) = (false, false, false);
            for f in &i.fields {
                if let Some((o, n)) = level_move(f) {
                    level = true;
                    *k.moves.entry(format!("{o} → {n}")).or_default() += 1;
                }
                match (f.field, f.note) {
                    ("level" | "verdict" | "status", _) => {}
                    ("approval", Some("withdrawn")) => k.withdrawn += 1,
                    ("approval", _) => k.approved += 1,
                    ("machine" | "proposal" | "error", _) => redrafted = true,
                    _ => edited = true,
                }
            }
            k.level += usize::from(level);
            k.edited += usize::from(edited);
            k.redrafted += usize::from(redrafted);
        }
        k
    }

    /// The counts as a list, the non-zero ones only.
    fn lines(&self, r: &RevisionDiff) -> String {
        let mut out = String::new();
        let files = |c: FileChange| r.professions.iter().filter(|p| p.change == c).count();
        let mut moves: Vec<(&String, &usize)> = self.moves.iter().collect();
        moves.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let moves: Vec<String> = moves
            .iter()
            .map(|(m, n)| format!("{m}: {}", thousands(**n)))
            .collect();
        for (n, what, more) in [
            (self.level, "level or verdict changed", moves.join(", ")),
            (self.new, "new tasks or skills", String::new()),
            (self.removed, "removed tasks or skills", String::new()),
            (self.approved, "approved", String::new()),
            (self.withdrawn, "approval withdrawn", String::new()),
            (self.edited, "text edited", String::new()),
            (
                self.redrafted,
                "redrafted, proposed or failed",
                String::new(),
            ),
            (files(FileChange::Added), "new record files", String::new()),
            (
                files(FileChange::Removed),
                "record files removed",
                String::new(),
            ),
            (
                files(FileChange::Unreadable),
                "record files that cannot be compared (see `willai validate`)",
                String::new(),
            ),
        ] {
            if n == 0 {
                continue;
            }
            let _ = write!(out, "- {what}: **{}**", thousands(n));
            if !more.is_empty() {
                let _ = write!(out, " ({more})");
            }
            out.push('\n');
        }
        out
    }
}

fn visible(s: String) -> String {
    crate::text::visible(&s).into_owned()
}

/// A page being filled up to a budget, with room kept for the last line.
struct Page {
    out: String,
    limit: usize,
}

impl Page {
    /// Adds `block` if it fits; says whether it did.
    fn add(&mut self, block: &str) -> bool {
        if self.out.len() + block.len() > self.limit {
            return false;
        }
        self.out.push_str(block);
        true
    }
}

/// Room kept for the last line (it names the revision, which is at most a few hundred
/// bytes long).
fn trailer_room(rev: &str) -> usize {
    400 + rev.len()
}

/// The report as Markdown within `max_bytes` (at least [`MIN_MAX_BYTES`]).
pub fn markdown(r: &RevisionDiff, max_bytes: usize) -> String {
    let max_bytes = max_bytes.max(MIN_MAX_BYTES);
    let full = visible(render::render(r, Form::Markdown));
    let (head, body) = full.split_once('\n').unwrap_or((&full, ""));
    let kinds = Kinds::of(r);
    let counts = visible(kinds.lines(r));
    let top = if counts.is_empty() {
        format!("{head}\n")
    } else {
        format!("{head}\n\n{counts}")
    };
    let whole = format!("{top}{body}");
    if whole.len() <= max_bytes {
        return whole;
    }
    let mut page = Page {
        out: top,
        limit: max_bytes.saturating_sub(trailer_room(&r.rev)),
    };
    let form = Form::Markdown;

    // The level changes, one row each.
    let mut levels_left = 0;
    if kinds.level > 0 {
        page.add("\n#### Level changes\n\n| record | item | level |\n| --- | --- | --- |\n");
        for p in &r.professions {
            for i in &p.items {
                for f in i.fields.iter().filter(|f| level_move(f).is_some()) {
                    let (o, n) = level_move(f).unwrap_or_default();
                    let row = visible(format!(
                        "| {} | {} | {o} {} **{n}** |\n",
                        form.esc(&p.profession),
                        row_title(i),
                        form.arrow()
                    ));
                    if levels_left > 0 || !page.add(&row) {
                        levels_left += 1;
                    }
                }
            }
        }
    }

    // Then every item as in the full page, whole, until the budget runs out.
    let mut items_left = 0;
    let mut files_left = 0;
    let mut full_stop = false;
    for p in &r.professions {
        let (heading, items) = render::markdown_profession(p, render::file_note(p).as_deref());
        let heading = visible(format!("\n{heading}"));
        let mut shown_any = false;
        for item in items {
            let item = visible(item);
            if !full_stop {
                let block = if shown_any {
                    item.clone()
                } else {
                    format!("{heading}{item}")
                };
                if page.add(&block) {
                    shown_any = true;
                    continue;
                }
                full_stop = true;
            }
            items_left += 1;
        }
        if p.items.is_empty() && !full_stop {
            // A file without items (unreadable): its heading and why.
            if page.add(&heading) {
                continue;
            }
            full_stop = true;
        }
        if !shown_any {
            files_left += 1;
        }
    }
    let mut out = page.out;
    let _ = write!(
        out,
        "\n---\n_Not shown, to keep this page under {} bytes: {}. Run `willai diff {}` in a checkout of this branch to see every change (`--json` for scripts)._\n",
        thousands(max_bytes),
        left_out(levels_left, items_left, files_left),
        r.rev.replace('`', "")
    );
    visible(out)
}

/// A task's or skill's name in a table cell.
fn row_title(i: &ItemDiff) -> String {
    let form = Form::Markdown;
    let title = form.esc(&i.title);
    if i.kind == crate::record::Kind::Skill {
        format!("{title} (skill)")
    } else {
        title
    }
}

fn left_out(levels: usize, items: usize, files: usize) -> String {
    let mut parts = Vec::new();
    if levels > 0 {
        parts.push(format!("{} more level change(s)", thousands(levels)));
    }
    if items > 0 {
        let mut p = format!("the details of {} more item(s)", thousands(items));
        if files > 0 {
            let _ = write!(p, " ({} record file(s) not at all)", thousands(files));
        }
        parts.push(p);
    }
    if parts.is_empty() {
        "nothing of the items".to_string()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{ProfessionDiff, RevisionDiff};
    use super::*;
    use crate::record::Kind;

    fn item(id: usize, old: &str, new: &str, words: &[crate::words::Piece]) -> ItemDiff {
        let level = FieldDiff::new("level", json!(old), json!(new));
        let mut rationale = FieldDiff::new("rationale", json!("old"), json!("new"));
        rationale.words = Some(words.to_vec());
        ItemDiff {
            kind: Kind::Task,
            id: format!("task-{id}"),
            title: format!("Task number {id} | with *marks*"),
            change: ItemChange::Modified,
            fields: vec![level, rationale],
        }
    }

    fn report(professions: usize, items: usize) -> RevisionDiff {
        let words = crate::words::diff("old", "new words ".repeat(40).trim_end());
        RevisionDiff {
            rev: "abc123".into(),
            commit: "abc123def4567890".into(),
            professions: (0..professions)
                .map(|p| ProfessionDiff {
                    profession: format!("prof-{p:05}"),
                    file: format!("data/records/prof-{p:05}.json"),
                    change: FileChange::Modified,
                    error: None,
                    items: (0..items)
                        .map(|i| {
                            let (o, n) = if i % 3 == 0 {
                                ("HIGH", "HIGH")
                            } else if i % 3 == 1 {
                                ("HIGH", "LOW")
                            } else {
                                ("LOW", "MEDIUM")
                            };
                            item(i, o, n, &words)
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_small_change_is_shown_whole_after_its_counts() {
        let r = report(1, 3);
        let md = markdown(&r, DEFAULT_MAX_BYTES);
        assert!(md.starts_with("**willai diff** `abc123`"), "{md}");
        assert!(
            md.contains("- level or verdict changed: **2** (HIGH → LOW: 1, LOW → MEDIUM: 1)\n"),
            "{md}"
        );
        assert!(md.contains("- text edited: **3**\n"), "{md}");
        assert!(!md.contains("Not shown"), "{md}");
        assert!(
            !md.contains("#### Level changes"),
            "no table when all fits: {md}"
        );
        assert_eq!(md.matches("\n- **Task number").count(), 3, "{md}");
        assert!(md.contains("Task number 0 \\| with \\*marks\\*"), "{md}");
    }

    #[test]
    fn a_huge_change_is_cut_to_fit_levels_first_and_says_how_many_are_left() {
        // 19,300 items, each a few hundred bytes: megabytes in full.
        let r = report(965, 20);
        let full = render::render(&r, Form::Markdown);
        assert!(full.len() > 2 << 20, "{}", full.len());
        for max in [MIN_MAX_BYTES, 65_536, 1 << 20] {
            let md = markdown(&r, max);
            assert!(md.len() <= max, "{} > {max}", md.len());
            assert!(md.contains("- level or verdict changed: **12,545** (HIGH → LOW: 6,755, LOW → MEDIUM: 5,790)"), "{}", &md[..600]);
            assert!(
                md.contains("run `willai diff abc123`") || md.contains("Run `willai diff abc123`"),
                "{}",
                &md[md.len() - 600..]
            );
            // Whatever is left out is counted: rows shown + rows left = level changes.
            let rows = md.matches(" **LOW** |\n").count() + md.matches(" **MEDIUM** |\n").count();
            let left: usize = md
                .split("Not shown, to keep this page under ")
                .nth(1)
                .and_then(|t| t.split(": ").nth(1))
                .and_then(|t| t.split(" more level change").next())
                .map_or(0, |n| n.replace(',', "").parse().unwrap_or(0));
            assert_eq!(rows + left, 12_545, "max {max}");
            // Items are whole: every item shown has its rationale line.
            let items = md.matches("\n- **Task number").count();
            assert_eq!(md.matches("  - rationale: ").count(), items, "max {max}");
            if max == 1 << 20 {
                assert_eq!(left, 0, "a MiB holds the whole table");
                assert!(items > 0);
                assert!(
                    md.contains(&format!(
                        "the details of {} more item(s) (",
                        thousands(965 * 20 - items)
                    )),
                    "{}",
                    &md[md.len() - 400..]
                );
            }
        }
    }

    #[test]
    fn control_characters_are_shown_and_counted_before_cutting() {
        let mut r = report(200, 20);
        r.professions[0].items[1].title = "\u{1b}[2J\u{1b}[2J\u{1b}[2J\nTitle\r\n# heading".into();
        let md = markdown(&r, 5_000);
        assert!(md.len() <= 5_000, "{}", md.len());
        assert!(!md.contains('\u{1b}'));
        assert!(md.contains("\\u001b\\[2J"), "{md}");
        assert!(!md.contains("\n# heading"), "{md}");
    }
}

//! Two versions of a record into the changes people care about: per item (matched by
//! kind and id), per field, in the words of the lifecycle: a level that moved, a text's
//! word diff, tools added and removed, a status or approval that changed, a proposal that
//! arrived, was accepted or dropped, a redraft.

use serde_json::{Value, json};

use super::{FieldDiff, ItemChange, ItemDiff};
use crate::record::{Content, Entry, Kind, Machine, Record, SkillContent, TaskContent};
use crate::words;

/// The fields of one kind's text, compared.
pub trait Fields: Content {
    /// The changes from `old` to `new` (either may be empty: a new or removed item).
    fn changes(old: &Self, new: &Self) -> Vec<FieldDiff>;
    /// The title of an item, from its text (a task's drafted title, a skill's name).
    fn title(&self) -> Option<&str>;
}

fn text(field: &'static str, old: Option<&str>, new: Option<&str>) -> Option<FieldDiff> {
    if old == new {
        return None;
    }
    let mut d = FieldDiff::new(field, json!(old), json!(new));
    d.words = Some(words::diff(old.unwrap_or(""), new.unwrap_or("")));
    Some(d)
}

fn value<T: serde::Serialize + PartialEq>(
    field: &'static str,
    old: &T,
    new: &T,
) -> Option<FieldDiff> {
    (old != new).then(|| FieldDiff::new(field, json!(old), json!(new)))
}

impl Fields for TaskContent {
    fn changes(old: &Self, new: &Self) -> Vec<FieldDiff> {
        let mut out = Vec::new();
        out.extend(text("title", old.title.as_deref(), new.title.as_deref()));
        out.extend(value("level", &old.level, &new.level));
        out.extend(text(
            "rationale",
            old.rationale.as_deref(),
            new.rationale.as_deref(),
        ));
        let (a, b) = (
            old.tools.as_deref().unwrap_or_default(),
            new.tools.as_deref().unwrap_or_default(),
        );
        if a != b {
            let mut d = FieldDiff::new("tools", json!(a), json!(b));
            d.added = Some(b.iter().filter(|t| !a.contains(t)).cloned().collect());
            d.removed = Some(a.iter().filter(|t| !b.contains(t)).cloned().collect());
            if d.added.as_ref().is_some_and(Vec::is_empty)
                && d.removed.as_ref().is_some_and(Vec::is_empty)
            {
                d.note = Some("reordered");
            }
            out.push(d);
        }
        out.extend(text("tip", old.tip.as_deref(), new.tip.as_deref()));
        out
    }

    fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }
}

impl Fields for SkillContent {
    fn changes(old: &Self, new: &Self) -> Vec<FieldDiff> {
        let mut out = Vec::new();
        out.extend(text("name", old.name.as_deref(), new.name.as_deref()));
        out.extend(value("verdict", &old.verdict, &new.verdict));
        out.extend(text("reason", old.reason.as_deref(), new.reason.as_deref()));
        out
    }

    fn title(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

/// A proposal or machine text as JSON: its model and text.
fn machine_json<C: Fields>(m: &Machine<C>) -> Value {
    let mut v = serde_json::to_value(&m.content).expect("content serializes");
    v["model"] = json!(m.provenance.model);
    if let Some(c) = &m.provenance.confidence {
        v["confidence"] = json!(c.value);
    }
    // Where it came from, when the record says.
    for (field, value) in [
        ("host", &m.provenance.host),
        ("served_model", &m.provenance.served_model),
        ("system_fingerprint", &m.provenance.system_fingerprint),
    ] {
        if let Some(value) = value {
            v[field] = json!(value);
        }
    }
    v
}

/// The changes of one entry; `None` for either side is an added or removed item.
fn entry_changes<C: Fields>(old: Option<&Entry<C>>, new: Option<&Entry<C>>) -> Vec<FieldDiff> {
    let empty = C::default();
    let content = |e: Option<&Entry<C>>| e.map_or(&empty, |e| &e.content).clone();
    let (oc, nc) = (content(old), content(new));
    let mut out = C::changes(&oc, &nc);
    match (old, new) {
        (Some(o), Some(n)) => out.extend(value("status", &o.status, &n.status)),
        (None, Some(n)) => out.push(FieldDiff::new("status", Value::Null, json!(n.status))),
        _ => {}
    }
    let approval = |e: Option<&Entry<C>>| e.and_then(|e| e.approval.clone());
    let (oa, na) = (approval(old), approval(new));
    if oa != na {
        let mut d = FieldDiff::new("approval", json!(oa), json!(na));
        d.note = Some(match (&oa, &na) {
            (None, Some(_)) => "approved",
            (Some(_), None) => "withdrawn",
            _ => "reapproved",
        });
        out.push(d);
    } else if let (Some(o), Some(n)) = (old, new)
        && na.is_some()
        && o.is_approved_intact()
        && n.status == crate::record::Status::Approved
        && !n.is_approved_intact()
    {
        // The text changed under an approval that is still recorded: it no longer holds
        // (validate fails, publish leaves the item out) until someone approves again.
        let mut d = FieldDiff::new("approval", json!(oa), json!(na));
        d.note = Some("no longer holds");
        out.push(d);
    }
    let (op, np) = (
        old.and_then(|e| e.proposal.as_ref()),
        new.and_then(|e| e.proposal.as_ref()),
    );
    if op != np {
        let mut d = FieldDiff::new(
            "proposal",
            op.map_or(Value::Null, machine_json),
            np.map_or(Value::Null, machine_json),
        );
        d.note = Some(match (op, np) {
            (None, Some(_)) => "new",
            (Some(p), None) if nc == p.content => "accepted",
            (Some(_), None) => "dropped",
            _ => "replaced",
        });
        d.changes = np.map(|p| C::changes(&nc, &p.content));
        out.push(d);
    }
    let (om, nm) = (
        old.and_then(|e| e.machine.as_ref()),
        new.and_then(|e| e.machine.as_ref()),
    );
    // A new machine text that is not just a proposal taken or dropped: a redraft.
    let explained = op.is_some() && np.is_none() && nm == op;
    if om != nm && !explained && old.is_some() && new.is_some() {
        let mut d = FieldDiff::new(
            "machine",
            om.map_or(Value::Null, machine_json),
            nm.map_or(Value::Null, machine_json),
        );
        d.note = Some("redrafted");
        out.push(d);
    }
    let error = |e: Option<&Entry<C>>| e.and_then(|e| e.error.clone());
    out.extend(value("error", &error(old), &error(new)));
    out
}

/// The changed items of one kind, in the new record's order, removed ones after (in the
/// old record's order); `title` names an item the text does not (from the catalog).
fn items<C: Fields>(
    old: &[Entry<C>],
    new: &[Entry<C>],
    title: &dyn Fn(&str) -> Option<String>,
) -> Vec<ItemDiff> {
    let mut out = Vec::new();
    let name = |e: &Entry<C>, other: Option<&Entry<C>>| {
        e.content
            .title()
            .or_else(|| other.and_then(|o| o.content.title()))
            .map(String::from)
            .or_else(|| title(&e.id))
            .unwrap_or_else(|| e.id.clone())
    };
    for n in new {
        let o = old.iter().find(|o| o.id == n.id);
        if o == Some(n) {
            continue;
        }
        out.push(ItemDiff {
            kind: C::KIND,
            id: n.id.clone(),
            title: name(n, o),
            change: if o.is_some() {
                ItemChange::Modified
            } else {
                ItemChange::Added
            },
            fields: entry_changes(o, Some(n)),
        });
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
        out.push(ItemDiff {
            kind: C::KIND,
            id: o.id.clone(),
            title: name(o, None),
            change: ItemChange::Removed,
            fields: Vec::new(),
        });
    }
    out
}

/// Every changed task and skill between two versions of a record (an absent side is an
/// empty record); `title` gives an item's catalog title (or statement) or name by id.
pub fn records(
    old: Option<&Record>,
    new: Option<&Record>,
    title: &dyn Fn(Kind, &str) -> Option<String>,
) -> Vec<ItemDiff> {
    let task_title = |id: &str| title(Kind::Task, id);
    let skill_name = |id: &str| title(Kind::Skill, id);
    let (ot, nt) = (
        old.map(|r| r.tasks.as_slice()).unwrap_or_default(),
        new.map(|r| r.tasks.as_slice()).unwrap_or_default(),
    );
    let (os, ns) = (
        old.map(|r| r.skills.as_slice()).unwrap_or_default(),
        new.map(|r| r.skills.as_slice()).unwrap_or_default(),
    );
    let mut out = items(ot, nt, &task_title);
    out.extend(items(os, ns, &skill_name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Level, Provenance, TaskEntry};

    fn draft(level: Level, rationale: &str) -> TaskEntry {
        TaskEntry::new_draft(
            "t",
            Machine {
                provenance: Provenance {
                    model: "m".into(),
                    template: "task.j2@x".into(),
                    input: "i".into(),
                    cache_key: "k".into(),
                    host: None,
                    served_model: None,
                    system_fingerprint: None,
                    confidence: None,
                },
                content: TaskContent {
                    title: Some("Do it".into()),
                    level: Some(level),
                    rationale: Some(rationale.into()),
                    tools: Some(vec!["ChatGPT".into()]),
                    tip: None,
                },
            },
        )
    }

    fn fields(d: &ItemDiff) -> Vec<&str> {
        d.fields.iter().map(|f| f.field).collect()
    }

    #[test]
    fn an_edit_then_an_approval_are_told_field_by_field() {
        let old = draft(Level::Medium, "AI drafts code.");
        let mut new = old.clone();
        new.content.level = Some(Level::High);
        new.content.rationale = Some("AI writes code.".into());
        new.content.tools = Some(vec!["Copilot".into()]);
        crate::record::AnyEntry::approve(
            &mut new,
            "Ann".into(),
            "2026-11-20".into(),
            crate::record::Approved::OneByOne,
        );
        let (mut a, mut b) = (Record::new("p"), Record::new("p"));
        a.tasks.push(old);
        b.tasks.push(new);
        let d = records(Some(&a), Some(&b), &|_, _| None);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].title, "Do it");
        assert_eq!(
            fields(&d[0]),
            ["level", "rationale", "tools", "status", "approval"]
        );
        assert_eq!(
            words::plain(d[0].fields[1].words.as_ref().unwrap()),
            "AI [-drafts-]{+writes+} code."
        );
        assert_eq!(d[0].fields[2].added, Some(vec!["Copilot".to_string()]));
        assert_eq!(d[0].fields[2].removed, Some(vec!["ChatGPT".to_string()]));
        assert_eq!(d[0].fields[4].note, Some("approved"));
        // Nothing changed: nothing reported.
        assert!(records(Some(&b), Some(&b), &|_, _| None).is_empty());
    }

    #[test]
    fn proposals_arrive_and_are_accepted_or_dropped() {
        let mut edited = draft(Level::Low, "old");
        edited.content.rationale = Some("an editor's words".into());
        let mut proposed = edited.clone();
        proposed.proposal = Some(draft(Level::High, "new").machine.unwrap());
        let rec = |e: &TaskEntry| {
            let mut r = Record::new("p");
            r.tasks.push(e.clone());
            r
        };
        let d = records(Some(&rec(&edited)), Some(&rec(&proposed)), &|_, _| None);
        assert_eq!(fields(&d[0]), ["proposal"]);
        assert_eq!(d[0].fields[0].note, Some("new"));
        let mut accepted = proposed.clone();
        crate::record::AnyEntry::accept_proposal(&mut accepted);
        let d = records(Some(&rec(&proposed)), Some(&rec(&accepted)), &|_, _| None);
        assert_eq!(fields(&d[0]), ["level", "rationale", "proposal"]);
        assert_eq!(d[0].fields[2].note, Some("accepted"));
        let mut dropped = proposed.clone();
        crate::record::AnyEntry::reject_proposal(&mut dropped);
        let d = records(Some(&rec(&proposed)), Some(&rec(&dropped)), &|_, _| None);
        assert_eq!(fields(&d[0]), ["proposal"]);
        assert_eq!(d[0].fields[0].note, Some("dropped"));
    }

    #[test]
    fn new_and_removed_items_and_catalog_titles() {
        let mut a = Record::new("p");
        let mut gone = draft(Level::Low, "x");
        gone.id = "gone".into();
        gone.content.title = None;
        a.tasks.push(gone);
        let mut b = Record::new("p");
        b.tasks.push(draft(Level::Low, "y"));
        let d = records(Some(&a), Some(&b), &|_, id| {
            (id == "gone").then(|| "Statement".into())
        });
        assert_eq!(
            d.iter()
                .map(|i| (i.id.as_str(), i.change, i.title.as_str()))
                .collect::<Vec<_>>(),
            [
                ("t", ItemChange::Added, "Do it"),
                ("gone", ItemChange::Removed, "Statement")
            ]
        );
    }
}

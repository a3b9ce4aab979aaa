//! The decisions of one `willai review`, apart from the terminal: keys become
//! [`Decision`]s, each applied at once to a fresh read of its record under the root's
//! write lock and written atomically, so quitting (or Ctrl-C, or a crash) loses nothing
//! decided. Approving goes through `review::approve`, dropping a proposal through
//! `AnyEntry::reject_proposal`: the rules are the same as `willai approve`/`reject`.
//!
//! Two guards keep an editor from deciding on text they did not see:
//! - each decision compares the entry on disk with the one on screen; if another writer
//!   changed it in between, nothing is written and the screen shows the new text;
//! - undo restores the entry exactly as it was (the same bytes), and only when the entry
//!   is still what the decision left; otherwise it says so and leaves it.

use std::collections::HashMap;

use serde_json::Value;

use super::edit;
use super::queue::QueueItem;
use super::{ApproveOptions, Outcome};
use crate::catalog::{Catalog, Occupation};
use crate::fsx::RootLock;
use crate::lifecycle::{self, Current, Item};
use crate::record::{AnyEntry, Kind, Level, Record, SkillEntry, TaskEntry};
use crate::store::Store;

/// What an editor decides about the item on screen.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Approve what is on screen (a proposal is taken first).
    Approve,
    /// Drop the proposal (the current text stays), or with none, reject the machine's
    /// draft.
    Reject,
    /// Set a task's level (an edit).
    Level(Level),
    /// Take the text edited in `$EDITOR` (an edit).
    Edit(String),
    /// Leave it as it is and go on.
    Skip,
}

/// The entry on screen, as read from its record.
#[derive(Clone, Debug, PartialEq)]
pub enum OnScreen {
    Task(TaskEntry),
    Skill(SkillEntry),
    /// No longer in the record (removed by another writer since the queue was built).
    Gone,
}

impl OnScreen {
    fn of(record: Option<&Record>, kind: Kind, id: &str) -> OnScreen {
        let found = match kind {
            Kind::Task => record.and_then(|r| r.task(id)).cloned().map(OnScreen::Task),
            Kind::Skill => record
                .and_then(|r| r.skill(id))
                .cloned()
                .map(OnScreen::Skill),
        };
        found.unwrap_or(OnScreen::Gone)
    }

    pub fn entry(&self) -> Option<&dyn AnyEntry> {
        match self {
            OnScreen::Task(e) => Some(e),
            OnScreen::Skill(e) => Some(e),
            OnScreen::Gone => None,
        }
    }

    fn value(&self) -> Value {
        match self {
            OnScreen::Task(e) => serde_json::to_value(e),
            OnScreen::Skill(e) => serde_json::to_value(e),
            OnScreen::Gone => Ok(Value::Null),
        }
        .expect("entries serialize")
    }
}

/// Everything one screen shows about the current item.
#[derive(Clone, Debug)]
pub struct Screenful<'q> {
    pub item: &'q QueueItem,
    /// 1-based place in the queue, and the queue's length.
    pub index: usize,
    pub total: usize,
    pub shown: OnScreen,
    /// The item's lifecycle state (stale reasons included); `None` when gone.
    pub state: Option<Item>,
    /// The catalog's task statement.
    pub statement: Option<String>,
}

/// How a note on the screen's last line reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Done,
    Warning,
}

/// What the last key did, for the screen's last line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub tone: Tone,
    pub text: String,
}

impl Note {
    pub(super) fn done(text: String) -> Note {
        Note {
            tone: Tone::Done,
            text,
        }
    }

    pub(super) fn warning(text: String) -> Note {
        Note {
            tone: Tone::Warning,
            text,
        }
    }
}

/// What a decision did, kept for undo and the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Applied {
    Approved,
    /// A proposal dropped (the current text stays).
    Dropped,
    /// The machine's draft rejected.
    Rejected,
    Edited,
    Skipped,
}

/// One decision that undo can take back: where it was, and the entry before and after.
#[derive(Clone, Debug)]
struct Step {
    pos: usize,
    did: Applied,
    /// The entry before and after, as JSON (`None` for a skip, which writes nothing).
    change: Option<(Value, Value)>,
}

/// The counts the summary prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub approved: usize,
    /// Proposals dropped.
    pub dropped: usize,
    /// Drafts rejected.
    pub rejected: usize,
    /// Items edited (by a level key or in the editor).
    pub edited: usize,
    /// Of those, left edited without an approval afterwards.
    pub edited_unapproved: usize,
    pub skipped: usize,
    /// Items not reached.
    pub left: usize,
    pub total: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "review: {} approved, {} proposal(s) dropped",
            self.approved, self.dropped
        )?;
        if self.rejected > 0 {
            write!(f, ", {} draft(s) rejected", self.rejected)?;
        }
        write!(f, ", {} edited", self.edited)?;
        if self.edited_unapproved > 0 {
            write!(f, " ({} not approved yet)", self.edited_unapproved)?;
        }
        write!(
            f,
            ", {} skipped; {} of {} item(s) not reached",
            self.skipped, self.left, self.total
        )
    }
}

/// The root's write lock, held while one decision is read, applied and written; a note
/// when another writer holds it (waiting would freeze the screen, deaf to keys).
pub(super) fn lock(store: &Store) -> anyhow::Result<Result<RootLock, Note>> {
    Ok(
        RootLock::try_acquire(store.root(), "review")?.map_err(|(_, holder)| {
            Note::warning(format!(
                "another willai is writing to this project ({holder}): nothing was done; press the key again when it has finished"
            ))
        }),
    )
}

/// One review: the queue, where the editor is, and what undo can take back.
pub struct Session<'p> {
    store: &'p Store,
    catalog: &'p Catalog,
    cur: Current<'p>,
    queue: Vec<QueueItem>,
    pos: usize,
    steps: Vec<Step>,
    opts: ApproveOptions,
    /// The entry on screen, as JSON, to tell whether it changed on disk since.
    on_screen: Option<Value>,
    /// An edit not taken (it did not parse, the entry changed on disk while the editor
    /// was open, another writer held the lock, the write failed), by queue position, with
    /// why: reopened by the next `e`, and saved to a file if the review ends first.
    pending: HashMap<usize, (String, String)>,
    /// Whether the edit being decided was settled (written, or equal to the text).
    edit_settled: bool,
}

impl<'p> Session<'p> {
    pub fn new(
        store: &'p Store,
        catalog: &'p Catalog,
        cur: Current<'p>,
        queue: Vec<QueueItem>,
        opts: ApproveOptions,
    ) -> Session<'p> {
        Session {
            store,
            catalog,
            cur,
            queue,
            pos: 0,
            steps: Vec::new(),
            opts,
            on_screen: None,
            pending: HashMap::new(),
            edit_settled: false,
        }
    }

    fn lock(&self) -> anyhow::Result<Result<RootLock, Note>> {
        lock(self.store)
    }

    /// How many decisions undo could take back.
    pub fn steps(&self) -> usize {
        self.steps.len()
    }

    /// Under the lock, the item's record read fresh and its entry as JSON (`null` when
    /// gone), if the entry is still `expected` (what the editor saw, or what the step
    /// to undo wrote); else the note `changed`, or the lock's note, and nothing is done.
    fn read_fresh(
        &self,
        item: &QueueItem,
        expected: Option<&Value>,
        changed: String,
    ) -> anyhow::Result<Result<(RootLock, Record, Value), Note>> {
        let lock = match self.lock()? {
            Ok(lock) => lock,
            Err(busy) => return Ok(Err(busy)),
        };
        let record = match self.store.record(&item.slug)? {
            Some(r) => r,
            None => Record::new(&item.slug),
        };
        let now = OnScreen::of(Some(&record), item.kind, &item.id).value();
        if Some(&now) != expected {
            return Ok(Err(Note::warning(changed)));
        }
        Ok(Ok((lock, record, now)))
    }

    pub fn reviewer(&self) -> &str {
        &self.opts.reviewer
    }

    /// Whether every item has been decided or skipped.
    pub fn done(&self) -> bool {
        self.pos >= self.queue.len()
    }

    fn occupation(&self, item: &QueueItem) -> Option<&'p Occupation> {
        self.catalog.get(&item.slug)
    }

    /// The current item, read fresh from its record (`None` past the end).
    pub fn current(&mut self) -> anyhow::Result<Option<Screenful<'_>>> {
        let Some(item) = self.queue.get(self.pos) else {
            self.on_screen = None;
            return Ok(None);
        };
        let record = self.store.record(&item.slug)?;
        let shown = OnScreen::of(record.as_ref(), item.kind, &item.id);
        self.on_screen = Some(shown.value());
        let occ = self.occupation(item);
        let state = match (occ, &shown) {
            (Some(occ), OnScreen::Task(_) | OnScreen::Skill(_)) => {
                lifecycle::items(occ, record.as_ref(), &self.cur)
                    .into_iter()
                    .find(|i| i.kind == item.kind && i.id == item.id)
            }
            _ => None,
        };
        let statement = match item.kind {
            Kind::Task => occ.and_then(|o| o.task(&item.id)).map(|t| t.text.clone()),
            Kind::Skill => None,
        };
        Ok(Some(Screenful {
            item,
            index: self.pos + 1,
            total: self.queue.len(),
            shown,
            state,
            statement,
        }))
    }

    /// The text `e` opens: an edit that did not parse, with its error on top, else the
    /// text on screen (the proposal, when there is one).
    pub fn edit_text(&self, shown: &OnScreen) -> Option<String> {
        if let Some((text, err)) = self.pending.get(&self.pos) {
            let body: String = text
                .lines()
                .filter(|l| !l.starts_with("# error: "))
                .map(|l| format!("{l}\n"))
                .collect();
            return Some(format!("# error: {}\n{body}", err.replace('\n', " ")));
        }
        match shown {
            OnScreen::Task(e) => Some(edit::task_text(
                e.proposal.as_ref().map_or(&e.content, |p| &p.content),
            )),
            OnScreen::Skill(e) => Some(edit::skill_text(
                e.proposal.as_ref().map_or(&e.content, |p| &p.content),
            )),
            OnScreen::Gone => None,
        }
    }

    /// Applies a decision to the current item; the note says what happened. An edit that
    /// is not taken, for whatever reason, is kept: the next `e` reopens it, and
    /// [`Session::unsaved_edits`] has it when the review ends first.
    pub fn decide(&mut self, decision: Decision) -> anyhow::Result<Note> {
        let Decision::Edit(text) = &decision else {
            return self.decide_now(decision);
        };
        let (text, pos) = (text.clone(), self.pos);
        self.edit_settled = false;
        let outcome = self.decide_now(decision);
        if self.edit_settled || self.pending.contains_key(&pos) || pos >= self.queue.len() {
            return outcome;
        }
        let why = match &outcome {
            Ok(note) => note.text.clone(),
            Err(e) => format!("not done: {e:#}"),
        };
        self.pending
            .insert(pos, (text, format!("not saved: {why}")));
        Ok(Note::warning(format!(
            "{why}; your edit is kept: e reopens it"
        )))
    }

    /// The edits not taken, by item, for saving when the review ends.
    pub fn unsaved_edits(&self) -> Vec<(String, String)> {
        let mut out: Vec<(usize, String, String)> = self
            .pending
            .iter()
            .filter_map(|(pos, (text, _))| {
                let item = self.queue.get(*pos)?;
                Some((*pos, item.name(), text.clone()))
            })
            .collect();
        out.sort();
        out.into_iter()
            .map(|(_, name, text)| (name, text))
            .collect()
    }

    fn decide_now(&mut self, decision: Decision) -> anyhow::Result<Note> {
        let Some(item) = self.queue.get(self.pos).cloned() else {
            return Ok(Note::warning("the queue is done: u undoes, q quits".into()));
        };
        if decision == Decision::Skip {
            self.steps.push(Step {
                pos: self.pos,
                did: Applied::Skipped,
                change: None,
            });
            self.pos += 1;
            return Ok(Note::done(format!("skipped    {}", item.name())));
        }
        let Some(occ) = self.occupation(&item) else {
            return Ok(Note::warning(format!(
                "{} is no longer in the catalog: s skips it",
                item.slug
            )));
        };
        let seen = self.on_screen.clone();
        let changed = format!(
            "{} changed on disk since it was shown (another writer): showing it as it is now; decide again",
            item.name()
        );
        let (_lock, mut record, before) = match self.read_fresh(&item, seen.as_ref(), changed)? {
            Ok(fresh) => fresh,
            Err(note) => return Ok(note),
        };
        if before.is_null() {
            return Ok(Note::warning(format!(
                "{} is no longer in the record: s skips it",
                item.name()
            )));
        }
        let state = lifecycle::items(occ, Some(&record), &self.cur)
            .into_iter()
            .find(|i| i.kind == item.kind && i.id == item.id)
            .expect("the entry is in the record, so the item is listed");
        let had_proposal = record
            .entry(item.kind, &item.id)
            .is_some_and(|e| e.has_proposal());
        let did = match self.apply(&mut record, &item, &state, decision)? {
            Ok(did) => did,
            Err(note) => return Ok(note),
        };
        let after = OnScreen::of(Some(&record), item.kind, &item.id).value();
        self.store.write_record(&item.slug, &record)?;
        self.pending.remove(&self.pos);
        self.edit_settled = true;
        self.steps.push(Step {
            pos: self.pos,
            did,
            change: Some((before, after)),
        });
        let note = match did {
            Applied::Approved => {
                let level = record
                    .entry(item.kind, &item.id)
                    .and_then(|e| e.headline())
                    .unwrap_or("-");
                format!(
                    "approved   {} ({level}) by {} on {}",
                    item.name(),
                    self.opts.reviewer,
                    self.opts.date
                )
            }
            Applied::Dropped => format!("dropped    the proposal of {}", item.name()),
            Applied::Rejected => format!(
                "rejected   the draft of {}: it is not drafted again unless its prompt changes (u undoes)",
                item.name()
            ),
            Applied::Edited if had_proposal => format!(
                "edited     {}, starting from the proposal on screen (taken): a approves it, s keeps it as edited, u undoes",
                item.name()
            ),
            Applied::Edited => format!(
                "edited     {}: a approves it, s keeps it as edited",
                item.name()
            ),
            Applied::Skipped => unreachable!("skips return above"),
        };
        if matches!(
            did,
            Applied::Approved | Applied::Dropped | Applied::Rejected
        ) {
            self.pos += 1;
        }
        Ok(Note::done(note))
    }

    /// Changes the record for one decision: what it did, or a note why not.
    fn apply(
        &mut self,
        record: &mut Record,
        item: &QueueItem,
        state: &Item,
        decision: Decision,
    ) -> anyhow::Result<Result<Applied, Note>> {
        let name = item.name();
        let entry = record
            .entry_mut(item.kind, &item.id)
            .expect("checked by the caller");
        match decision {
            Decision::Approve => {
                let opts = ApproveOptions {
                    accept_proposal: entry.has_proposal(),
                    ..self.opts.clone()
                };
                Ok(match super::approve(Some(entry), state, &opts) {
                    Outcome::Approved => Ok(Applied::Approved),
                    Outcome::Unchanged => Err(Note::warning(format!(
                        "{name} is already approved with this text: s goes on"
                    ))),
                    Outcome::Refused(why) => Err(Note::warning(format!(
                        "not approved: {name} {}",
                        why.replace("with --force", "with `willai review --force`")
                    ))),
                })
            }
            Decision::Reject => Ok(if entry.reject_proposal() {
                Ok(Applied::Dropped)
            } else {
                match entry.reject_draft() {
                    Ok(()) => Ok(Applied::Rejected),
                    Err(why) => Err(Note::warning(format!(
                        "not rejected: {name} {why}; s skips"
                    ))),
                }
            }),
            Decision::Level(level) => {
                let Some(task) = record.task_mut(&item.id) else {
                    return Ok(Err(Note::warning(
                        "a skill has a verdict, not a level: e edits it".into(),
                    )));
                };
                if task.proposal.is_none() && task.content.level == Some(level) {
                    return Ok(Err(Note::warning(format!("the level is {level} already"))));
                }
                task.accept_proposal();
                task.content.level = Some(level);
                Ok(Ok(Applied::Edited))
            }
            Decision::Edit(text) => {
                let parsed = match item.kind {
                    Kind::Task => edit::parse_task(&text).map(|c| {
                        let e = record.task_mut(&item.id).expect("checked");
                        let same = e.proposal.is_none() && e.content == c;
                        e.accept_proposal();
                        e.content = c;
                        same
                    }),
                    Kind::Skill => {
                        let had_name = record
                            .skill(&item.id)
                            .and_then(|e| {
                                e.proposal
                                    .as_ref()
                                    .map_or(&e.content, |p| &p.content)
                                    .name
                                    .as_ref()
                            })
                            .is_some();
                        edit::parse_skill(&text, had_name).map(|c| {
                            let e = record.skill_mut(&item.id).expect("checked");
                            let same = e.proposal.is_none() && e.content == c;
                            e.accept_proposal();
                            e.content = c;
                            same
                        })
                    }
                };
                Ok(match parsed {
                    Ok(true) => {
                        self.pending.remove(&self.pos);
                        self.edit_settled = true;
                        Err(Note::done("no change: the text is as it was".into()))
                    }
                    Ok(false) => Ok(Applied::Edited),
                    Err(err) => {
                        let note = Note::warning(format!(
                            "edit not taken: {err}; e reopens your text to fix it"
                        ));
                        self.pending.insert(self.pos, (text, err.to_string()));
                        Err(note)
                    }
                })
            }
            Decision::Skip => unreachable!("skips return before"),
        }
    }

    /// Takes back the last decision: the entry is restored exactly as it was, and the
    /// item is shown again.
    pub fn undo(&mut self) -> anyhow::Result<Note> {
        let Some(step) = self.steps.pop() else {
            return Ok(Note::warning("nothing to undo".into()));
        };
        let item = self.queue[step.pos].clone();
        let Some((before, after)) = step.change else {
            self.pos = step.pos;
            return Ok(Note::done(format!("undone: skip of {}", item.name())));
        };
        let changed = format!(
            "not undone: {} changed on disk since (another writer); it is left as it is",
            item.name()
        );
        let (_lock, mut record, _) = match self.read_fresh(&item, Some(&after), changed)? {
            Ok(fresh) => fresh,
            Err(note) => return Ok(note),
        };
        match item.kind {
            Kind::Task => {
                let old: TaskEntry = serde_json::from_value(before)?;
                if let Some(e) = record.task_mut(&item.id) {
                    *e = old;
                }
            }
            Kind::Skill => {
                let old: SkillEntry = serde_json::from_value(before)?;
                if let Some(e) = record.skill_mut(&item.id) {
                    *e = old;
                }
            }
        }
        self.store.write_record(&item.slug, &record)?;
        self.pos = step.pos;
        let what = match step.did {
            Applied::Approved => "approval",
            Applied::Dropped => "dropped proposal",
            Applied::Rejected => "rejection",
            Applied::Edited => "edit",
            Applied::Skipped => "skip",
        };
        Ok(Note::done(format!("undone: {what} of {}", item.name())))
    }

    /// The counts so far.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            total: self.queue.len(),
            left: self.queue.len().saturating_sub(self.pos),
            ..Summary::default()
        };
        // The last file-changing decision of each edited item tells whether it was
        // approved afterwards.
        let mut last: HashMap<usize, Applied> = HashMap::new();
        let mut edited: std::collections::HashSet<usize> = Default::default();
        for step in &self.steps {
            match step.did {
                Applied::Approved => s.approved += 1,
                Applied::Dropped => s.dropped += 1,
                Applied::Rejected => s.rejected += 1,
                Applied::Skipped => s.skipped += 1,
                Applied::Edited => {
                    edited.insert(step.pos);
                }
            }
            if step.change.is_some() {
                last.insert(step.pos, step.did);
            }
        }
        // An item edited and left on screen (not yet approved or skipped) was reached.
        if edited.contains(&self.pos) {
            s.left = s.left.saturating_sub(1);
        }
        s.edited = edited.len();
        s.edited_unapproved = edited
            .iter()
            .filter(|p| last.get(p) == Some(&Applied::Edited))
            .count();
        s
    }
}

//! `willai review --audit NAME`: judging an audit's sample, blind by default, apart from
//! the terminal. Editors agree more with a level they have seen, so each sampled task is
//! first shown without its drafted level or rationale; the editor's level is written
//! into the audit file at once (`judged`, with `blind`, reviewer and date), and only
//! then is the draft revealed. If the two differ, the editor can correct the record
//! there: the level or the whole text, approved or not, through the same [`Session`]
//! as `willai review` (the lifecycle's rules, the lock, the check that the text on disk
//! is the text on screen, exact undo).
//!
//! Progress is saved per key: quitting and starting again goes on with the tasks not
//! judged yet. A judgment taken back with undo and given again after the reveal is
//! recorded as not blind (`blind: false`), so the audit stays truthful about what the
//! editor had seen.

use std::collections::{HashMap, HashSet};

use super::ApproveOptions;
use super::queue::QueueItem;
use super::session::{self, Decision, Note, Screenful, Session};
use crate::audit::{Audit, AuditItem, Audits};
use crate::catalog::{Catalog, Occupation};
use crate::lifecycle::Current;
use crate::record::{Kind, Level};
use crate::store::Store;

/// Where the editor is with the current task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The drafted level is hidden; the editor gives theirs.
    Blind,
    /// The editor's level is recorded; the draft is shown beside it.
    Revealed,
}

/// One step undo can take back.
#[derive(Clone, Debug)]
enum Step {
    /// A judgment: the audit item before and after it (at this index of the file).
    Judged {
        index: usize,
        before: Box<AuditItem>,
        after: Box<AuditItem>,
    },
    /// A change to the record of the task at this index (undone by its session).
    Record { index: usize },
    /// Moving on past a task without judging it.
    Skipped { pos: usize },
}

/// The counts the summary prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub judged: usize,
    /// Of those, how many differ from the drafted level.
    pub differ: usize,
    /// Records changed (a level or text corrected, or approved).
    pub records: usize,
    /// Tasks of the audit not judged yet.
    pub left: usize,
    pub total: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "audit: {} judged ({} differ from the draft), {} record(s) changed; {} of {} task(s) of the audit not judged yet",
            self.judged, self.differ, self.records, self.left, self.total
        )
    }
}

/// What the screen of the current task shows.
pub struct View<'s> {
    pub name: String,
    /// The task's index in the audit file, 1-based, and the file's length.
    pub number: usize,
    pub total: usize,
    /// Tasks of the audit judged so far (all editors, all sessions).
    pub judged: usize,
    pub phase: Phase,
    pub item: AuditItem,
    /// The profession as the catalog has it (`None` when it left the catalog).
    pub occupation: Option<&'s Occupation>,
    /// The catalog's task statement.
    pub statement: Option<String>,
    /// The record as it is now (revealed only).
    pub record: Option<Screenful<'s>>,
}

/// One `willai review --audit` run.
pub struct AuditSession<'p> {
    store: &'p Store,
    catalog: &'p Catalog,
    cur: Current<'p>,
    name: String,
    audit: Audit,
    /// The indices of the tasks this run goes through (those not judged when it
    /// started), in the file's order, which is the order drawn.
    queue: Vec<usize>,
    pos: usize,
    phase: Phase,
    /// Tasks whose drafted level this run has shown.
    seen: HashSet<usize>,
    /// The record sessions of revealed tasks, by index.
    records: HashMap<usize, Session<'p>>,
    steps: Vec<Step>,
    opts: ApproveOptions,
    /// The audit item on screen, to tell whether another writer changed it since.
    on_screen: Option<AuditItem>,
}

impl<'p> AuditSession<'p> {
    /// A session over the tasks of the audit `name` not judged yet.
    pub fn new(
        store: &'p Store,
        catalog: &'p Catalog,
        cur: Current<'p>,
        name: &str,
        opts: ApproveOptions,
    ) -> anyhow::Result<AuditSession<'p>> {
        let audit = Audits::new(store).get(name)?;
        let queue = (0..audit.items.len())
            .filter(|&i| audit.items[i].judged.is_none())
            .collect();
        Ok(AuditSession {
            store,
            catalog,
            cur,
            name: name.to_string(),
            audit,
            queue,
            pos: 0,
            phase: Phase::Blind,
            seen: HashSet::new(),
            records: HashMap::new(),
            steps: Vec::new(),
            opts,
            on_screen: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn reviewer(&self) -> &str {
        &self.opts.reviewer
    }

    /// Whether nothing was left to judge when the session started.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The audit read fresh (another editor may be judging too).
    fn reload(&mut self) -> anyhow::Result<()> {
        self.audit = Audits::new(self.store).get(&self.name)?;
        Ok(())
    }

    fn index(&self) -> Option<usize> {
        self.queue.get(self.pos).copied()
    }

    /// The session that corrects the record of the task at `index`.
    fn record_session(&mut self, index: usize) -> &mut Session<'p> {
        let item = &self.audit.items[index];
        let (store, catalog, cur, opts) = (self.store, self.catalog, self.cur, &self.opts);
        self.records.entry(index).or_insert_with(|| {
            let name = catalog
                .get(&item.profession)
                .map_or_else(|| item.profession.clone(), |o| o.name.clone());
            let queued = QueueItem {
                slug: item.profession.clone(),
                profession: name,
                kind: Kind::Task,
                id: item.task.clone(),
                label: item.task.clone(),
                confidence: None,
                position: 0,
            };
            Session::new(store, catalog, cur, vec![queued], opts.clone())
        })
    }

    /// The current task, read fresh; `None` past the end. A task someone else judged
    /// meanwhile is passed over.
    pub fn current(&mut self) -> anyhow::Result<Option<View<'_>>> {
        self.reload()?;
        while self.phase == Phase::Blind
            && let Some(i) = self.index()
            && self.audit.items.get(i).is_none_or(|it| it.judged.is_some())
        {
            self.pos += 1;
        }
        let Some(index) = self.index() else {
            self.on_screen = None;
            return Ok(None);
        };
        let Some(item) = self.audit.items.get(index).cloned() else {
            self.on_screen = None;
            return Ok(None);
        };
        self.on_screen = Some(item.clone());
        let phase = self.phase;
        let judged = self.audit.judged();
        let total = self.audit.items.len();
        let catalog = self.catalog;
        let occupation = catalog.get(&item.profession);
        let statement = occupation
            .and_then(|o| o.task(&item.task))
            .map(|t| t.text.clone());
        let name = self.name.clone();
        let record = match phase {
            Phase::Blind => None,
            Phase::Revealed => self.record_session(index).current()?,
        };
        Ok(Some(View {
            name,
            number: index + 1,
            total,
            judged,
            phase,
            item,
            occupation,
            statement,
            record,
        }))
    }

    /// Records the editor's level for the task on screen (blind, unless this run showed
    /// its draft before), then reveals the draft.
    pub fn judge(&mut self, level: Level) -> anyhow::Result<Note> {
        let Some(index) = self.index() else {
            return Ok(Note::warning(
                "every task is judged: u undoes, q quits".into(),
            ));
        };
        if self.phase == Phase::Revealed {
            return Ok(Note::warning(
                "already judged: u takes the judgment back (it is then no longer blind), n goes on"
                    .into(),
            ));
        }
        let _lock = match session::lock(self.store)? {
            Ok(lock) => lock,
            Err(busy) => return Ok(busy),
        };
        self.reload()?;
        let Some(before) = self.audit.items.get(index).cloned() else {
            return Ok(Note::warning(
                "the audit file changed on disk: showing it as it is now".into(),
            ));
        };
        if Some(&before) != self.on_screen.as_ref() {
            return Ok(Note::warning(format!(
                "{} changed on disk since it was shown (another editor?): showing it as it is now",
                before.key()
            )));
        }
        let blind = !self.seen.contains(&index);
        let item = &mut self.audit.items[index];
        item.judged = Some(level);
        item.blind = Some(blind);
        item.reviewer = Some(self.opts.reviewer.clone());
        item.date = Some(self.opts.date.clone());
        let (drafted, after) = (item.drafted, item.clone());
        Audits::new(self.store).write(&self.name, &self.audit)?;
        self.steps.push(Step::Judged {
            index,
            before: Box::new(before),
            after: Box::new(after),
        });
        self.seen.insert(index);
        self.phase = Phase::Revealed;
        let how = if blind {
            ""
        } else {
            " (not blind: the draft was shown before)"
        };
        Ok(Note::done(if drafted == level {
            format!("judged {level}{how}: the draft says {drafted} too; n goes on")
        } else {
            format!(
                "judged {level}{how}: the draft says {drafted}; c sets the record to {level}, e edits it, n goes on"
            )
        }))
    }

    /// A decision on the record of the revealed task: correcting its level to the
    /// judged one (`c`), an edited text, or approving it.
    pub fn decide(&mut self, decision: Decision) -> anyhow::Result<Note> {
        let Some(index) = self.index().filter(|_| self.phase == Phase::Revealed) else {
            return Ok(Note::warning(
                "judge the task first: 1 HIGH, 2 MEDIUM, 3 LOW".into(),
            ));
        };
        let approving = decision == Decision::Approve;
        let before = self.record_session(index).steps();
        let note = self.record_session(index).decide(decision)?;
        if self.record_session(index).steps() > before {
            self.steps.push(Step::Record { index });
            if approving {
                self.go_on();
            }
        }
        Ok(note)
    }

    /// `c`: the record's level becomes the judged one.
    pub fn correct(&mut self) -> anyhow::Result<Note> {
        let judged = self
            .index()
            .filter(|_| self.phase == Phase::Revealed)
            .and_then(|i| self.audit.items[i].judged);
        match judged {
            Some(level) => self.decide(Decision::Level(level)),
            None => Ok(Note::warning(
                "judge the task first: 1 HIGH, 2 MEDIUM, 3 LOW".into(),
            )),
        }
    }

    /// The text `e` opens for the revealed task's record.
    pub fn edit_text(&mut self) -> anyhow::Result<Option<String>> {
        let Some(index) = self.index().filter(|_| self.phase == Phase::Revealed) else {
            return Ok(None);
        };
        let s = self.record_session(index);
        let Some(view) = s.current()? else {
            return Ok(None);
        };
        let shown = view.shown.clone();
        Ok(s.edit_text(&shown))
    }

    /// On to the next task: after a reveal, or past a task left unjudged (a skip).
    pub fn go_on(&mut self) -> Note {
        let Some(index) = self.index() else {
            return Note::warning("every task is judged: u undoes, q quits".into());
        };
        let key = self.audit.items[index].key();
        let skipped = self.phase == Phase::Blind;
        if skipped {
            self.steps.push(Step::Skipped { pos: self.pos });
        }
        self.pos += 1;
        self.phase = Phase::Blind;
        Note::done(if skipped {
            format!("skipped    {key} (not judged; the next run offers it again)")
        } else {
            format!("next       after {key}")
        })
    }

    /// Takes back the last step: a judgment (the task is shown again, and a new
    /// judgment is no longer blind), a change to a record, or a skip.
    pub fn undo(&mut self) -> anyhow::Result<Note> {
        let Some(step) = self.steps.pop() else {
            return Ok(Note::warning("nothing to undo".into()));
        };
        match step {
            Step::Skipped { pos } => {
                self.pos = pos;
                self.phase = Phase::Blind;
                Ok(Note::done("undone: skip".into()))
            }
            Step::Record { index } => {
                let note = self.record_session(index).undo()?;
                if let Some(pos) = self.queue.iter().position(|&i| i == index) {
                    self.pos = pos;
                    self.phase = Phase::Revealed;
                }
                Ok(note)
            }
            Step::Judged {
                index,
                before,
                after,
            } => {
                let _lock = match session::lock(self.store)? {
                    Ok(lock) => lock,
                    Err(busy) => {
                        self.steps.push(Step::Judged {
                            index,
                            before,
                            after,
                        });
                        return Ok(busy);
                    }
                };
                self.reload()?;
                if self.audit.items.get(index) != Some(&*after) {
                    return Ok(Note::warning(format!(
                        "not undone: {} changed on disk since (another editor?); it is left as it is",
                        before.key()
                    )));
                }
                let key = before.key();
                self.audit.items[index] = *before;
                Audits::new(self.store).write(&self.name, &self.audit)?;
                if let Some(pos) = self.queue.iter().position(|&i| i == index) {
                    self.pos = pos;
                }
                self.phase = Phase::Blind;
                Ok(Note::done(format!(
                    "undone: the judgment of {key} (you have seen its draft: a new judgment is recorded as not blind)"
                )))
            }
        }
    }

    /// The counts so far.
    pub fn summary(&self) -> Summary {
        let mut judged = HashSet::new();
        let mut records = 0;
        for step in &self.steps {
            match step {
                Step::Judged { index, .. } => {
                    judged.insert(*index);
                }
                Step::Record { .. } => records += 1,
                Step::Skipped { .. } => {}
            }
        }
        let differ = judged
            .iter()
            .filter(|&&i| {
                let it = &self.audit.items[i];
                it.judged.is_some_and(|j| j != it.drafted)
            })
            .count();
        Summary {
            judged: judged.len(),
            differ,
            records,
            left: self.audit.items.len() - self.audit.judged(),
            total: self.audit.items.len(),
        }
    }
}

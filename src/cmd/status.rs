//! `willai status`: counts per state, per profession, what is stale and why, and which
//! proposals wait; a table for people, stable JSON for scripts.

use serde::Serialize;

use crate::catalog::Occupation;
use crate::cli::StatusArgs;
use crate::exit::problems;
use crate::lifecycle::{self, Current, Item, State};
use crate::project::Project;
use crate::record::{Kind, Record};
use crate::store::StoreError;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub missing: usize,
    pub failed: usize,
    pub draft: usize,
    pub edited: usize,
    pub approved: usize,
    pub rejected: usize,
    pub stale: usize,
    pub proposals: usize,
}

impl Counts {
    fn add_item(&mut self, item: &Item) {
        self.total += 1;
        match item.state {
            State::Missing => self.missing += 1,
            State::Failed => self.failed += 1,
            State::Draft => self.draft += 1,
            State::Edited => self.edited += 1,
            State::Approved => self.approved += 1,
            State::Rejected => self.rejected += 1,
        }
        self.stale += usize::from(item.is_stale());
        self.proposals += usize::from(item.proposal);
    }

    fn add(&mut self, o: &Counts) {
        self.total += o.total;
        self.missing += o.missing;
        self.failed += o.failed;
        self.draft += o.draft;
        self.edited += o.edited;
        self.approved += o.approved;
        self.rejected += o.rejected;
        self.stale += o.stale;
        self.proposals += o.proposals;
    }
}

#[derive(Debug, Serialize)]
pub struct Flagged {
    pub kind: &'static str,
    pub id: String,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// For each reason, which setting or file differs and how to change it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<String>,
}

/// One task or skill, as `status` shows it.
#[derive(Debug, Serialize)]
pub struct ItemStatus {
    pub kind: &'static str,
    pub id: String,
    /// The task's title (else its statement) or the skill's name.
    pub title: String,
    pub state: &'static str,
    /// The level of a task, the verdict of a skill, as the current text has it.
    pub value: Option<&'static str>,
    /// How sure the machine was of its newest text (0 to 1), when it could tell.
    pub confidence: Option<f64>,
    /// How sure it was of the level shown (`value`): none when an editor set it.
    #[serde(skip)]
    pub shown_confidence: Option<f64>,
    pub stale: bool,
    pub proposal: bool,
    /// Where the machine's newest text came from (none for text no machine wrote).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drafted_by: Option<DraftedBy>,
}

/// Where a machine text came from: the model asked for, the endpoint's host, what the
/// server said answered, its fingerprint.
#[derive(Debug, Serialize)]
pub struct DraftedBy {
    pub model: String,
    pub host: Option<String>,
    pub served_model: Option<String>,
    pub system_fingerprint: Option<String>,
    /// All of it in words, as the table shows it.
    #[serde(skip)]
    pub words: String,
}

#[derive(Debug, Serialize)]
pub struct ProfessionStatus {
    pub slug: String,
    pub name: String,
    pub tasks: Counts,
    pub skills: Counts,
    pub items: Vec<ItemStatus>,
    pub stale: Vec<Flagged>,
    pub proposals: Vec<Flagged>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub tasks: Counts,
    pub skills: Counts,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub model: Option<String>,
    pub professions: Vec<ProfessionStatus>,
    pub totals: Totals,
}

fn profession_status(
    occ: &Occupation,
    read: Result<Option<Record>, StoreError>,
    cur: &Current,
) -> ProfessionStatus {
    let mut st = ProfessionStatus {
        slug: occ.slug.clone(),
        name: occ.name.clone(),
        tasks: Counts::default(),
        skills: Counts::default(),
        items: Vec::new(),
        stale: Vec::new(),
        proposals: Vec::new(),
        error: None,
    };
    let record = match read {
        Ok(r) => r,
        Err(e) => {
            st.error = Some(e.to_string());
            return st;
        }
    };
    for item in lifecycle::items(occ, record.as_ref(), cur) {
        let entry = record.as_ref().and_then(|r| r.entry(item.kind, &item.id));
        st.items.push(ItemStatus {
            kind: item.kind.noun(),
            id: item.id.clone(),
            title: item.label.clone(),
            state: item.state.as_str(),
            value: entry.and_then(|e| e.headline()),
            confidence: entry.and_then(|e| e.confidence()).map(|c| c.value),
            shown_confidence: entry.and_then(|e| e.current_confidence()).map(|c| c.value),
            stale: item.is_stale(),
            proposal: item.proposal,
            drafted_by: entry
                .and_then(|e| e.newest_provenance())
                .map(|p| DraftedBy {
                    model: p.model.clone(),
                    host: p.host.clone(),
                    served_model: p.served_model.clone(),
                    system_fingerprint: p.system_fingerprint.clone(),
                    words: p.origin(),
                }),
        });
        match item.kind {
            Kind::Task => st.tasks.add_item(&item),
            Kind::Skill => st.skills.add_item(&item),
        }
        if item.is_stale() {
            st.stale.push(Flagged {
                kind: item.kind.noun(),
                id: item.id.clone(),
                state: item.state.as_str(),
                reasons: item.stale.clone(),
                fixes: item.fixes.clone(),
            });
        }
        if item.proposal {
            st.proposals.push(Flagged {
                kind: item.kind.noun(),
                id: item.id,
                state: item.state.as_str(),
                reasons: Vec::new(),
                fixes: Vec::new(),
            });
        }
    }
    st
}

pub fn run(project: &Project, args: &StatusArgs) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let selected: Vec<&Occupation> = match &args.profession {
        Some(name) => vec![catalog.find(name)?],
        None => catalog.occupations.iter().collect(),
    };
    let prompts = project.prompts()?;
    let model = project.model().map(String::from);
    let cur = project.current(&prompts);
    let professions: Vec<ProfessionStatus> = project
        .store
        .records(selected)
        .map(|(occ, read)| profession_status(occ, read, &cur))
        .collect();
    let mut totals = Totals {
        tasks: Counts::default(),
        skills: Counts::default(),
    };
    for p in &professions {
        totals.tasks.add(&p.tasks);
        totals.skills.add(&p.skills);
    }
    let errors = professions.iter().filter(|p| p.error.is_some()).count();
    let report = StatusReport {
        model,
        professions,
        totals,
    };
    if args.json {
        print!("{}", crate::canonical::pretty(&report));
    } else {
        // Names come from the catalog, a file anyone may change: no raw control sequence.
        print!("{}", crate::text::visible(&table(&report)));
    }
    if errors > 0 {
        return Err(problems(format!(
            "{errors} record file(s) could not be read (listed above)"
        )));
    }
    Ok(())
}

const MAX_LISTED: usize = 40;

fn row(name: &str, kind: &str, c: &Counts) -> String {
    format!(
        "{name:<34} {kind:<6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>8} {:>6} {:>9}\n",
        c.total, c.missing, c.failed, c.draft, c.edited, c.approved, c.stale, c.proposals
    )
}

/// The table people read. Rejected items (rare) are listed below it rather than given
/// a column every row would carry.
pub fn table(r: &StatusReport) -> String {
    let mut out = format!(
        "{:<34} {:<6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>8} {:>6} {:>9}\n",
        "PROFESSION",
        "KIND",
        "TOTAL",
        "MISSING",
        "FAILED",
        "DRAFT",
        "EDITED",
        "APPROVED",
        "STALE",
        "PROPOSALS"
    );
    for p in &r.professions {
        let name: String = p.slug.chars().take(34).collect();
        if let Some(e) = &p.error {
            out.push_str(&format!("{name:<34} error: {e}\n"));
            continue;
        }
        out.push_str(&row(&name, "tasks", &p.tasks));
        if p.skills.total > 0 {
            out.push_str(&row("", "skills", &p.skills));
        }
    }
    if r.professions.len() > 1 {
        out.push_str(&row("total", "tasks", &r.totals.tasks));
        out.push_str(&row("", "skills", &r.totals.skills));
    }
    // One profession: every item, with its title.
    if let [p] = r.professions.as_slice()
        && !p.items.is_empty()
    {
        out.push('\n');
        for i in &p.items {
            let flags = match (i.stale, i.proposal) {
                (true, true) => " (stale, proposal)",
                (true, false) => " (stale)",
                (false, true) => " (proposal)",
                _ => "",
            };
            let sure = i
                .shown_confidence
                .map(|c| format!("{:.0}%", c * 100.0))
                .unwrap_or_else(|| "-".into());
            out.push_str(&format!(
                "  {:<5} {:<10} {:<10} {:>4} {:<30} {}{flags}\n",
                i.kind,
                i.state,
                i.value.unwrap_or("-"),
                sure,
                i.id,
                i.title
            ));
        }
    }
    let stale: Vec<(&str, &Flagged)> = r
        .professions
        .iter()
        .flat_map(|p| p.stale.iter().map(move |f| (p.slug.as_str(), f)))
        .collect();
    if !stale.is_empty() {
        out.push_str("\nstale (`willai draft` redrafts them; edited or approved text gets a proposal beside it):\n");
        for (slug, f) in stale.iter().take(MAX_LISTED) {
            out.push_str(&format!(
                "  {slug}/{} ({} {}): {}\n",
                f.id,
                f.kind,
                f.state,
                f.reasons.join("; ")
            ));
        }
        if stale.len() > MAX_LISTED {
            out.push_str(&format!(
                "  ... and {} more (`willai status --json` lists them all)\n",
                stale.len() - MAX_LISTED
            ));
        }
        // What differs, once each: the same setting makes many items stale.
        let mut fixes: Vec<&str> = Vec::new();
        for (_, f) in &stale {
            for fix in &f.fixes {
                if !fixes.contains(&fix.as_str()) {
                    fixes.push(fix);
                }
            }
        }
        out.push_str("what differs:\n");
        for fix in fixes.iter().take(MAX_LISTED) {
            out.push_str(&format!("  {fix}\n"));
        }
    }
    // Where the machine's text came from: a model asked for at one host but answered
    // by another model (a server that answers under any name), or two hosts, shows here.
    let mut origins: std::collections::BTreeMap<&str, usize> = Default::default();
    for i in r.professions.iter().flat_map(|p| &p.items) {
        if let Some(d) = &i.drafted_by {
            *origins.entry(d.words.as_str()).or_default() += 1;
        }
    }
    if !origins.is_empty() {
        out.push_str("\ndrafted by:\n");
        for (words, n) in &origins {
            out.push_str(&format!(
                "  {} item(s): {}\n",
                n,
                crate::text::visible_line(words)
            ));
        }
    }
    let rejected: Vec<(&str, &ItemStatus)> = r
        .professions
        .iter()
        .flat_map(|p| {
            p.items
                .iter()
                .filter(|i| i.state == "rejected")
                .map(move |i| (p.slug.as_str(), i))
        })
        .collect();
    if !rejected.is_empty() {
        out.push_str(&format!(
            "\nrejected: {} item(s), not drafted again until their prompt changes (task text, template or model):\n",
            rejected.len()
        ));
        for (slug, i) in rejected.iter().take(MAX_LISTED) {
            out.push_str(&format!("  {slug}/{} ({}) {}\n", i.id, i.kind, i.title));
        }
        if rejected.len() > MAX_LISTED {
            out.push_str(&format!(
                "  ... and {} more (`willai status --json` lists them all)\n",
                rejected.len() - MAX_LISTED
            ));
        }
    }
    let proposals: Vec<(&str, &Flagged)> = r
        .professions
        .iter()
        .flat_map(|p| p.proposals.iter().map(move |f| (p.slug.as_str(), f)))
        .collect();
    if !proposals.is_empty() {
        out.push_str("\nproposals waiting (take one with `willai approve --accept-proposal`, drop it with `willai reject`):\n");
        for (slug, f) in proposals.iter().take(MAX_LISTED) {
            out.push_str(&format!("  {slug}/{} ({} {})\n", f.id, f.kind, f.state));
        }
        if proposals.len() > MAX_LISTED {
            out.push_str(&format!(
                "  ... and {} more\n",
                proposals.len() - MAX_LISTED
            ));
        }
    }
    out
}

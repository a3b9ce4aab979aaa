//! The site's data for machines: the JSON API (an index of professions and one file per
//! profession) and a CSV of every published task. Both carry who reviewed each item and
//! when, the edition and the licence of the site's text; the API names its schema
//! version, raised when a field changes meaning or goes away (adding one does not).

use serde::Serialize;

use super::groups::Group;
use super::layout;
use super::text;
use super::view::{Profession, Review, Shares, Tally};
use crate::canonical;
use crate::catalog::TaskType;
use crate::config::{License, Site};
use crate::record::{Level, Verdict};

/// The version of the API's shape. 2: reviewer, date, task type, edition, licence, id,
/// aliases, group and shares added (issue 12).
pub const SCHEMA_VERSION: u32 = 2;

pub const ONET_ATTRIBUTION: &str = "Task statements from O*NET, U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), CC BY 4.0.";

#[derive(Serialize)]
pub struct Edition<'a> {
    pub volume: Option<&'a str>,
    pub number: Option<&'a str>,
    pub date: Option<&'a str>,
    /// As the masthead shows it: "Vol. I, No. 04, April 20, 2026".
    pub text: String,
}

pub fn edition(site: &Site) -> Option<Edition<'_>> {
    (!site.edition.is_empty()).then(|| Edition {
        volume: site.volume.as_deref(),
        number: site.number.as_deref(),
        date: site.date.as_deref(),
        text: site.edition.join(", "),
    })
}

#[derive(Serialize)]
struct ApiIndex<'a> {
    schema_version: u32,
    site: &'a str,
    edition: Option<Edition<'a>>,
    license: &'a Option<License>,
    professions: Vec<ApiIndexEntry<'a>>,
}

#[derive(Serialize)]
struct ApiIndexEntry<'a> {
    id: &'a str,
    slug: &'a str,
    name: &'a str,
    aliases: &'a [String],
    onet_soc: &'a Option<String>,
    group: Group,
    url: String,
    api: String,
    counts: &'a Tally,
    high_share: u32,
    shares: &'a Shares,
    /// The latest approval of the profession's items.
    reviewed: &'a Option<String>,
}

#[derive(Serialize)]
struct ApiProfession<'a> {
    schema_version: u32,
    edition: Option<Edition<'a>>,
    license: &'a Option<License>,
    id: &'a str,
    slug: &'a str,
    name: &'a str,
    aliases: &'a [String],
    url: String,
    onet_soc: &'a Option<String>,
    group: Group,
    counts: &'a Tally,
    high_share: u32,
    shares: &'a Shares,
    reviewers: &'a [String],
    reviewed: &'a Option<String>,
    tasks: Vec<ApiTask<'a>>,
    skills: Vec<ApiSkill<'a>>,
    insights: &'a [String],
    attribution: Option<&'static str>,
}

#[derive(Serialize)]
struct ApiTask<'a> {
    id: &'a str,
    slug: &'a str,
    title: &'a str,
    text: &'a str,
    #[serde(rename = "type")]
    kind: Option<TaskType>,
    level: Level,
    rationale: &'a str,
    tools: &'a [String],
    tip: &'a Option<String>,
    onet_task_id: Option<u64>,
    reviewer: Option<&'a str>,
    date: Option<&'a str>,
    url: String,
    /// Only in a preview with drafts (`serve --drafts`): "draft", "edited" or
    /// "proposal", for text not yet reviewed. Never in a published site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<&'static str>,
}

#[derive(Serialize)]
struct ApiSkill<'a> {
    id: &'a str,
    name: &'a str,
    verdict: Verdict,
    reason: &'a str,
    reviewer: Option<&'a str>,
    date: Option<&'a str>,
    /// As for tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<&'static str>,
}

fn who(r: &Option<Review>) -> (Option<&str>, Option<&str>) {
    match r {
        Some(r) => (Some(r.reviewer.as_str()), Some(r.date.as_str())),
        None => (None, None),
    }
}

pub fn profession_url(site: &Site, p: &Profession) -> String {
    format!("{}/{}/", site.base_url, p.slug)
}

pub fn task_url(site: &Site, p: &Profession, task_slug: &str) -> String {
    format!("{}/{}", site.base_url, layout::task_page(p, task_slug))
}

/// `api/professions/<slug>.json`.
pub fn api_profession(site: &Site, p: &Profession) -> String {
    let api = ApiProfession {
        schema_version: SCHEMA_VERSION,
        edition: edition(site),
        license: &site.license,
        id: &p.id,
        slug: &p.slug,
        name: &p.name,
        aliases: &p.aliases,
        url: profession_url(site, p),
        onet_soc: &p.onet_soc,
        group: p.group,
        counts: &p.counts,
        high_share: p.high_share,
        shares: &p.shares,
        reviewers: &p.review.reviewers,
        reviewed: &p.review.date,
        tasks: p
            .tasks
            .iter()
            .map(|t| {
                let (reviewer, date) = who(&t.review);
                ApiTask {
                    id: &t.id,
                    slug: &t.slug,
                    title: &t.title,
                    text: &t.text,
                    kind: t.kind,
                    level: t.level,
                    rationale: &t.rationale,
                    tools: &t.tools,
                    tip: &t.tip,
                    onet_task_id: t.onet_task_id,
                    reviewer,
                    date,
                    url: task_url(site, p, &t.slug),
                    pending: t.pending,
                }
            })
            .collect(),
        skills: p
            .vulnerable
            .iter()
            .chain(&p.resilient)
            .map(|s| {
                let (reviewer, date) = who(&s.review);
                ApiSkill {
                    id: &s.id,
                    name: &s.name,
                    verdict: s.verdict,
                    reason: &s.reason,
                    reviewer,
                    date,
                    pending: s.pending,
                }
            })
            .collect(),
        insights: &p.insights,
        attribution: p.onet.then_some(ONET_ATTRIBUTION),
    };
    canonical::pretty(&api)
}

/// `api/professions/index.json`.
pub fn api_index(site: &Site, professions: &[Profession]) -> String {
    let index = ApiIndex {
        schema_version: SCHEMA_VERSION,
        site: &site.name,
        edition: edition(site),
        license: &site.license,
        professions: professions
            .iter()
            .map(|p| ApiIndexEntry {
                id: &p.id,
                slug: &p.slug,
                name: &p.name,
                aliases: &p.aliases,
                onet_soc: &p.onet_soc,
                group: p.group,
                url: profession_url(site, p),
                api: format!("{}/{}", site.base_url, layout::api_file(p)),
                counts: &p.counts,
                high_share: p.high_share,
                shares: &p.shares,
                reviewed: &p.review.date,
            })
            .collect(),
    };
    canonical::pretty(&index)
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 14] = [
    "profession",
    "profession_id",
    "onet_soc",
    "major_group",
    "task_id",
    "onet_task_id",
    "task_type",
    "title",
    "statement",
    "level",
    "rationale",
    "reviewer",
    "date",
    "url",
];

/// Every published task, one row each, professions in slug order and tasks in catalog
/// order. RFC 4180 quoting, `\n` line ends, UTF-8.
pub fn csv(site: &Site, professions: &[Profession]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for p in professions {
        for t in &p.tasks {
            let (reviewer, date) = who(&t.review);
            let onet_id = t.onet_task_id.map(|n| n.to_string()).unwrap_or_default();
            let kind = match t.kind {
                Some(TaskType::Core) => "Core",
                Some(TaskType::Supplemental) => "Supplemental",
                None => "",
            };
            let row = [
                p.name.as_str(),
                &p.id,
                p.onet_soc.as_deref().unwrap_or(""),
                if p.group.code == "other" {
                    ""
                } else {
                    p.group.name
                },
                &t.id,
                &onet_id,
                kind,
                &t.title,
                &t.text,
                t.level.as_str(),
                &t.rationale,
                reviewer.unwrap_or(""),
                date.unwrap_or(""),
                &task_url(site, p, &t.slug),
            ];
            let cells = row.map(inert);
            w.write_record(cells.iter().map(|c| c.as_bytes()))?;
        }
    }
    Ok(w.into_inner()?)
}

/// A cell a spreadsheet will not run: one that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (OWASP's CSV injection list) gets a `'` in front, so `=cmd|...` from a
/// rationale or a reviewer's name is shown as text, never evaluated as a formula.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A count of tasks as a sentence says it ("19,265 tasks").
pub fn tasks_text(n: usize) -> String {
    text::count(n, "task", "tasks")
}

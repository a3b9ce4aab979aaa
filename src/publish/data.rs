//! The site's data for machines: the JSON API (an index of professions and one file per
//! profession), a CSV of every published task, and the search box's index. The API and
//! the CSV carry who reviewed each item and when, how much of its profession is
//! reviewed, the edition and the licence of the site's text; the API names its schema
//! version, raised when a field changes meaning or goes away (adding one does not).

use serde::Serialize;

use super::groups::Group;
use super::layout;
use super::text;
use super::view::{LevelCounts, Profession, Review, Shares, Standing, Task};
use crate::canonical;
use crate::catalog::TaskType;
use crate::config::{License, Site};
use crate::record::{Level, Verdict};

/// The version of the API's shape. 2: reviewer, date, task type, edition, licence, id,
/// aliases, group and shares added (issue 12). 3: `high_share` and `shares` are null for
/// a profession in review (they were the shares of whatever was reviewed, read as the
/// profession's), shares are rounded at the bar's boundaries (so HIGH is the share
/// printed everywhere), a task's `url` is its profession's page (`#t-N`) when it has no
/// deep dive; `coverage`, `standing`, `rank`, `short_name` and a task's `number` and
/// `page` added (issues 22 and 23).
pub const SCHEMA_VERSION: u32 = 3;

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
    short_name: &'a str,
    url: String,
    api: String,
    counts: &'a LevelCounts,
    coverage: ApiCoverage,
    standing: Standing,
    rank: Option<usize>,
    high_share: Option<u32>,
    shares: Option<&'a Shares>,
    /// The latest approval of the profession's items.
    reviewed: &'a Option<String>,
}

/// How much of a profession the figures cover.
#[derive(Serialize)]
struct ApiCoverage {
    /// Tasks shown, of the catalog's `tasks`.
    reviewed: usize,
    tasks: usize,
    complete: bool,
}

impl ApiCoverage {
    fn of(p: &Profession) -> ApiCoverage {
        ApiCoverage {
            reviewed: p.counts.tasks,
            tasks: p.coverage.tasks,
            complete: p.coverage.missing == 0,
        }
    }
}

/// The shares of a profession, when they are the profession's (not in review).
fn shares(p: &Profession) -> (Option<u32>, Option<&Shares>) {
    if p.standing == Standing::InReview {
        (None, None)
    } else {
        (Some(p.high_share), Some(&p.shares))
    }
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
    short_name: &'a str,
    url: String,
    onet_soc: &'a Option<String>,
    group: Group,
    counts: &'a LevelCounts,
    coverage: ApiCoverage,
    standing: Standing,
    rank: Option<usize>,
    high_share: Option<u32>,
    shares: Option<&'a Shares>,
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
    /// Its place in the profession's list, from 1.
    number: usize,
    /// Whether it has a deep-dive page (else `url` is its row on the profession's page).
    page: bool,
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

/// Where a task is read: its deep dive, else its row on its profession's page.
pub fn task_home(site: &Site, p: &Profession, t: &Task) -> String {
    if t.page {
        task_url(site, p, &t.slug)
    } else {
        format!("{}#t-{}", profession_url(site, p), t.number)
    }
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
        short_name: &p.short_name,
        url: profession_url(site, p),
        onet_soc: &p.onet_soc,
        group: p.group,
        counts: &p.counts,
        coverage: ApiCoverage::of(p),
        standing: p.standing,
        rank: p.rank,
        high_share: shares(p).0,
        shares: shares(p).1,
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
                    number: t.number,
                    page: t.page,
                    url: task_home(site, p, t),
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
                short_name: &p.short_name,
                url: profession_url(site, p),
                api: format!("{}/{}", site.base_url, layout::api_file(p)),
                counts: &p.counts,
                coverage: ApiCoverage::of(p),
                standing: p.standing,
                rank: p.rank,
                high_share: shares(p).0,
                shares: shares(p).1,
                reviewed: &p.review.date,
            })
            .collect(),
    };
    canonical::pretty(&index)
}

/// The CSV's columns. The last three say how much of the task's profession is
/// reviewed: its tasks shown, its tasks in the catalog, and its standing (`ranked`,
/// `few_tasks`, `in_review`).
pub const CSV_HEADER: [&str; 17] = [
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
    "profession_tasks_reviewed",
    "profession_tasks",
    "profession_standing",
];

/// Every published task, one row each, professions in slug order and tasks in catalog
/// order. RFC 4180 quoting, `\n` line ends, UTF-8.
pub fn csv(site: &Site, professions: &[Profession]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for p in professions {
        let (reviewed, tasks) = (p.counts.tasks.to_string(), p.coverage.tasks.to_string());
        let standing = match p.standing {
            Standing::Ranked => "ranked",
            Standing::FewTasks => "few_tasks",
            Standing::InReview => "in_review",
        };
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
                &task_home(site, p, t),
                &reviewed,
                &tasks,
                standing,
            ];
            let cells = row.map(inert);
            w.write_record(cells.iter().map(|c| c.as_bytes()))?;
        }
    }
    Ok(w.into_inner()?)
}

/// What the index's search box reads (`search.json`), fetched only when a reader
/// searches: per profession its folder, name, aliases, O*NET-SOC code and field, and per
/// task its profession (by position), its number and its title. Compact arrays, since
/// at O*NET scale (with O*NET's alternate titles as aliases) it is the largest file a
/// reader may load.
pub fn search(professions: &[Profession]) -> String {
    #[derive(Serialize)]
    struct Search<'a> {
        /// `[slug, name, aliases joined by "|", onet_soc or "", field name]`.
        professions: Vec<[String; 5]>,
        /// `[profession's position, task number, title]`.
        tasks: Vec<(usize, usize, &'a str)>,
    }
    let index = Search {
        professions: professions
            .iter()
            .map(|p| {
                [
                    p.slug.clone(),
                    p.name.clone(),
                    p.aliases.join("|"),
                    p.onet_soc.clone().unwrap_or_default(),
                    p.group.name.to_string(),
                ]
            })
            .collect(),
        tasks: professions
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.tasks.iter().map(move |t| (i, t.number, t.title.as_str())))
            .collect(),
    };
    let mut out = serde_json::to_string(&index).expect("the search index serializes");
    out.push('\n');
    out
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

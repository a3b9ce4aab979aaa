//! The index, in two orders: grouped by major group, and most exposed first (the
//! ranking, then the professions ranked apart and those in review: [`crate::publish::rank`]).

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::{PageMeta, Pages};
use crate::publish::chart;
use crate::publish::data::tasks_text;
use crate::publish::error::PublishError;
use crate::publish::groups::{self, Group};
use crate::publish::meta;
use crate::publish::rank;
use crate::publish::text::{self, DESCRIPTION_MAX, fit};
use crate::publish::view::{Coverage, LevelCounts, Profession, Shares, Standing};

/// A profession as the index lists it.
#[derive(Serialize)]
struct Row<'a> {
    slug: &'a str,
    name: &'a str,
    aliases: &'a [String],
    onet_soc: &'a Option<String>,
    group: Group,
    counts: &'a LevelCounts,
    coverage: &'a Coverage,
    standing: Standing,
    rank: Option<usize>,
    high_share: u32,
    shares: &'a Shares,
    summary: &'a str,
}

impl<'a> Row<'a> {
    fn of(p: &'a Profession) -> Row<'a> {
        Row {
            slug: &p.slug,
            name: &p.name,
            aliases: &p.aliases,
            onet_soc: &p.onet_soc,
            group: p.group,
            counts: &p.counts,
            coverage: &p.coverage,
            standing: p.standing,
            rank: p.rank,
            high_share: p.high_share,
            shares: &p.shares,
            summary: &p.summary,
        }
    }
}

fn rows<'a>(list: impl IntoIterator<Item = &'a Profession>) -> Vec<Value> {
    list.into_iter()
        .map(|p| Value::from(Serde(Row::of(p))))
        .collect()
}

#[derive(Serialize)]
struct Totals {
    /// Tasks shown, by level, and their shares.
    tasks: usize,
    high: usize,
    medium: usize,
    low: usize,
    shares: Shares,
    tasks_text: String,
    /// Tasks in the catalog of the professions listed, and whether all are shown.
    catalog: usize,
    complete: bool,
    /// Professions ranked, ranked apart, in review.
    ranked: usize,
    few: usize,
    in_review: usize,
}

impl Pages<'_> {
    /// The index, grouped by major group (`sort` "group") or most exposed first
    /// ("exposure"; a view of the same list, whose canonical URL is the index): the
    /// ranked professions, then those ranked apart (few tasks), then those in review.
    pub fn index(&self, sort: &str) -> Result<String, PublishError> {
        let site = self.site;
        let n = self.all.len();
        let sum = |f: fn(&Profession) -> usize| self.all.iter().map(f).sum::<usize>();
        let (high, medium, low) = (
            sum(|p| p.counts.high),
            sum(|p| p.counts.medium),
            sum(|p| p.counts.low),
        );
        let total_tasks = sum(|p| p.counts.tasks);
        let catalog = sum(|p| p.coverage.tasks.max(p.counts.tasks));
        let standing = |s: Standing| self.all.iter().filter(|p| p.standing == s).count();
        let totals = Totals {
            tasks: total_tasks,
            high,
            medium,
            low,
            shares: {
                let [high, medium, low] = chart::shares(high, medium, low);
                Shares { high, medium, low }
            },
            tasks_text: tasks_text(total_tasks),
            catalog,
            complete: total_tasks >= catalog,
            ranked: standing(Standing::Ranked),
            few: standing(Standing::FewTasks),
            in_review: standing(Standing::InReview),
        };
        let mut by_name: Vec<&Profession> = self.all.iter().collect();
        by_name.sort_by(|a, b| rank::by_name(a, b));
        let mut groups_v: Vec<Value> = Vec::new();
        let mut list: Vec<&Profession> = by_name.clone();
        if sort == "exposure" {
            // Ranked, most exposed first; then ranked apart, the same way; then in
            // review, by name.
            let key = |p: &&Profession| match p.standing {
                Standing::Ranked => 0,
                Standing::FewTasks => 1,
                Standing::InReview => 2,
            };
            list.sort_by(|a, b| {
                key(a).cmp(&key(b)).then_with(|| {
                    if a.standing == Standing::InReview {
                        rank::by_name(a, b)
                    } else {
                        rank::by_exposure(a, b)
                    }
                })
            });
        } else {
            list.sort_by(|a, b| {
                groups::rank(&a.group)
                    .cmp(&groups::rank(&b.group))
                    .then_with(|| rank::by_name(a, b))
            });
            for chunk in list.chunk_by(|a, b| a.group == b.group) {
                let g = chunk[0].group;
                groups_v.push(context! {
                    code => g.code, name => g.name,
                    professions => rows(chunk.iter().copied()),
                });
            }
        }
        let of = |s: Standing| rows(list.iter().copied().filter(|p| p.standing == s));
        let professions = text::count(n, "profession", "professions");
        let heading = if sort == "exposure" {
            "Most exposed to AI first".to_string()
        } else {
            format!("Will AI replace me? Task-by-task AI exposure of {professions}")
        };
        let reviewed = if totals.complete {
            format!("{} rated HIGH, MEDIUM or LOW", tasks_text(total_tasks))
        } else {
            format!(
                "{} of their {} reviewed so far, each rated HIGH, MEDIUM or LOW",
                text::thousands(total_tasks),
                tasks_text(catalog)
            )
        };
        let lede = if sort == "exposure" {
            format!(
                "{} ranked by the share of their tasks with HIGH exposure to AI. A profession is ranked once at least {}% of its tasks are reviewed and it has at least {} of them; those with fewer tasks are ranked apart, those with less reviewed are listed as in review.",
                text::count(totals.ranked, "profession", "professions"),
                site.ranking.coverage,
                site.ranking.min_tasks
            )
        } else {
            format!(
                "How exposed each task of {professions} is to AI: {reviewed}, each explained and reviewed by an editor."
            )
        };
        let title = super::index_title(site, sort);
        let json_ld = if sort == "exposure" {
            None
        } else {
            Some(meta::graph(vec![meta::website(site)]))
        };
        let html = self.theme.render(
            "index.html",
            context! {
                site => self.site_v.clone(), root => "", onet => self.any_onet,
                page => PageMeta {
                    kind: "index", title, description: fit(std::slice::from_ref(&lede), DESCRIPTION_MAX),
                    // The view by exposure is the same list: its canonical URL is the index.
                    canonical: Some(self.home()),
                    og_type: "website", og_title: &heading, json_ld, crumbs: vec![],
                    feed: true, noindex: false, alternate: None,
                }.value(),
                heading, lede, sort,
                groups => groups_v,
                professions => rows(list.iter().copied()),
                ranked => of(Standing::Ranked),
                few => of(Standing::FewTasks),
                in_review => of(Standing::InReview),
                distribution => Value::from(Serde(chart::histogram(
                    self.all.iter().filter(|p| p.standing == Standing::Ranked).map(|p| p.high_share),
                ))),
                totals => Value::from(Serde(&totals)),
            },
        )?;
        Ok(html)
    }
}

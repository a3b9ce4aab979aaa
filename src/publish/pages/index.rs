//! The index, in two orders: grouped by major group, and most exposed first.

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::{PageMeta, Pages};
use crate::publish::chart;
use crate::publish::data::tasks_text;
use crate::publish::error::PublishError;
use crate::publish::groups::{self, Group};
use crate::publish::meta;
use crate::publish::text::{self, DESCRIPTION_MAX, TITLE_MAX, fit};
use crate::publish::view::{Profession, Shares, Tally};

/// A profession as the index lists it.
#[derive(Serialize)]
struct Row<'a> {
    slug: &'a str,
    name: &'a str,
    aliases: &'a [String],
    onet_soc: &'a Option<String>,
    group: Group,
    counts: &'a Tally,
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
            high_share: p.high_share,
            shares: &p.shares,
            summary: &p.summary,
        }
    }
}

#[derive(Serialize)]
struct Totals {
    tasks: usize,
    high: usize,
    medium: usize,
    low: usize,
    shares: Shares,
    tasks_text: String,
}

impl Pages<'_> {
    /// The index, grouped by major group (`sort` "group") or most exposed first
    /// ("exposure"; a view of the same list, whose canonical URL is the index).
    pub fn index(&self, sort: &str) -> Result<String, PublishError> {
        let site = self.site;
        let n = self.all.len();
        let total_tasks: usize = self.all.iter().map(|p| p.counts.tasks).sum();
        let sum = |f: fn(&Tally) -> usize| self.all.iter().map(|p| f(&p.counts)).sum::<usize>();
        let (high, medium, low) = (sum(|c| c.high), sum(|c| c.medium), sum(|c| c.low));
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
        };
        let by_name = |a: &&Profession, b: &&Profession| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.slug.cmp(&b.slug))
        };
        let mut list: Vec<&Profession> = self.all.iter().collect();
        let mut groups_v: Vec<Value> = Vec::new();
        if sort == "exposure" {
            list.sort_by(|a, b| {
                // Share of HIGH tasks, compared exactly (cross-multiplied), highest first.
                let lhs = b.counts.high * a.counts.tasks.max(1);
                let rhs = a.counts.high * b.counts.tasks.max(1);
                lhs.cmp(&rhs).then_with(|| by_name(a, b))
            });
        } else {
            list.sort_by(|a, b| {
                groups::rank(&a.group)
                    .cmp(&groups::rank(&b.group))
                    .then_with(|| by_name(a, b))
            });
            for chunk in list.chunk_by(|a, b| a.group == b.group) {
                let g = chunk[0].group;
                groups_v.push(context! {
                    code => g.code, name => g.name,
                    professions => chunk.iter().map(|p| Value::from(Serde(Row::of(p)))).collect::<Vec<_>>(),
                });
            }
        }
        let heading = format!(
            "Will AI replace me? Task-by-task AI exposure of {}",
            text::count(n, "profession", "professions")
        );
        let lede = format!(
            "How exposed each task of {} is to AI: {} rated HIGH, MEDIUM or LOW, each explained and reviewed by an editor.",
            text::count(n, "profession", "professions"),
            tasks_text(total_tasks)
        );
        let title = if sort == "exposure" {
            fit(
                &[
                    format!("Most exposed to AI first: every profession | {}", site.name),
                    "Most exposed to AI first: every profession".to_string(),
                ],
                TITLE_MAX,
            )
        } else {
            fit(
                &[
                    format!(
                        "Will AI replace me? Task-by-task AI exposure | {}",
                        site.name
                    ),
                    format!("Will AI replace me? AI exposure by task | {}", site.name),
                ],
                TITLE_MAX,
            )
        };
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
                    feed: true, noindex: false,
                }.value(),
                heading, lede, sort,
                groups => groups_v,
                professions => list.iter().map(|p| Value::from(Serde(Row::of(p)))).collect::<Vec<_>>(),
                distribution => Value::from(Serde(chart::histogram(
                    self.all.iter().filter(|p| p.counts.tasks > 0).map(|p| p.high_share),
                ))),
                totals => Value::from(Serde(&totals)),
            },
        )?;
        Ok(html)
    }
}

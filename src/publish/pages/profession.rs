//! A profession's page and its deep dives.

use minijinja::context;
use minijinja::value::{Serde, Value};

use super::{HANDFUL, OTHERS, OTHERS_ON_TASKS, PageMeta, Pages, Rendered};
use crate::publish::data::{profession_url, task_url};
use crate::publish::error::PublishError;
use crate::publish::layout;
use crate::publish::meta::{self, Crumb};
use crate::publish::select;
use crate::publish::text::{self, advice};
use crate::publish::view::{Profession, Standing, level_class};
use crate::record::Level;

/// Whether `code` is an O*NET-SOC code ("15-2051.00"), which O*NET OnLine has a page for.
fn onet_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            2 => *c == b'-',
            7 => *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

/// The page of an occupation on O*NET OnLine, for a catalog entry with an O*NET-SOC code.
pub fn onet_online(p: &Profession) -> Option<String> {
    p.onet_soc
        .as_deref()
        .filter(|c| onet_code(c))
        .map(|c| format!("https://www.onetonline.org/link/summary/{c}"))
}

/// The lede of a profession's page (under a headline that names the profession): what
/// the page holds, and how much of the profession is reviewed when not all of it is.
/// The split itself is said by the figure under it.
fn lede(p: &Profession) -> String {
    if p.counts.tasks == 0 {
        format!(
            "None of its {} is reviewed yet, so this page shows its skills analysis only.",
            text::count(p.coverage.tasks, "task", "tasks")
        )
    } else if p.coverage.missing > 0 {
        format!(
            "{} of its {} reviewed so far, each rated HIGH, MEDIUM or LOW for its exposure to AI, with the reason.",
            text::thousands(p.coverage.reviewed),
            text::count(p.coverage.tasks, "task", "tasks"),
        )
    } else {
        format!(
            "Each of its {} rated HIGH, MEDIUM or LOW for its exposure to AI, with the reason; then its skills and key insights.",
            text::count(p.counts.tasks, "task", "tasks")
        )
    }
}

impl Pages<'_> {
    /// A profession's page and its deep dives.
    pub fn profession(&self, i: usize) -> Result<Rendered, PublishError> {
        let (site, theme) = (self.site, self.theme);
        let p = &self.all[i];
        let pv = Value::from(Serde(p));
        let plural = p.plural();
        // The deep dives' fewer other professions are the first of the page's.
        let others: Vec<Value> = select::others(self.all, i, OTHERS)
            .into_iter()
            .map(|o| context! { slug => o.slug.clone(), name => o.name.clone() })
            .collect();
        let onet_online = onet_online(p);
        let api = format!("../{}", layout::api_file(p));
        let ctx = |extra: Value| {
            context! {
                p => pv.clone(), site => self.site_v.clone(), root => "../",
                plural => plural.clone(), ..extra
            }
        };
        // Parts the page and its deep dives share are rendered once; the skills (compact
        // on a large profession's deep dives) and the other professions per kind of page.
        let shared = context! {
            insights => theme.part("_insights.html", ctx(context! {}))?,
            cta => theme.part("_cta.html", ctx(context! {}))?,
            disclaimer => theme.part("_disclaimer.html", ctx(context! {}))?,
        };
        let skills_full = theme.part("_skills.html", ctx(context! { compact => false }))?;
        // `on_task`: for a deep dive, where the split must say it is the profession's.
        let common = |n: usize, compact: bool, on_task: bool| -> Result<Value, PublishError> {
            let others_v = Value::from(others[..n.min(others.len())].to_vec());
            let skills = if compact {
                theme.part("_skills.html", ctx(context! { compact }))?
            } else {
                skills_full.clone()
            };
            Ok(context! {
                skills,
                split => theme.part("_split.html", ctx(context! { compact, on_task }))?,
                others => theme.part("_others.html", ctx(context! { others => others_v }))?,
                ..shared.clone()
            })
        };
        let trail = self.trail(p, "../");
        // The tasks by level, for the compact table of a deep dive.
        let levels: Value = Level::ALL
            .iter()
            .map(|&l| {
                let tasks: Vec<Value> = p
                    .tasks
                    .iter()
                    .filter(|t| t.level == l)
                    .map(|t| {
                        context! {
                            slug => t.slug.clone(), title => t.title.clone(), pending => t.pending,
                            page => t.page, number => t.number,
                        }
                    })
                    .collect();
                context! { name => l.as_str(), class => level_class(l), tasks }
            })
            .collect::<Vec<Value>>()
            .into();
        let mut out = Vec::with_capacity(p.tasks.len() + 1);

        // The profession's page.
        let heading = format!("Will AI replace {plural}? Task-by-task AI exposure");
        let url = profession_url(site, p);
        let mut crumbs: Vec<Crumb> = trail
            .iter()
            .map(|(n, _, u)| Crumb {
                name: n.clone(),
                url: Some(u.clone()),
            })
            .collect();
        crumbs.push(Crumb {
            name: p.name.clone(),
            url: None,
        });
        let occupation = meta::occupation(p, onet_online.as_deref());
        let json_ld = meta::graph(vec![
            meta::about(
                meta::article(
                    site,
                    &heading,
                    p.review.date.as_deref(),
                    &p.review.reviewers,
                ),
                occupation.clone(),
            ),
            meta::breadcrumbs(&crumbs),
        ]);
        let mut page_crumbs: Vec<(String, Option<String>)> = trail
            .iter()
            .map(|(n, l, _)| (n.clone(), Some(l.clone())))
            .collect();
        page_crumbs.push((p.name.clone(), None));
        let review = p.review.date.as_ref().map(|date| {
            context! {
                reviewer => p.review.reviewers_text.clone(),
                date => date.clone(),
                date_text => p.review.date_text.clone(),
                last => !p.review.one_day,
                how => Value::from(Serde(&p.review.how)),
            }
        });
        let unreviewed = p.review.unreviewed;
        let byline = theme.part(
            "_byline.html",
            ctx(context! { review, unreviewed, pending => Value::from(()) }),
        )?;
        let mut parts = common(OTHERS, false, false)?;
        let table = theme.part(
            "_table.html",
            ctx(
                context! { compact => false, current => Value::from(()), levels => levels.clone() },
            ),
        )?;
        let compare = if p.standing == Standing::InReview {
            Value::from_safe_string(String::new())
        } else {
            theme.part("_compare.html", ctx(context! {}))?
        };
        parts = context! { table, byline, compare, ..parts };
        let html = theme.render(
            "profession.html",
            context! {
                site => self.site_v.clone(), root => "../", onet => p.onet,
                page => PageMeta {
                    kind: "profession", title: p.head.title.clone(),
                    description: p.head.description.clone(), canonical: Some(url.clone()),
                    og_type: "article", og_title: &heading, json_ld: Some(json_ld),
                    crumbs: page_crumbs, feed: true, noindex: false,
                    alternate: Some(api.clone()),
                }.value(),
                heading, lede => lede(p), profession => pv.clone(), parts,
                plural => plural.clone(), onet_online => onet_online.clone(), api => api.clone(),
            },
        )?;
        out.push((layout::profession_page(p), html));

        // Its deep dives.
        // Above a handful of tasks, a deep dive shows the profession's table and skills
        // compactly: the rationales and the reasons are on the profession's page.
        let compact = p.tasks.len() > HANDFUL;
        let parts = common(OTHERS_ON_TASKS, compact, true)?;
        let tasks_v = pv.get_attr("tasks").unwrap_or_default();
        let pages: Vec<usize> = (0..p.tasks.len()).filter(|&k| p.tasks[k].page).collect();
        for (at, &k) in pages.iter().enumerate() {
            let t = &p.tasks[k];
            let heading = format!("AI and {}: Impact on {plural}", t.title);
            let url = task_url(site, p, &t.slug);
            let mut crumbs: Vec<Crumb> = trail
                .iter()
                .map(|(n, _, u)| Crumb {
                    name: n.clone(),
                    url: Some(u.clone()),
                })
                .collect();
            crumbs.push(Crumb {
                name: p.name.clone(),
                url: Some(profession_url(site, p)),
            });
            crumbs.push(Crumb {
                name: t.title.clone(),
                url: None,
            });
            let reviewers: Vec<String> = t.review.iter().map(|r| r.reviewer.clone()).collect();
            let json_ld = meta::graph(vec![
                meta::about(
                    meta::article(
                        site,
                        &heading,
                        t.review.as_ref().map(|r| r.date.as_str()),
                        &reviewers,
                    ),
                    occupation.clone(),
                ),
                meta::breadcrumbs(&crumbs),
            ]);
            let mut page_crumbs: Vec<(String, Option<String>)> = trail
                .iter()
                .map(|(n, l, _)| (n.clone(), Some(l.clone())))
                .collect();
            page_crumbs.push((p.name.clone(), Some("index.html".into())));
            page_crumbs.push((t.title.clone(), None));
            let near = |j: Option<usize>| {
                j.and_then(|j| pages.get(j))
                    .map(|&j| &p.tasks[j])
                    .map(|o| context! { slug => o.slug.clone(), title => o.title.clone() })
            };
            let byline = theme.part(
                "_byline.html",
                ctx(context! { review => Value::from(Serde(&t.review)), pending => t.pending, unreviewed => 0 }),
            )?;
            let table = theme.part(
                "_table.html",
                ctx(context! { compact, current => t.slug.clone(), levels => levels.clone() }),
            )?;
            let html = theme.render(
                "task.html",
                context! {
                    site => self.site_v.clone(), root => "../", onet => p.onet,
                    page => PageMeta {
                        kind: "task", title: t.head.title.clone(),
                        description: t.head.description.clone(), canonical: Some(url),
                        og_type: "article", og_title: &heading, json_ld: Some(json_ld),
                        crumbs: page_crumbs, feed: false, noindex: false, alternate: None,
                    }.value(),
                    heading, plural => plural.clone(),
                    profession => pv.clone(),
                    task => tasks_v.get_item(&Value::from(k)).unwrap_or_default(),
                    advice => advice(t.level, &t.title),
                    prev => near(at.checked_sub(1)),
                    next => near(Some(at + 1)),
                    parts => context! { table, byline, ..parts.clone() },
                },
            )?;
            out.push((layout::task_page(p, &t.slug), html));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_onet_soc_codes_link_to_onet_online() {
        assert!(onet_code("15-2051.00"));
        for bad in [
            "15-2051",
            "x5-2051.00",
            "15-2051.0a",
            "15_2051.00",
            "",
            "javascript:x",
        ] {
            assert!(!onet_code(bad), "{bad}");
        }
    }
}

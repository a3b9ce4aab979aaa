//! A profession's page and its deep dives.

use minijinja::context;
use minijinja::value::{Serde, Value};

use super::{HANDFUL, OTHERS, OTHERS_ON_TASKS, PageMeta, Pages, Rendered};
use crate::publish::data::{profession_url, task_url};
use crate::publish::error::PublishError;
use crate::publish::layout;
use crate::publish::meta::{self, Crumb};
use crate::publish::select;
use crate::publish::text::{self, DESCRIPTION_MAX, TITLE_MAX, advice, fit};
use crate::publish::view::level_class;
use crate::record::Level;

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
        let ctx = |extra: Value| context! { p => pv.clone(), site => self.site_v.clone(), root => "../", ..extra };
        // Parts the page and its deep dives share are rendered once; the skills (compact
        // on a large profession's deep dives) and the other professions per kind of page.
        let shared = context! {
            counts => theme.part("_counts.html", ctx(context! {}))?,
            insights => theme.part("_insights.html", ctx(context! {}))?,
            cta => theme.part("_cta.html", ctx(context! {}))?,
            disclaimer => theme.part("_disclaimer.html", ctx(context! {}))?,
        };
        let skills_full = theme.part("_skills.html", ctx(context! { compact => false }))?;
        let common = |n: usize, compact: bool| -> Result<Value, PublishError> {
            let others_v = Value::from(others[..n.min(others.len())].to_vec());
            let skills = if compact {
                theme.part("_skills.html", ctx(context! { compact }))?
            } else {
                skills_full.clone()
            };
            Ok(context! {
                skills,
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
                    .map(|t| context! { slug => t.slug.clone(), title => t.title.clone(), pending => t.pending })
                    .collect();
                context! { name => l.as_str(), class => level_class(l), tasks }
            })
            .collect::<Vec<Value>>()
            .into();
        let mut out = Vec::with_capacity(p.tasks.len() + 1);

        // The profession's page.
        let heading = format!("Will AI replace {plural}? Task-by-task AI exposure");
        let lede = format!(
            "How exposed each task of {plural} is to AI, task by task: {} of {} {} high exposure. Skills analysis and key insights.",
            text::thousands(p.counts.high),
            text::count(p.counts.tasks, "task", "tasks"),
            if p.counts.high == 1 { "faces" } else { "face" }
        );
        let title = fit(
            &[
                format!("{heading} | {}", site.name),
                format!("Will AI replace {plural}? | {}", site.name),
                format!("Will AI replace {plural}?"),
            ],
            TITLE_MAX,
        );
        let description = fit(
            &[
                lede.clone(),
                format!("How exposed each task of {plural} is to AI: {}.", p.summary),
            ],
            DESCRIPTION_MAX,
        );
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
        let json_ld = meta::graph(vec![
            meta::article(
                site,
                &heading,
                p.review.date.as_deref(),
                &p.review.reviewers,
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
        let mut parts = common(OTHERS, false)?;
        let table = theme.part(
            "_table.html",
            ctx(
                context! { compact => false, current => Value::from(()), levels => levels.clone() },
            ),
        )?;
        parts = context! { table, byline, ..parts };
        let html = theme.render(
            "profession.html",
            context! {
                site => self.site_v.clone(), root => "../", onet => p.onet,
                page => PageMeta {
                    kind: "profession", title, description, canonical: Some(url.clone()),
                    og_type: "article", og_title: &heading, json_ld: Some(json_ld),
                    crumbs: page_crumbs, feed: true, noindex: false,
                }.value(),
                heading, lede, profession => pv.clone(), parts, plural => plural.clone(),
            },
        )?;
        out.push((layout::profession_page(p), html));

        // Its deep dives.
        // Above a handful of tasks, a deep dive shows the profession's table and skills
        // compactly: the rationales and the reasons are on the profession's page.
        let compact = p.tasks.len() > HANDFUL;
        let parts = common(OTHERS_ON_TASKS, compact)?;
        let tasks_v = pv.get_attr("tasks").unwrap_or_default();
        for (k, t) in p.tasks.iter().enumerate() {
            let heading = format!("AI and {}: Impact on {plural}", t.title);
            let lede = format!(
                "Deep dive into how AI is transforming {} for {}. Exposure level, tools, and adaptation strategies.",
                t.title,
                p.workers()
            );
            let title = fit(
                &[
                    format!("{heading} | {}", site.name),
                    format!("{}: AI impact on {plural}", t.title),
                    // The profession stays in the title (tasks of different professions
                    // share titles), cut at a word with an ellipsis when it must be.
                    format!("{} | {}", t.title, p.name),
                ],
                TITLE_MAX,
            );
            let description = fit(
                &[
                    lede.clone(),
                    format!(
                        "How AI is transforming {} for {}: {} exposure, the tools, and how to adapt.",
                        t.title, p.name, t.level
                    ),
                    format!(
                        "{}: {} AI exposure, the tools, and how to adapt.",
                        t.title, t.level
                    ),
                ],
                DESCRIPTION_MAX,
            );
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
                meta::article(
                    site,
                    &heading,
                    t.review.as_ref().map(|r| r.date.as_str()),
                    &reviewers,
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
                j.and_then(|j| p.tasks.get(j))
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
                        kind: "task", title, description, canonical: Some(url),
                        og_type: "article", og_title: &heading, json_ld: Some(json_ld),
                        crumbs: page_crumbs, feed: false, noindex: false,
                    }.value(),
                    heading, lede, plural => plural.clone(),
                    profession => pv.clone(),
                    task => tasks_v.get_item(&Value::from(k)).unwrap_or_default(),
                    advice => advice(t.level, &t.title),
                    prev => near(k.checked_sub(1)),
                    next => near(Some(k + 1)),
                    parts => context! { table, byline, ..parts.clone() },
                },
            )?;
            out.push((layout::task_page(p, &t.slug), html));
        }
        Ok(out)
    }
}

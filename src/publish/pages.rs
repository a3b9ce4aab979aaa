//! The HTML pages: what each page kind's template is given (its context, documented in
//! the README's Themes section) and the sentences around it (titles, descriptions and
//! ledes that fit what search engines show). Parts that are the same on every page of a
//! profession (counts, skills, insights, call to action, disclaimer, other professions)
//! are rendered once per profession and handed to its pages as `parts`.

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::PublishError;
use super::chart;
use super::data::{profession_url, task_url, tasks_text};
use super::groups::{self, Group};
use super::layout;
use super::meta::{self, Crumb};
use super::model::{self, Counts, Profession, Shares};
use super::text::{DESCRIPTION_MAX, TITLE_MAX, advice, fit};
use super::theme::Theme;
use crate::config::Site;
use crate::record::Level;

/// Other professions linked from a profession's page, and from each of its deep dives.
const OTHERS: usize = 8;
const OTHERS_ON_TASKS: usize = 3;
/// Up to this many tasks, a deep dive shows the profession's full table (every
/// rationale, as the reference page does); above it, a compact one (title and level).
pub const HANDFUL: usize = 6;

/// What every page's template gets about the page itself.
struct PageMeta<'a> {
    kind: &'static str,
    title: String,
    description: String,
    canonical: Option<String>,
    og_type: &'static str,
    og_title: &'a str,
    json_ld: Option<String>,
    crumbs: Vec<(String, Option<String>)>,
    feed: bool,
    noindex: bool,
}

impl PageMeta<'_> {
    fn value(self) -> Value {
        let crumbs: Vec<Value> = self
            .crumbs
            .into_iter()
            .map(|(name, url)| context! { name, url })
            .collect();
        context! {
            kind => self.kind,
            title => self.title,
            description => self.description,
            canonical => self.canonical,
            og_type => self.og_type,
            og_title => self.og_title,
            json_ld => self.json_ld.map(Value::from_safe_string),
            crumbs,
            feed => self.feed,
            noindex => self.noindex,
        }
    }
}

/// A profession as the index lists it.
#[derive(Serialize)]
struct Row<'a> {
    slug: &'a str,
    name: &'a str,
    aliases: &'a [String],
    onet_soc: &'a Option<String>,
    group: Group,
    counts: &'a Counts,
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
struct SiteView<'a> {
    #[serde(flatten)]
    site: &'a Site,
    /// Whether the site has an about page.
    about: bool,
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

/// Renders the pages of one site.
pub struct Pages<'a> {
    pub theme: &'a Theme,
    pub site: &'a Site,
    pub all: &'a [Profession],
    site_v: Value,
    /// Whether any profession's tasks come from O*NET (the attribution on site pages).
    any_onet: bool,
}

/// The rendered pages of one profession: (path, HTML).
pub type Rendered = Vec<(String, String)>;

impl<'a> Pages<'a> {
    pub fn new(theme: &'a Theme, site: &'a Site, all: &'a [Profession]) -> Pages<'a> {
        Pages {
            site_v: Value::from(Serde(SiteView {
                site,
                about: theme.about.is_some(),
            })),
            theme,
            site,
            all,
            any_onet: all.iter().any(|p| p.onet),
        }
    }

    fn home(&self) -> String {
        format!("{}/", self.site.base_url)
    }

    /// The breadcrumb trail to a profession: (name, relative link, absolute URL).
    fn trail(&self, p: &Profession, root: &str) -> Vec<(String, String, String)> {
        let mut t = vec![("Home".to_string(), format!("{root}index.html"), self.home())];
        if p.group != groups::OTHER {
            t.push((
                p.group.name.to_string(),
                format!("{root}index.html#g-{}", p.group.code),
                format!("{}#g-{}", self.home(), p.group.code),
            ));
        }
        t
    }

    /// A profession's page and its deep dives.
    pub fn profession(&self, i: usize) -> Result<Rendered, PublishError> {
        let (site, theme) = (self.site, self.theme);
        let p = &self.all[i];
        let pv = Value::from(Serde(p));
        let plural = model::plural(&p.name);
        let others = |n: usize| -> Value {
            model::others(self.all, i, n)
                .into_iter()
                .map(|o| context! { slug => o.slug.clone(), name => o.name.clone() })
                .collect::<Vec<Value>>()
                .into()
        };
        let ctx = |extra: Value| context! { p => pv.clone(), site => self.site_v.clone(), root => "../", ..extra };
        let common = |others_v: Value, compact: bool| -> Result<Value, PublishError> {
            Ok(context! {
                counts => theme.part("_counts.html", ctx(context! {}))?,
                skills => theme.part("_skills.html", ctx(context! { compact }))?,
                insights => theme.part("_insights.html", ctx(context! {}))?,
                cta => theme.part("_cta.html", ctx(context! {}))?,
                disclaimer => theme.part("_disclaimer.html", ctx(context! {}))?,
                others => theme.part("_others.html", ctx(context! { others => others_v }))?,
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
                    .map(|t| context! { slug => t.slug.clone(), title => t.title.clone() })
                    .collect();
                context! { name => l.as_str(), class => model::level_class(l), tasks }
            })
            .collect::<Vec<Value>>()
            .into();
        let mut out = Vec::with_capacity(p.tasks.len() + 1);

        // The profession's page.
        let heading = format!("Will AI replace {plural}? Task-by-task AI exposure");
        let lede = format!(
            "How exposed each task of {plural} is to AI, task by task: {} of {} face high exposure. Skills analysis and key insights.",
            model::thousands(p.counts.high),
            model::count(p.counts.tasks, "task", "tasks")
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
            }
        });
        let byline = theme.part("_byline.html", ctx(context! { review }))?;
        let mut parts = common(others(OTHERS), false)?;
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
        let parts = common(others(OTHERS_ON_TASKS), compact)?;
        let tasks_v = pv.get_attr("tasks").unwrap_or_default();
        for (k, t) in p.tasks.iter().enumerate() {
            let heading = format!("AI and {}: Impact on {plural}", t.title);
            let lede = format!(
                "Deep dive into how AI is transforming {} for {} professionals. Exposure level, tools, and adaptation strategies.",
                t.title, p.name
            );
            let title = fit(
                &[
                    format!("{heading} | {}", site.name),
                    format!("{}: AI impact on {plural}", t.title),
                    format!("{}: AI exposure | {}", t.title, site.name),
                    t.title.clone(),
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
                ctx(context! { review => Value::from(Serde(&t.review)) }),
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

    /// The index, grouped by major group (`sort` "group") or most exposed first
    /// ("exposure"; a view of the same list, whose canonical URL is the index).
    pub fn index(&self, sort: &str) -> Result<String, PublishError> {
        let site = self.site;
        let n = self.all.len();
        let total_tasks: usize = self.all.iter().map(|p| p.counts.tasks).sum();
        let sum = |f: fn(&Counts) -> usize| self.all.iter().map(|p| f(&p.counts)).sum::<usize>();
        let (high, medium, low) = (sum(|c| c.high), sum(|c| c.medium), sum(|c| c.low));
        let totals = Totals {
            tasks: total_tasks,
            high,
            medium,
            low,
            shares: Shares {
                high: chart::percent(high, total_tasks),
                medium: chart::percent(medium, total_tasks),
                low: chart::percent(low, total_tasks),
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
            model::count(n, "profession", "professions")
        );
        let lede = format!(
            "How exposed each task of {} is to AI: {} rated HIGH, MEDIUM or LOW, each explained and reviewed by an editor.",
            model::count(n, "profession", "professions"),
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

    /// The methodology page: rubric, drafting and review, the data, how to cite.
    pub fn methodology(&self) -> Result<String, PublishError> {
        let site = self.site;
        let tasks: usize = self.all.iter().map(|p| p.counts.tasks).sum();
        let updated = self
            .all
            .iter()
            .filter_map(|p| p.review.date.as_deref())
            .max();
        let year = site
            .date
            .as_deref()
            .or(updated)
            .and_then(|d| d.get(..4))
            .map(String::from);
        let home = self.home();
        let title_of_work = format!(
            "Will AI replace me? Task-by-task AI exposure of {}",
            model::count(self.all.len(), "profession", "professions")
        );
        let edition = site.edition.join(", ");
        let cite = format!(
            "{}. ({}). {title_of_work}.{} {home}",
            site.name,
            year.as_deref().unwrap_or("n.d."),
            if edition.is_empty() {
                String::new()
            } else {
                format!(" {edition}.")
            }
        );
        let key: String = site
            .name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let mut bibtex = format!(
            "@misc{{{key}{},\n  title = {{{title_of_work}}},\n  author = {{{{{}}}}},\n",
            year.as_deref().unwrap_or(""),
            site.name
        );
        if let Some(y) = &year {
            bibtex.push_str(&format!("  year = {{{y}}},\n"));
        }
        if !edition.is_empty() {
            bibtex.push_str(&format!("  note = {{{edition}}},\n"));
        }
        bibtex.push_str(&format!("  howpublished = {{\\url{{{home}}}}}\n}}"));
        let heading = "Methodology: how each analysis is made".to_string();
        let url = format!("{}/{}", site.base_url, layout::METHODOLOGY);
        let crumbs = [
            Crumb {
                name: "Home".into(),
                url: Some(home.clone()),
            },
            Crumb {
                name: "Methodology".into(),
                url: None,
            },
        ];
        let json_ld = meta::graph(vec![
            meta::dataset(site, self.all.len(), tasks, updated, self.any_onet),
            meta::breadcrumbs(&crumbs),
        ]);
        self.theme.render(
            "methodology.html",
            context! {
                site => self.site_v.clone(), root => "", onet => self.any_onet,
                page => PageMeta {
                    kind: "methodology",
                    title: fit(&[format!("{heading} | {}", site.name), heading.clone()], TITLE_MAX),
                    description: "How every task is rated HIGH, MEDIUM or LOW for AI exposure, how drafts are reviewed and approved by editors, the data to download, and how to cite it.".into(),
                    canonical: Some(url), og_type: "article", og_title: &heading,
                    json_ld: Some(json_ld),
                    crumbs: vec![("Home".into(), Some("index.html".into())), ("Methodology".into(), None)],
                    feed: false, noindex: false,
                }.value(),
                heading,
                data => context! { tasks_text => tasks_text(tasks) },
                cite => context! { text => cite, bibtex },
            },
        )
    }

    /// The about page, from the project's `about.md`.
    pub fn about(&self) -> Result<Option<String>, PublishError> {
        let Some(doc) = &self.theme.about else {
            return Ok(None);
        };
        let site = self.site;
        let heading = doc
            .title
            .clone()
            .unwrap_or_else(|| format!("About {}", site.name));
        let text = strip_tags(&doc.html);
        let description = fit(&[text.trim().to_string()], DESCRIPTION_MAX);
        let description = if description.is_empty() {
            heading.clone()
        } else {
            description
        };
        self.theme
            .render(
                "about.html",
                context! {
                    site => self.site_v.clone(), root => "", onet => false,
                    page => PageMeta {
                        kind: "about",
                        title: fit(&[format!("{heading} | {}", site.name), heading.clone()], TITLE_MAX),
                        description,
                        canonical: Some(format!("{}/{}", site.base_url, layout::ABOUT)),
                        og_type: "website", og_title: &heading, json_ld: None,
                        crumbs: vec![("Home".into(), Some("index.html".into())), (heading.clone(), None)],
                        feed: false, noindex: false,
                    }.value(),
                    heading,
                    about => Value::from_safe_string(doc.html.clone()),
                },
            )
            .map(Some)
    }

    /// The page a web server shows for a missing path; its links start at the site's
    /// root path, since it is served at any depth.
    pub fn not_found(&self) -> Result<String, PublishError> {
        let heading = "Page not found".to_string();
        self.theme.render(
            "404.html",
            context! {
                site => self.site_v.clone(), root => self.site.base_path.clone(), onet => false,
                page => PageMeta {
                    kind: "404",
                    title: format!("Page not found | {}", self.site.name),
                    description: "This page does not exist. Find every profession and its AI exposure from the index.".into(),
                    canonical: None, og_type: "website", og_title: &heading, json_ld: None,
                    crumbs: vec![], feed: false, noindex: true,
                }.value(),
                heading,
            },
        )
    }

    /// Every page for the sitemap, with the date of its latest approval.
    pub fn sitemap_urls(&self, about: bool) -> Vec<(String, Option<String>)> {
        let updated = self.all.iter().filter_map(|p| p.review.date.clone()).max();
        let mut urls = vec![(self.home(), updated)];
        urls.push((
            format!("{}/{}", self.site.base_url, layout::METHODOLOGY),
            None,
        ));
        if about {
            urls.push((format!("{}/{}", self.site.base_url, layout::ABOUT), None));
        }
        for p in self.all {
            urls.push((profession_url(self.site, p), p.review.date.clone()));
            for t in &p.tasks {
                urls.push((
                    task_url(self.site, p, &t.slug),
                    t.review.as_ref().map(|r| r.date.clone()),
                ));
            }
        }
        urls
    }
}

/// The text of some HTML (for a description).
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let text = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

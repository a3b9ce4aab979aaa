//! The HTML pages: what each page kind's template is given (its context, documented in
//! the README's Themes section) and the sentences around it (titles, descriptions and
//! ledes that fit what search engines show). One file per page kind: a profession's page
//! and its deep dives (`profession`), the index (`index`), the site's own pages
//! (`site`: methodology, about, 404). Parts that are the same on every page of a
//! profession (counts, skills, insights, call to action, disclaimer, other professions)
//! are rendered once for its page and once for its deep dives (compact skills, fewer
//! other professions) and handed to them as `parts`.

mod index;
mod profession;
mod site;

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::audit::Figures;
use super::data::{profession_url, task_url};
use super::groups;
use super::layout;
use super::markdown::Doc;
use super::text::{TITLE_MAX, fit};
use super::theme::Theme;
use super::view::Profession;
use crate::config::Site;

/// Other professions linked from a profession's page, and from each of its deep dives.
pub(super) const OTHERS: usize = 8;
pub(super) const OTHERS_ON_TASKS: usize = 3;
/// Up to this many tasks, a deep dive shows the profession's full table (every
/// rationale, as the reference page does); above it, a compact one (title and level).
pub const HANDFUL: usize = 6;

/// What every page's template gets about the page itself.
pub(super) struct PageMeta<'a> {
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
    /// The page's data as JSON (a profession's API file), for `<link rel="alternate">`.
    alternate: Option<String>,
}

impl PageMeta<'_> {
    pub(super) fn value(self) -> Value {
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
            alternate => self.alternate,
        }
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    #[serde(flatten)]
    site: &'a Site,
    /// Whether the site has an about page.
    about: bool,
    /// A preview with unreviewed text (`willai serve --drafts`), never a publish.
    preview: bool,
    /// The latest complete audit (`publish::audit`), or none.
    audit: Option<&'a Figures>,
    /// The picture links to the site show (`og:image`): its absolute URL, and its size
    /// when it is a PNG.
    og_image: OgImage,
}

#[derive(Serialize)]
struct OgImage {
    url: String,
    width: Option<u32>,
    height: Option<u32>,
}

/// The index's title, grouped by field (`sort` "group") or most exposed first.
pub(super) fn index_title(site: &Site, sort: &str) -> String {
    if sort == "exposure" {
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
    }
}

pub(super) const METHODOLOGY_HEADING: &str = "Methodology: how each analysis is made";

pub(super) fn methodology_title(site: &Site) -> String {
    fit(
        &[
            format!("{METHODOLOGY_HEADING} | {}", site.name),
            METHODOLOGY_HEADING.to_string(),
        ],
        TITLE_MAX,
    )
}

/// The about page's heading: the first `# Heading` of `about.md`, else "About NAME".
pub(super) fn about_heading(site: &Site, doc: &Doc) -> String {
    doc.title
        .clone()
        .unwrap_or_else(|| format!("About {}", site.name))
}

pub(super) fn about_title(site: &Site, doc: &Doc) -> String {
    let heading = about_heading(site, doc);
    fit(&[format!("{heading} | {}", site.name), heading], TITLE_MAX)
}

pub(super) fn not_found_title(site: &Site) -> String {
    format!("Page not found | {}", site.name)
}

/// The titles of the site's own pages, which no profession or task page may take
/// ([`super::heads`]).
pub fn site_titles(site: &Site, about: Option<&Doc>) -> Vec<String> {
    let mut t = vec![
        index_title(site, "group"),
        index_title(site, "exposure"),
        methodology_title(site),
        not_found_title(site),
    ];
    t.extend(about.map(|d| about_title(site, d)));
    t
}

/// Renders the pages of one site.
pub struct Pages<'a> {
    pub theme: &'a Theme,
    pub site: &'a Site,
    pub all: &'a [Profession],
    pub(super) site_v: Value,
    /// Whether any profession's tasks come from O*NET (the attribution on site pages).
    pub(super) any_onet: bool,
}

/// The rendered pages of one profession: (path, HTML).
pub type Rendered = Vec<(String, String)>;

impl<'a> Pages<'a> {
    pub fn new(
        theme: &'a Theme,
        site: &'a Site,
        all: &'a [Profession],
        preview: bool,
        audit: Option<&'a Figures>,
    ) -> Pages<'a> {
        Pages {
            site_v: Value::from(Serde(SiteView {
                site,
                about: theme.about.is_some(),
                preview,
                audit,
                og_image: OgImage {
                    url: format!("{}/{}", site.base_url, layout::OG_IMAGE),
                    width: theme.og_image_size().map(|s| s.0),
                    height: theme.og_image_size().map(|s| s.1),
                },
            })),
            theme,
            site,
            all,
            any_onet: all.iter().any(|p| p.onet),
        }
    }

    pub(super) fn home(&self) -> String {
        format!("{}/", self.site.base_url)
    }

    /// The breadcrumb trail to a profession: (name, relative link, absolute URL).
    pub(super) fn trail(&self, p: &Profession, root: &str) -> Vec<(String, String, String)> {
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
            for t in p.tasks.iter().filter(|t| t.page) {
                urls.push((
                    task_url(self.site, p, &t.slug),
                    t.review.as_ref().map(|r| r.date.clone()),
                ));
            }
        }
        urls
    }
}

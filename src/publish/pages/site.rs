//! The site's own pages: the methodology, the about page and the 404 page.

use minijinja::context;
use minijinja::value::Value;

use super::{PageMeta, Pages};
use crate::publish::data::tasks_text;
use crate::publish::error::PublishError;
use crate::publish::layout;
use crate::publish::meta::{self, Crumb};
use crate::publish::text::{self, DESCRIPTION_MAX, fit};

impl Pages<'_> {
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
            text::count(self.all.len(), "profession", "professions")
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
        let heading = super::METHODOLOGY_HEADING.to_string();
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
                    title: super::methodology_title(site),
                    description: "How every task is rated HIGH, MEDIUM or LOW for AI exposure, how drafts are reviewed and approved by editors, the data to download, and how to cite it.".into(),
                    canonical: Some(url), og_type: "article", og_title: &heading,
                    json_ld: Some(json_ld),
                    crumbs: vec![("Home".into(), Some("index.html".into())), ("Methodology".into(), None)],
                    feed: false, noindex: false, alternate: None,
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
        let heading = super::about_heading(site, doc);
        let description = fit(std::slice::from_ref(&doc.text), DESCRIPTION_MAX);
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
                        title: super::about_title(site, doc),
                        description,
                        canonical: Some(format!("{}/{}", site.base_url, layout::ABOUT)),
                        og_type: "website", og_title: &heading, json_ld: None,
                        crumbs: vec![("Home".into(), Some("index.html".into())), (heading.clone(), None)],
                        feed: false, noindex: false, alternate: None,
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
                    title: super::not_found_title(self.site),
                    description: "This page does not exist. Find every profession and its AI exposure from the index.".into(),
                    canonical: None, og_type: "website", og_title: &heading, json_ld: None,
                    crumbs: vec![], feed: false, noindex: true, alternate: None,
                }.value(),
                heading,
            },
        )
    }
}

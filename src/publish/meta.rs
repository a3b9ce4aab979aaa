//! What search engines and feed readers read: structured data (JSON-LD: Article,
//! BreadcrumbList, WebSite, Dataset), the sitemap with `lastmod` from approval dates,
//! robots.txt, and the Atom feed of analyses by approval date. Every date comes from an
//! approval (or the edition), never from the clock, so publishing twice gives the same
//! bytes.

use serde_json::{Value, json};

use super::layout;
use super::text;
use super::view::Profession;
use crate::config::Site;

/// Entries in the Atom feed: the most recently approved analyses.
pub const FEED_ENTRIES: usize = 50;

/// One step of a breadcrumb trail, with its absolute URL (none for the page itself).
pub struct Crumb {
    pub name: String,
    pub url: Option<String>,
}

/// JSON-LD as a `<script>` may hold it: `<`, `>` and `&` written as `\u` escapes, so no
/// text can end the script or be read as markup.
pub fn script(v: &Value) -> String {
    serde_json::to_string(v)
        .expect("JSON values serialize")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub fn breadcrumbs(crumbs: &[Crumb]) -> Value {
    let items: Vec<Value> = crumbs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut item = json!({"@type": "ListItem", "position": i + 1, "name": c.name});
            if let Some(u) = &c.url {
                item["item"] = json!(u);
            }
            item
        })
        .collect();
    json!({"@type": "BreadcrumbList", "itemListElement": items})
}

/// A graph of JSON-LD nodes in one script.
pub fn graph(nodes: Vec<Value>) -> String {
    script(&json!({"@context": "https://schema.org", "@graph": nodes}))
}

/// An analysis (a profession page or a deep dive): who published it, who reviewed it,
/// and when.
/// The page's URL is its canonical link; the JSON-LD does not repeat it.
pub fn article(site: &Site, headline: &str, date: Option<&str>, reviewers: &[String]) -> Value {
    let mut a = json!({
        "@type": "Article",
        "headline": headline,
        "author": {"@type": "Organization", "name": site.name},
    });
    if let Some(d) = date {
        a["datePublished"] = json!(d);
        a["dateModified"] = json!(d);
    }
    if !reviewers.is_empty() {
        let people: Vec<Value> = reviewers
            .iter()
            .map(|r| json!({"@type": "Person", "name": r}))
            .collect();
        a["editor"] = if people.len() == 1 {
            people[0].clone()
        } else {
            json!(people)
        };
    }
    if let Some(l) = &site.license {
        a["license"] = json!(l.url.as_deref().unwrap_or(&l.name));
    }
    a
}

/// What an analysis is about: the occupation, with its O*NET-SOC code as the
/// `occupationalCategory` and a few of its other names.
pub fn occupation(p: &Profession, onet_online: Option<&str>) -> Value {
    let mut o = json!({"@type": "Occupation", "name": p.name});
    if let Some(code) = &p.onet_soc {
        o["occupationalCategory"] = json!({
            "@type": "CategoryCode",
            "codeValue": code,
            "inCodeSet": {"@type": "CategoryCodeSet", "name": "O*NET-SOC"},
        });
    }
    if !p.aliases.is_empty() {
        o["alternateName"] = json!(
            p.aliases
                .iter()
                .take(OCCUPATION_ALIASES)
                .collect::<Vec<_>>()
        );
    }
    if let Some(url) = onet_online {
        o["sameAs"] = json!(url);
    }
    o
}

/// Other names of an occupation in its JSON-LD (O*NET lists dozens; search engines
/// need a few, and every page of the profession carries them).
const OCCUPATION_ALIASES: usize = 8;

/// An article about something.
pub fn about(mut article: Value, thing: Value) -> Value {
    article["about"] = thing;
    article
}

pub fn website(site: &Site) -> Value {
    json!({"@type": "WebSite", "name": site.name, "url": format!("{}/", site.base_url)})
}

/// The data download, described for dataset search.
pub fn dataset(
    site: &Site,
    professions: usize,
    tasks: usize,
    updated: Option<&str>,
    onet: bool,
) -> Value {
    let mut d = json!({
        "@type": "Dataset",
        "name": format!(
            "{}: AI exposure of {}, task by task",
            site.name,
            text::count(professions, "profession", "professions")
        ),
        "description": format!(
            "{} of {}, each rated HIGH, MEDIUM or LOW for its exposure to AI on the rubric of Eloundou et al. (2023), with a rationale, the reviewing editor and the date of approval.",
            text::count(tasks, "task", "tasks"),
            text::count(professions, "profession", "professions")
        ),
        "url": format!("{}/{}", site.base_url, layout::METHODOLOGY),
        "creator": {"@type": "Organization", "name": site.name, "url": format!("{}/", site.base_url)},
        "isAccessibleForFree": true,
        "keywords": ["AI exposure", "occupations", "tasks", "labor market", "large language models"],
        "variableMeasured": ["exposure level (HIGH, MEDIUM, LOW)", "rationale"],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": format!("{}/{}", site.base_url, layout::CSV)},
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": format!("{}/{}", site.base_url, layout::API_INDEX)},
        ],
    });
    if let Some(u) = updated {
        d["dateModified"] = json!(u);
    }
    if let Some(l) = &site.license {
        d["license"] = json!(l.url.as_deref().unwrap_or(&l.name));
    }
    if onet {
        d["isBasedOn"] = json!(
            "O*NET database, U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), CC BY 4.0"
        );
    }
    d
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `sitemap.xml`: every page a search engine should index, with the date of its latest
/// approval.
pub fn sitemap(urls: &[(String, Option<String>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        out.push_str("<url><loc>");
        out.push_str(&xml_escape(loc));
        out.push_str("</loc>");
        if let Some(d) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&xml_escape(d));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/{}\n",
        site.base_url,
        layout::SITEMAP
    )
}

/// The Atom feed: the [`FEED_ENTRIES`] most recently approved analyses, newest first
/// (ties by name). `updated` is the latest approval, else the edition date.
pub fn feed(site: &Site, professions: &[Profession]) -> String {
    let mut dated: Vec<&Profession> = professions
        .iter()
        .filter(|p| p.review.date.is_some())
        .collect();
    dated.sort_by(|a, b| {
        b.review
            .date
            .cmp(&a.review.date)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    dated.truncate(FEED_ENTRIES);
    let stamp = |d: &str| format!("{d}T00:00:00Z");
    let updated = dated
        .first()
        .and_then(|p| p.review.date.clone())
        .or_else(|| site.date.clone())
        .unwrap_or_else(|| "1970-01-01".into());
    let base = &site.base_url;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    out.push_str(&format!("<title>{}</title>\n", xml_escape(&site.name)));
    out.push_str(
        "<subtitle>Will AI replace me? Task-by-task AI exposure, reviewed by editors.</subtitle>\n",
    );
    out.push_str(&format!(
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n<id>{}</id>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
        xml_escape(&format!("{base}/{}", layout::FEED)),
        xml_escape(&format!("{base}/")),
        xml_escape(&format!("{base}/")),
        stamp(&updated),
        xml_escape(&site.name)
    ));
    if let Some(l) = &site.license {
        out.push_str(&format!("<rights>{}</rights>\n", xml_escape(&l.name)));
    }
    for p in dated {
        let url = format!("{base}/{}/", p.slug);
        let date = p.review.date.as_deref().unwrap_or_default();
        out.push_str("<entry>\n");
        out.push_str(&format!(
            "<title>Will AI replace {}?</title>\n<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n<id>{}</id>\n<updated>{}</updated>\n",
            xml_escape(&p.plural()),
            xml_escape(&url),
            xml_escape(&url),
            stamp(date)
        ));
        for r in &p.review.reviewers {
            out.push_str(&format!(
                "<contributor><name>{}</name></contributor>\n",
                xml_escape(r)
            ));
        }
        out.push_str(&format!(
            "<summary>{}.</summary>\n</entry>\n",
            xml_escape(&p.summary)
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_end_its_script() {
        let s = script(&json!({"name": "</script><script>alert(1)</script> & co"}));
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & co");
    }

    #[test]
    fn the_sitemap_escapes_and_dates() {
        let s = sitemap(&[
            ("https://x.org/a&b/".into(), Some("2026-04-20".into())),
            ("https://x.org/".into(), None),
        ]);
        assert!(
            s.contains("<url><loc>https://x.org/a&amp;b/</loc><lastmod>2026-04-20</lastmod></url>")
        );
        assert!(s.contains("<url><loc>https://x.org/</loc></url>"));
    }
}

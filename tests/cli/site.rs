//! The site as a publication (issue 12): the index by major group with splits, charts
//! and search; pages that say each thing once; who reviewed what and when; the
//! methodology and about pages; the CSV and the API; the licence; what search engines
//! and feed readers read; themes. Built from `tests/fixtures/site/` (three O*NET
//! occupations of three major groups) laid over the valid fixture.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::publish::{files, publish, site_project, site_settings, squeezed_text};
use crate::util::{Project, run_ok};

fn read(out: &Path, rel: &str) -> String {
    fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn json(out: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(out, rel)).unwrap()
}

/// The published site of the site fixture.
fn published() -> (Project, std::path::PathBuf) {
    let p = site_project();
    let out = p.path("site");
    publish(&p, &out);
    (p, out)
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{text}"))
        + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?}"))
        + from;
    &text[from..to]
}

/// The row of the profession at `slug` in a listing page: its `<li ...>...</li>`.
fn row<'a>(page: &'a str, slug: &str) -> &'a str {
    let at = page
        .find(&format!("<a href=\"{slug}/index.html\">"))
        .unwrap_or_else(|| panic!("no row of {slug}"));
    let from = page[..at].rfind("<li").unwrap();
    let to = page[at..].find("</li>").unwrap() + at;
    &page[from..to]
}

/// Every JSON-LD node of a page (the `@graph` of its one script).
fn json_ld(html: &str) -> Vec<Value> {
    let script = between(html, "<script type=\"application/ld+json\">", "</script>");
    let v: Value = serde_json::from_str(script).unwrap_or_else(|e| panic!("{e}: {script}"));
    assert_eq!(v["@context"], "https://schema.org");
    v["@graph"].as_array().unwrap().clone()
}

fn node<'v>(nodes: &'v [Value], kind: &str) -> &'v Value {
    nodes
        .iter()
        .find(|n| n["@type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {nodes:?}"))
}

/// The HTML pages of a site, by path.
fn pages(out: &Path) -> BTreeMap<String, String> {
    files(out)
        .into_iter()
        .filter(|(f, _)| f.extension().is_some_and(|e| e == "html"))
        .map(|(f, b)| (f.display().to_string(), String::from_utf8(b).unwrap()))
        .collect()
}

#[test]
fn the_index_groups_professions_by_major_group_with_their_split() {
    let (_p, out) = published();
    let index = read(&out, "index.html");
    let api = json(&out, "api/professions/index.json");
    // The groups, in SOC order, "Other" last, each holding its professions.
    let order: Vec<usize> = [
        "<section class=\"group\" id=\"g-15\">\n<h2>Computer and Mathematical",
        "<section class=\"group\" id=\"g-23\">\n<h2>Legal",
        "<section class=\"group\" id=\"g-43\">\n<h2>Office and Administrative Support",
        "<section class=\"group\" id=\"g-other\">\n<h2>Other professions",
    ]
    .iter()
    .map(|h| index.find(h).unwrap_or_else(|| panic!("no {h:?}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let group_of = |slug: &str| -> &str {
        let at = index
            .find(&format!("<a href=\"{slug}/index.html\">"))
            .unwrap();
        let section = index[..at].rfind("<section class=\"group\" id=\"").unwrap();
        between(&index[section..], "id=\"", "\"")
    };
    assert_eq!(group_of("data-scientists"), "g-15");
    assert_eq!(group_of("paralegals-and-legal-assistants"), "g-23");
    assert_eq!(group_of("proofreaders-and-copy-markers"), "g-43");
    assert_eq!(group_of("ml-engineer"), "g-other");
    // Each row: the link, the bar of its split (a styled element, not an SVG of six
    // elements: the index has a row per profession), and its share of HIGH tasks; a
    // profession with few tasks says its count, one in review how much is reviewed.
    for p in api["professions"].as_array().unwrap() {
        let (c, s) = (&p["counts"], &p["shares"]);
        let row = row(&index, p["slug"].as_str().unwrap());
        assert!(!row.contains("<svg"), "{row}");
        match p["standing"].as_str().unwrap() {
            "in_review" => {
                assert_eq!(p["high_share"], Value::Null);
                let reviewed = format!(
                    "{} of {} reviewed",
                    p["coverage"]["reviewed"], p["coverage"]["tasks"]
                );
                assert!(row.contains(&reviewed), "{row}");
                assert!(!row.contains('%') || row.contains("--r:"), "{row}");
            }
            standing => {
                let bar = format!(
                    "style=\"--h:{}%;--m:{}%\"",
                    s["high"],
                    s["high"].as_u64().unwrap() + s["medium"].as_u64().unwrap()
                );
                assert!(row.contains(&bar), "{row}");
                let share = if standing == "few_tasks" {
                    format!("{} of {} HIGH", c["high"], c["tasks"])
                } else {
                    format!("{}% HIGH", p["high_share"])
                };
                assert!(row.contains(&share), "{row}");
            }
        }
    }
    // The distribution across the ranked professions, for screen readers too.
    let chart = between(&index, "<figure class=\"distribution\">", "</figure>");
    assert!(chart.contains("<title id=\"dist-title\">"));
    let desc = between(chart, "<desc id=\"dist-desc\">", "</desc>");
    let counted: usize = desc
        .split("; ")
        .map(|part| {
            let n = between(part, ": ", " profession");
            n.parse::<usize>().unwrap()
        })
        .sum();
    let ranked = api["professions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["standing"] == "ranked")
        .count();
    assert_eq!(counted, ranked, "{desc}");
    assert_eq!(ranked, 3);
    // Search without a framework: a hidden form the script shows, above the charts and
    // the field list (on a phone, results come right under the box), reading its own
    // index only when a reader searches.
    // Shown from the first paint where scripts run (nothing moves when the script
    // starts), hidden by a <noscript> style where they do not.
    assert!(index.contains(
        "<form class=\"search\" role=\"search\" action=\"index.html\" data-index=\"search.json\">"
    ));
    assert!(index.contains("<noscript><style>.search { display: none; }</style></noscript>"));
    assert!(index.contains("<label for=\"q\">Find a profession or a task</label>"));
    assert!(
        index.find("<form class=\"search\"").unwrap()
            < index.find("<nav class=\"fields\"").unwrap()
    );
    assert!(index.find("<form class=\"search\"").unwrap() < index.find("<figure").unwrap());
    assert!(index.contains("<script src=\"site.js\" defer></script>"));
    let js = read(&out, "site.js");
    assert!(
        js.contains("querySelectorAll(\".profs li > a\")") && !js.contains("://"),
        "no CDN"
    );
    // The script fetches the index on a search (focus, typing, ?q=), not on every visit.
    let fetch_at = js.find("fetch(").unwrap();
    let load_fn = js.find("var load = function").unwrap();
    assert!(load_fn < fetch_at && fetch_at < js.find("var run = function").unwrap());
    assert!(js.contains("input.addEventListener(\"focus\", load)"));
    assert!(
        index.len() < 40_000,
        "the index page stays small: {} bytes",
        index.len()
    );
    // No table to scroll sideways, and no ARIA attribute where it does not belong.
    assert!(!index.contains("<table") && !index.contains("aria-sort"));
}

// O*NET titles are plural already ("Clergy", "Teachers, Postsecondary"): they are used as
// they are, never given an "s"; sentences made for a singular name read right with them.
#[test]
fn onet_titles_are_not_made_plural_again() {
    let p = site_project();
    let rel = "data/catalog/proofreaders-and-copy-markers.json";
    let renamed = p
        .read(rel)
        .replace("\"Proofreaders and Copy Markers\"", "\"Clergy\"");
    p.write(rel, &renamed);
    let out = p.path("site");
    publish(&p, &out);
    let all = pages(&out);
    let page = &all["proofreaders-and-copy-markers/index.html"];
    assert!(page.contains("Will AI replace Clergy?"), "{page}");
    for (path, html) in &all {
        assert!(!html.contains("Clergys"), "{path}");
        assert!(!html.contains("Clergy professionals"), "{path}");
        assert!(!html.contains("Clergy roles"), "{path}");
    }
    assert!(!read(&out, "feed.xml").contains("Clergys"));
    let deep = all
        .iter()
        .find(|(path, _)| {
            path.starts_with("proofreaders-and-copy-markers/") && !path.ends_with("index.html")
        })
        .unwrap()
        .1;
    assert!(deep.contains(" exposure to AI for Clergy: "), "{deep}");
    // An editor's singular name is made plural.
    let ml = all
        .iter()
        .find(|(path, _)| path.starts_with("ml-engineer/") && !path.ends_with("index.html"))
        .unwrap()
        .1;
    assert!(ml.contains(" exposure to AI for ML Engineers: "), "{ml}");
    assert!(all["ml-engineer/index.html"].contains("Will AI replace ML Engineers?"));
}

#[test]
fn the_view_by_exposure_is_a_view_not_a_duplicate() {
    let (_p, out) = published();
    let by = read(&out, "index-by-exposure.html");
    assert!(by.contains("<link rel=\"canonical\" href=\"https://willaireplace.me/\">"));
    assert!(!read(&out, "sitemap.xml").contains("index-by-exposure"));
    assert_ne!(
        between(&by, "<title>", "</title>"),
        between(&read(&out, "index.html"), "<title>", "</title>")
    );
    // One column, ranked: highest share of HIGH tasks first, each with its rank and its
    // count of tasks; the printed share never rises down the list.
    let ranking = between(&by, "<ol class=\"profs ranking\">", "</ol>");
    let shares: Vec<u32> = ranking
        .split("%</span>")
        .filter_map(|s| s.rsplit("<span class=\"n\">").next()?.parse().ok())
        .collect();
    assert_eq!(shares.len(), 3, "{shares:?}");
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
    let ranks: Vec<usize> = ranking
        .split("<span class=\"rank\">")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(ranks.len(), 3);
    assert_eq!(ranks[0], 1);
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert!(ranking.contains(" tasks HIGH</span>"), "{ranking}");
    let style = read(&out, "style.css");
    assert!(
        !style.contains(" columns:") && !style.contains("{columns:"),
        "one column at every width"
    );
    // Few tasks, ranked apart; in review, not ranked at all.
    let few = between(&by, "<section id=\"few\">", "</section>");
    assert!(
        few.contains(">ML Engineer</a>") && few.contains("2 of 3 tasks HIGH"),
        "{few}"
    );
    let review = between(&by, "<section id=\"in-review\">", "</section>");
    assert!(
        review.contains(">Widget Makers</a>") && review.contains("1 of 4 reviewed"),
        "{review}"
    );
    assert!(!review.contains("class=\"rank\""), "{review}");
}

#[test]
fn a_deep_dive_says_each_thing_once() {
    let (_p, out) = published();
    let api = json(&out, "api/professions/data-scientists.json");
    let tasks = api["tasks"].as_array().unwrap();
    assert!(tasks.len() > 6, "more than a handful");
    let focus = &tasks[5];
    let slug = focus["slug"].as_str().unwrap();
    let html = read(&out, &format!("data-scientists/{slug}.html"));
    // The rationale once (the focus), the compact table (title and level, linked).
    let rationale = focus["rationale"].as_str().unwrap();
    assert_eq!(html.matches(rationale).count(), 1);
    let table = between(
        &html,
        "<section class=\"tasks\" id=\"tasks\">",
        "</section>",
    );
    assert!(table.contains("<table class=\"compact\">"));
    assert!(!table.contains("Rationale"));
    for (i, t) in tasks.iter().enumerate() {
        let href = format!("href=\"{}.html\"", t["slug"].as_str().unwrap());
        assert!(table.contains(&href), "every task is in the table");
        // Elsewhere on the page, only the previous and the next task are linked.
        let elsewhere = html.matches(&href).count() - 1;
        let near = i + 1 == 5 || i == 6;
        assert_eq!(elsewhere, usize::from(near), "{href}");
    }
    // The current task is marked in its table, in the row of its level.
    let row = between(
        table,
        &format!(">{}</span>", focus["level"].as_str().unwrap()),
        "</tr>",
    );
    assert!(
        row.contains(&format!("<a href=\"{slug}.html\" aria-current=\"page\">")),
        "{row}"
    );
    assert_eq!(table.matches("aria-current").count(), 1);
    // Each task is in the row of its level.
    for t in tasks {
        let row = between(
            table,
            &format!(">{}</span>", t["level"].as_str().unwrap()),
            "</tr>",
        );
        assert!(row.contains(&format!("href=\"{}.html\"", t["slug"].as_str().unwrap())));
    }
    // Skills by name, the reasons said once, on the profession's page.
    let page = read(&out, "data-scientists/index.html");
    for skill in api["skills"].as_array().unwrap() {
        let name = format!("<strong>{}</strong>", skill["name"].as_str().unwrap());
        let reason = format!("<span>{}</span>", skill["reason"].as_str().unwrap());
        assert!(html.contains(&name) && !html.contains(&reason));
        assert!(page.contains(&format!("{name} {reason}")));
    }
    assert!(html.contains("<a href=\"index.html#skills\">"));
    // The ML Engineer deep dive keeps the reference's full table.
    let ml = read(&out, "ml-engineer/write-production-code.html");
    let table = between(&ml, "<section class=\"tasks\" id=\"tasks\">", "</section>");
    assert!(table.contains("<th scope=\"col\">Rationale</th>"));
    assert!(table.contains("AI can generate boilerplate ETL code"));
}

#[test]
fn every_analysis_says_who_reviewed_it_and_when() {
    let p = site_project();
    // A second reviewer, later, for one skill of Proofreaders.
    p.edit_record("proofreaders-and-copy-markers", |rec| {
        rec["skills"][0]["approval"]["reviewer"] = "Cy Checker".into();
        rec["skills"][0]["approval"]["date"] = "2026-05-01".into();
    });
    let out = p.path("site");
    publish(&p, &out);
    let api = json(&out, "api/professions/data-scientists.json");
    let slug = api["tasks"][0]["slug"].as_str().unwrap();
    let html = read(&out, &format!("data-scientists/{slug}.html"));
    // The review date alone: the edition's date is the masthead's, not the review's.
    assert!(html.contains("<p class=\"byline\">Reviewed by Ann Editor on <time datetime=\"2026-03-02\">March 2, 2026</time>.</p>"), "{html}");
    let page = read(&out, "proofreaders-and-copy-markers/index.html");
    assert!(page.contains("Reviewed by Ann Editor and Cy Checker, last on <time datetime=\"2026-05-01\">May 1, 2026</time>."), "{page}");
    let page = read(&out, "paralegals-and-legal-assistants/index.html");
    assert!(page.contains(
        "Reviewed by Bob Reviewer on <time datetime=\"2026-04-18\">April 18, 2026</time>."
    ));
    // Every analysis, profession page or deep dive.
    for (path, html) in pages(&out) {
        if path.contains('/') {
            assert!(html.contains("<p class=\"byline\">Reviewed by "), "{path}");
        }
    }
}

#[test]
fn the_methodology_page_gives_the_rubric_the_review_the_paper_and_a_citation() {
    let (_p, out) = published();
    let m = read(&out, "methodology.html");
    for want in [
        "<a href=\"https://arxiv.org/abs/2303.10130\">",
        "<span class=\"level level-high\">HIGH</span>",
        "<span class=\"level level-medium\">MEDIUM</span>",
        "<span class=\"level level-low\">LOW</span>",
        "An editor reviews the drafts, rewrites what is wrong and approves them: one by one, or in bulk once an audit",
        "No audit is complete yet",
        "<h2>How to cite</h2>",
        "WillAIReplaceMe. (2026). Will AI replace me? Task-by-task AI exposure of 5 professions. Vol. I, No. 04, April 20, 2026. https://willaireplace.me/",
        "@misc{willaireplaceme2026,",
        "<a href=\"ai-exposure-by-task.csv\">",
    ] {
        assert!(m.contains(want), "methodology.html lacks {want:?}");
    }
    let dataset = node(&json_ld(&m), "Dataset").clone();
    assert_eq!(dataset["dateModified"], "2026-11-01");
    let download = &dataset["distribution"][0];
    assert_eq!(download["encodingFormat"], "text/csv");
    assert_eq!(
        download["contentUrl"],
        "https://willaireplace.me/ai-exposure-by-task.csv"
    );
    for (path, html) in pages(&out) {
        let root = if path.contains('/') { "../" } else { "" };
        if path != "404.html" {
            assert!(
                html.contains(&format!(
                    "<a href=\"{root}methodology.html\">Methodology</a>"
                )),
                "{path}"
            );
        }
    }
}

#[test]
fn an_about_page_comes_from_about_md_when_there_is_one() {
    let p = site_project();
    let out = p.path("site");
    publish(&p, &out);
    assert!(!out.join("about.html").exists());
    assert!(!read(&out, "index.html").contains("about.html"));
    p.write(
        "about.md",
        "# Who we are\n\nA *small* newsroom. <script>alert(1)</script>\n\n- [Write to us](mailto:desk@example.org)\n- [Not this](javascript:alert(2))\n",
    );
    publish(&p, &out);
    let about = read(&out, "about.html");
    assert!(about.contains("<h1>Who we are</h1>"));
    assert!(
        about.contains("<p>A <em>small</em> newsroom. &lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        "{about}"
    );
    assert!(about.contains("<a href=\"mailto:desk@example.org\">Write to us</a>"));
    assert!(!about.contains("javascript:"));
    assert!(about.contains("<title>Who we are | WillAIReplaceMe</title>"));
    assert!(read(&out, "ml-engineer/index.html").contains("<a href=\"../about.html\">About</a>"));
    assert!(read(&out, "sitemap.xml").contains("https://willaireplace.me/about.html"));
    // Gone from the project, gone from the site.
    fs::remove_file(p.path("about.md")).unwrap();
    publish(&p, &out);
    assert!(!out.join("about.html").exists());
}

#[test]
fn the_csv_holds_every_published_task_once_with_its_review() {
    let p = site_project();
    // Text a CSV must quote, approved.
    p.edit_record("widget-makers", |rec| {
        rec["tasks"][0]["rationale"] = "Sorting, \"by colour\",\nis easy.".into();
    });
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-11-02",
            "--force",
        ]),
        0,
    );
    let out = p.path("site");
    publish(&p, &out);
    let mut reader = csv::Reader::from_path(out.join("ai-exposure-by-task.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
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
        ]
    );
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    // Exactly the tasks of the API, once each.
    let index = json(&out, "api/professions/index.json");
    let mut want = Vec::new();
    for p in index["professions"].as_array().unwrap() {
        let api = json(
            &out,
            &format!("api/professions/{}.json", p["slug"].as_str().unwrap()),
        );
        for t in api["tasks"].as_array().unwrap() {
            want.push([
                p["id"].as_str().unwrap().to_string(),
                t["id"].as_str().unwrap().to_string(),
                t["title"].as_str().unwrap().to_string(),
                t["text"].as_str().unwrap().to_string(),
            ]);
        }
    }
    // Each task once, its title and its O*NET statement each in their own column.
    let got: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r["profession_id"].clone(),
                r["task_id"].clone(),
                r["title"].clone(),
                r["statement"].clone(),
            ]
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        got.iter()
            .any(|[_, _, title, statement]| !title.is_empty() && title != statement),
        "a task whose title and statement differ tells the two columns apart"
    );
    let sorted = rows
        .iter()
        .find(|r| r["task_id"] == "sort-widgets")
        .unwrap();
    assert_eq!(sorted["rationale"], "Sorting, \"by colour\",\nis easy.");
    assert_eq!(sorted["reviewer"], "Ann Editor");
    assert_eq!(sorted["date"], "2026-11-02");
    assert_eq!(sorted["level"], "HIGH");
    let ds = rows
        .iter()
        .find(|r| r["profession_id"] == "data-scientists")
        .unwrap();
    assert_eq!(ds["onet_soc"], "15-2051.00");
    assert_eq!(ds["major_group"], "Computer and Mathematical");
    assert_eq!(
        ds["task_type"], "",
        "Data Scientists' tasks have no type in O*NET"
    );
    let para = rows
        .iter()
        .find(|r| r["profession_id"] == "paralegals-and-legal-assistants")
        .unwrap();
    assert!(["Core", "Supplemental"].contains(&para["task_type"].as_str()));
    assert!(ds["onet_task_id"].parse::<u64>().is_ok());
    assert!(ds["url"].starts_with("https://willaireplace.me/data-scientists/"));
    // Every row says how much of its profession is reviewed.
    assert_eq!(
        (
            ds["profession_tasks_reviewed"].as_str(),
            ds["profession_tasks"].as_str(),
            ds["profession_standing"].as_str()
        ),
        ("16", "16", "ranked")
    );
    assert_eq!(
        (
            sorted["profession_tasks_reviewed"].as_str(),
            sorted["profession_tasks"].as_str(),
            sorted["profession_standing"].as_str()
        ),
        ("1", "4", "in_review")
    );
    // Drafts stay out.
    assert!(!rows.iter().any(|r| r["task_id"] == "paint-housings"));
}

#[test]
fn the_api_names_its_schema_the_reviews_task_types_edition_and_licence() {
    let p = site_project();
    site_settings(
        &p,
        "license = \"CC BY 4.0\"\nlicense_url = \"https://creativecommons.org/licenses/by/4.0/\"",
    );
    let out = p.path("site");
    publish(&p, &out);
    let index = json(&out, "api/professions/index.json");
    assert_eq!(index["schema_version"], 3);
    assert_eq!(
        index["edition"],
        serde_json::json!({"volume": "I", "number": "04", "date": "2026-04-20", "text": "Vol. I, No. 04, April 20, 2026"})
    );
    let licence = serde_json::json!({"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"});
    assert_eq!(index["license"], licence);
    let ds = &index["professions"].as_array().unwrap()[0];
    assert_eq!(ds["id"], "data-scientists");
    assert_eq!(
        ds["group"],
        serde_json::json!({"code": "15", "name": "Computer and Mathematical"})
    );
    assert_eq!(ds["reviewed"], "2026-03-02");
    assert_eq!(
        ds["coverage"],
        serde_json::json!({"reviewed": 16, "tasks": 16, "complete": true})
    );
    assert_eq!(ds["standing"], "ranked");
    assert_eq!(ds["rank"], 1);
    let api = json(&out, "api/professions/data-scientists.json");
    assert_eq!(api["schema_version"], 3);
    assert_eq!(api["license"], licence);
    assert_eq!(api["reviewers"], serde_json::json!(["Ann Editor"]));
    let t = &api["tasks"][0];
    assert_eq!(t["reviewer"], "Ann Editor");
    assert_eq!(t["date"], "2026-03-02");
    assert_eq!(t["type"], Value::Null, "no type in O*NET for this one");
    let para = json(&out, "api/professions/paralegals-and-legal-assistants.json");
    assert_eq!(para["tasks"][0]["type"], "Core");
    assert_eq!(para["tasks"][0]["reviewer"], "Bob Reviewer");
    assert_eq!(api["skills"][0]["reviewer"], "Ann Editor");
    let ml = json(&out, "api/professions/ml-engineer.json");
    assert_eq!(ml["tasks"][0]["type"], Value::Null);
}

#[test]
fn the_licence_is_on_every_page_when_set() {
    let p = site_project();
    site_settings(
        &p,
        "license = \"CC BY 4.0\"\nlicense_url = \"https://creativecommons.org/licenses/by/4.0/\"",
    );
    let out = p.path("site");
    publish(&p, &out);
    for (path, html) in pages(&out) {
        assert!(
            html.contains("<a rel=\"license\" href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>"),
            "{path}"
        );
    }
    assert!(read(&out, "feed.xml").contains("<rights>CC BY 4.0</rights>"));
    // A name alone is shown as text; a URL alone is refused.
    let p = site_project();
    site_settings(&p, "license = \"All rights reserved\"");
    publish(&p, &p.path("site"));
    assert!(read(&p.path("site"), "index.html").contains(" Text: All rights reserved.</p>"));
    let p = site_project();
    site_settings(&p, "license_url = \"https://example.org/licence\"");
    let r = run_ok(p.willai().args(["publish", "--out"]).arg(p.path("site")), 2);
    assert!(
        r.stderr
            .contains("[site] license_url is set without [site] license"),
        "{}",
        r.stderr
    );
}

#[test]
fn search_engines_and_feed_readers_get_what_they_read() {
    let (_p, out) = published();
    for (path, html) in pages(&out) {
        for want in [
            "<meta property=\"og:title\" content=\"",
            "<meta property=\"og:description\" content=\"",
            "<meta property=\"og:type\" content=\"",
            "<meta property=\"og:site_name\" content=\"WillAIReplaceMe\">",
            "<meta name=\"twitter:card\" content=\"summary_large_image\">",
            "<meta property=\"og:image\" content=\"https://willaireplace.me/og-image.png\">",
            "<meta property=\"og:image:width\" content=\"1200\">",
            "<link rel=\"icon\" href=\"",
        ] {
            assert!(html.contains(want), "{path} lacks {want}");
        }
        if path == "404.html" {
            assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
            assert!(!html.contains("rel=\"canonical\""));
        } else {
            let canonical = between(&html, "<link rel=\"canonical\" href=\"", "\"");
            assert!(canonical.starts_with("https://willaireplace.me/"), "{path}");
            assert!(html.contains(&format!(
                "<meta property=\"og:url\" content=\"{canonical}\">"
            )));
        }
    }
    // Structured data: an Article and a breadcrumb trail on every analysis.
    let api = json(&out, "api/professions/data-scientists.json");
    let t = &api["tasks"][2];
    let html = read(
        &out,
        &format!("data-scientists/{}.html", t["slug"].as_str().unwrap()),
    );
    let nodes = json_ld(&html);
    let article = node(&nodes, "Article");
    assert_eq!(article["datePublished"], "2026-03-02");
    assert_eq!(article["editor"]["name"], "Ann Editor");
    assert_eq!(
        article["headline"],
        format!(
            "AI and {}: Impact on Data Scientists",
            t["title"].as_str().unwrap()
        )
    );
    let trail: Vec<&str> = node(&nodes, "BreadcrumbList")["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        trail,
        [
            "Home",
            "Computer and Mathematical",
            "Data Scientists",
            t["title"].as_str().unwrap()
        ]
    );
    // Positions from 1, and every step but the page itself links to its absolute URL.
    let items = node(&nodes, "BreadcrumbList")["itemListElement"]
        .as_array()
        .unwrap()
        .clone();
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["position"], i + 1, "{item}");
        let last = i + 1 == items.len();
        assert_eq!(
            item["item"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://willaireplace.me/")),
            !last,
            "{item}"
        );
    }
    // The visible trail matches, with relative links.
    let crumbs = between(
        &html,
        "<nav class=\"crumbs\" aria-label=\"Breadcrumb\">",
        "</nav>",
    );
    assert!(crumbs.contains("<a href=\"../index.html#g-15\">Computer and Mathematical</a>"));
    assert!(crumbs.contains("<a href=\"index.html\">Data Scientists</a>"));
    assert!(crumbs.contains("<span aria-current=\"page\">"));
    node(
        &json_ld(&read(&out, "data-scientists/index.html")),
        "BreadcrumbList",
    );
    node(&json_ld(&read(&out, "index.html")), "WebSite");
    // The favicon is there in both forms, robots.txt names the sitemap.
    assert!(out.join("favicon.svg").is_file() && out.join("favicon.ico").is_file());
    assert_eq!(
        read(&out, "robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://willaireplace.me/sitemap.xml\n"
    );
    assert!(read(&out, "404.html").contains("<link rel=\"stylesheet\" href=\"/style.css\">"));
    // The sitemap dates each page by its approval.
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains(&format!(
        "<url><loc>{}</loc><lastmod>2026-03-02</lastmod></url>",
        t["url"].as_str().unwrap()
    )));
    assert!(
        sitemap.contains(
            "<url><loc>https://willaireplace.me/</loc><lastmod>2026-11-01</lastmod></url>"
        )
    );
    assert!(sitemap.contains("<url><loc>https://willaireplace.me/paralegals-and-legal-assistants/</loc><lastmod>2026-04-18</lastmod></url>"));
    // The feed: newest approval first, its date the latest approval.
    let feed = read(&out, "feed.xml");
    assert!(feed.contains("<updated>2026-11-01T00:00:00Z</updated>\n<author>"));
    let titles: Vec<&str> = feed
        .split("<entry>\n<title>")
        .skip(1)
        .map(|e| &e[..e.find("</title>").unwrap()])
        .collect();
    assert_eq!(
        titles,
        [
            "Will AI replace Widget Makers?",
            "Will AI replace ML Engineers?",
            "Will AI replace Proofreaders and Copy Markers?",
            "Will AI replace Paralegals and Legal Assistants?",
            "Will AI replace Data Scientists?",
        ]
    );
    assert!(
        read(&out, "index.html")
            .contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.xml\"")
    );
}

#[test]
fn dates_come_from_approvals_never_from_the_clock() {
    let p = site_project();
    let out = p.path("site");
    publish(&p, &out);
    let first = files(&out);
    p.edit_record("paralegals-and-legal-assistants", |rec| {
        for t in rec["tasks"].as_array_mut().unwrap() {
            t["approval"]["date"] = "2027-01-15".into();
        }
    });
    publish(&p, &out);
    let feed = read(&out, "feed.xml");
    assert!(feed.contains("<updated>2027-01-15T00:00:00Z</updated>\n<author>"));
    assert!(feed.contains("<title>Will AI replace Paralegals and Legal Assistants?</title>\n<link href=\"https://willaireplace.me/paralegals-and-legal-assistants/\" rel=\"alternate\" type=\"text/html\"/>\n<id>https://willaireplace.me/paralegals-and-legal-assistants/</id>\n<updated>2027-01-15T00:00:00Z</updated>"));
    // Back as it was: the same bytes as the first time.
    p.edit_record("paralegals-and-legal-assistants", |rec| {
        for t in rec["tasks"].as_array_mut().unwrap() {
            t["approval"]["date"] = "2026-04-18".into();
        }
    });
    publish(&p, &out);
    assert_eq!(first, files(&out));
}

#[test]
fn a_profession_with_skills_and_no_task_yet_has_a_page_without_charts() {
    let p = site_project();
    p.edit_record("widget-makers", |rec| {
        rec["tasks"][0]["status"] = "draft".into();
        rec["tasks"][0]["approval"] = serde_json::Value::Null;
    });
    let out = p.path("site");
    publish(&p, &out);
    let page = read(&out, "widget-makers/index.html");
    assert!(page.contains("<p>No task of this profession is reviewed yet.</p>"));
    assert!(
        page.contains("None of its 4 tasks is reviewed yet"),
        "{page}"
    );
    assert!(page.contains("<strong>Painting</strong>"));
    assert!(!page.contains("<svg") && !page.contains("id=\"mine\"") && !page.contains("site.js"));
    let index = read(&out, "index.html");
    let row = row(&index, "widget-makers");
    assert!(
        !row.contains("% HIGH") && row.contains("0 of 4 reviewed"),
        "{row}"
    );
    let api = json(&out, "api/professions/widget-makers.json");
    assert_eq!(api["counts"]["tasks"], 0);
    assert!(!read(&out, "ai-exposure-by-task.csv").contains("widget-makers"));
}

#[test]
fn a_profession_page_lets_a_reader_tick_their_own_tasks() {
    let (_p, out) = published();
    let page = read(&out, "data-scientists/index.html");
    // The panel is there for the script to show; the page is complete without it.
    assert!(page.contains("<aside class=\"mine\" id=\"mine\" aria-labelledby=\"mine-h\" data-of=\"All tasks of Data Scientists: "));
    assert!(page.contains("<p id=\"mine-out\" aria-live=\"polite\">"));
    // It sits at the end of the task table, where it sticks to the foot of the screen.
    let tasks = between(
        &page,
        "<section class=\"tasks\" id=\"tasks\">",
        "</section>",
    );
    assert!(tasks.find("</table>").unwrap() < tasks.find("id=\"mine\"").unwrap());
    assert!(read(&out, "style.css").contains(".mine { position: sticky; bottom: 0;"));
    assert!(page.contains("<script src=\"../site.js\" defer></script>"));
    assert!(
        page.contains("<th scope=\"col\">Rationale</th>"),
        "the full table"
    );
    let split = between(&page, "<figure class=\"split\">", "</figure>");
    assert!(split.contains("<svg class=\"bar\"") && split.contains("<title>"));
    let js = read(&out, "site.js");
    assert!(js.contains("mine-box") && !js.contains("fetch(\"http"));
    // Ticks are remembered in the browser only.
    assert!(
        js.contains("localStorage") && !js.contains("XMLHttpRequest") && !js.contains("sendBeacon")
    );
}

#[test]
fn a_project_theme_overrides_templates_and_static_files() {
    let p = site_project();
    // An override that includes a template of its own, and one that escapes as ours do.
    p.write(
        "templates/_disclaimer.html",
        "<p class=\"disclaimer\">{{ p.name }}: {% include \"_note.html\" %}</p>\n",
    );
    p.write(
        "templates/_note.html",
        "our own note for {{ p.counts.tasks }} tasks",
    );
    p.write("static/style.css", "body { color: rebeccapurple; }\n");
    p.write(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let cat = p.read("data/catalog/widget-makers.json").replace(
        "\"name\": \"Widget Makers\"",
        "\"name\": \"Widget <b>Makers</b>\"",
    );
    p.write("data/catalog/widget-makers.json", &cat);
    let out = p.path("site");
    publish(&p, &out);
    assert_eq!(read(&out, "style.css"), "body { color: rebeccapurple; }\n");
    assert!(out.join("img/logo.svg").is_file());
    let page = read(&out, "data-scientists/index.html");
    assert!(
        page.contains("<p class=\"disclaimer\">Data Scientists: our own note for 16 tasks</p>"),
        "{page}"
    );
    let page = read(&out, "widget-makers/index.html");
    assert!(
        page.contains("<p class=\"disclaimer\">Widget &lt;b&gt;Makers&lt;/b&gt;: our own note")
    );
    // The rest is built in.
    assert!(page.contains("<h2>Skills Analysis</h2>"));
    // Dropping the override brings the built-in file back; the added file goes.
    fs::remove_dir_all(p.path("static")).unwrap();
    publish(&p, &out);
    assert!(read(&out, "style.css").contains("--ink"));
    assert!(!out.join("img").exists());
}

#[test]
fn a_template_error_names_the_file_the_line_and_the_problem() {
    for (file, text, want) in [
        (
            "templates/task.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ task.no_such_field.x }}</p>\n{% endblock %}\n",
            "templates/task.html:3: undefined value",
        ),
        (
            "templates/profession.html",
            "{% extends \"base.html\" %}\n{% if %}\n",
            "templates/profession.html:2: syntax error",
        ),
        (
            "templates/_skills.html",
            "<ul>\n{% for s in p.skillz %}<li>{{ s }}</li>{% endfor %}\n</ul>\n",
            "templates/_skills.html:2: undefined value",
        ),
    ] {
        let p = site_project();
        p.write(file, text);
        let r = run_ok(p.willai().args(["publish", "--out"]).arg(p.path("site")), 2);
        assert!(r.stderr.contains(want), "{file}: {}", r.stderr);
        assert!(r.stderr.contains("fix the template"), "{}", r.stderr);
        assert!(!p.exists("site"), "nothing is written");
    }
}

#[test]
fn a_static_file_cannot_replace_a_page_publish_writes() {
    for (file, page) in [
        ("static/index.html", "index.html"),
        (
            "static/api/professions/index.json",
            "api/professions/index.json",
        ),
        ("static/sitemap.xml", "sitemap.xml"),
    ] {
        let p = site_project();
        p.write(file, "mine");
        let r = run_ok(p.willai().args(["publish", "--out"]).arg(p.path("site")), 2);
        assert!(
            r.stderr.contains(&format!("{file} would replace {page}")),
            "{file}: {}",
            r.stderr
        );
    }
}

#[test]
fn the_rendered_text_of_a_profession_page_reads_in_order() {
    let (_p, out) = published();
    let text = squeezed_text(&read(&out, "data-scientists/index.html"));
    let mut from = 0;
    for want in [
        "WillAIReplaceMe",
        "HomeComputerandMathematicalDataScientists",
        "WillAIreplaceDataScientists?Task-by-taskAIexposure",
        "ReviewedbyAnnEditoronMarch2,2026.",
        "O*NET-SOC15-2051.00onO*NETOnLine",
        "Data(JSON)",
        "HIGH4(25%)MEDIUM9(56%)LOW3(19%)",
        "Ranked1of3",
        "Task-by-TaskAIExposure",
        "Yourownexposure",
        "HowDataScientistscompare",
        "SkillsAnalysis",
        "KeyInsights",
        "OtherProfessions",
    ] {
        let at = text[from..]
            .find(want)
            .unwrap_or_else(|| panic!("{want} after {from} in {text}"));
        from += at + want.len();
    }
}

/// Issue 22, item 5: with 1 of a profession's 16 tasks approved, no page and no figure
/// reads as if that one task were the profession: every one says how much is
/// reviewed, no share is given as the profession's, and it is "in review", not ranked,
/// until `[site] rank_coverage` percent of it is reviewed.
#[test]
fn a_partly_reviewed_profession_never_reads_as_the_whole() {
    let p = site_project();
    p.edit_record("data-scientists", |rec| {
        for t in rec["tasks"].as_array_mut().unwrap().iter_mut().skip(1) {
            t["status"] = "draft".into();
            t["approval"] = Value::Null;
        }
    });
    let out = p.path("site");
    publish(&p, &out);
    let page = read(&out, "data-scientists/index.html");
    for want in [
        "1 of 16 tasks reviewed so far",
        "not yet reviewed <strong>15</strong>",
        "In review: 1 of 16 tasks reviewed so far.",
        "Of the 1 task reviewed so far (of 16), ",
        "the other 15 appear here once an editor has reviewed them",
        "viewBox=\"0 0 16 1\"",
        "<rect class=\"n\" x=\"1\" width=\"15\" height=\"1\"/>",
    ] {
        assert!(page.contains(want), "the page lacks {want:?}");
    }
    assert!(
        !page.contains("%)") && !page.contains("% HIGH"),
        "no share of one task given as the profession's"
    );
    assert!(
        !page.contains("class=\"compare\""),
        "not compared with others yet"
    );
    assert!(!page.contains("\nNone\n"), "no value printed as None");
    let api = json(&out, "api/professions/data-scientists.json");
    let deep = read(
        &out,
        &format!(
            "data-scientists/{}.html",
            api["tasks"][0]["slug"].as_str().unwrap()
        ),
    );
    assert!(
        deep.contains("In review: 1 of 16 tasks reviewed so far."),
        "{deep}"
    );
    assert!(
        deep.contains("The 1 of 16 tasks reviewed so far</a>"),
        "{deep}"
    );
    assert_eq!(api["standing"], "in_review");
    assert_eq!(api["high_share"], Value::Null);
    assert_eq!(api["shares"], Value::Null);
    assert_eq!(api["rank"], Value::Null);
    assert_eq!(
        api["coverage"],
        serde_json::json!({"reviewed": 1, "tasks": 16, "complete": false})
    );
    let index = read(&out, "index.html");
    let row = row(&index, "data-scientists");
    assert!(
        row.contains("1 of 16 reviewed") && !row.contains("HIGH"),
        "{row}"
    );
    let by = read(&out, "index-by-exposure.html");
    let review = between(&by, "<section id=\"in-review\">", "</section>");
    assert!(review.contains(">Data Scientists</a>"), "{review}");
    assert!(!between(&by, "<ol class=\"profs ranking\">", "</ol>").contains("Data Scientists"));
    let csv = read(&out, "ai-exposure-by-task.csv");
    let line = csv
        .lines()
        .find(|l| l.contains(",data-scientists,"))
        .unwrap();
    assert!(line.ends_with(",1,16,in_review"), "{line}");
    let feed = read(&out, "feed.xml");
    assert!(
        feed.contains("<summary>1 of 16 tasks reviewed so far: "),
        "{feed}"
    );
    // The threshold is the publisher's: at 5% (and one task enough), it is ranked, and
    // every figure still says from how much.
    let toml = p.read("willai.toml");
    p.write(
        "willai.toml",
        &format!("{toml}rank_coverage = 5\nrank_min_tasks = 1\n"),
    );
    publish(&p, &out);
    let api = json(&out, "api/professions/data-scientists.json");
    assert_eq!(api["standing"], "ranked");
    assert!(api["high_share"].is_u64());
    let page = read(&out, "data-scientists/index.html");
    assert!(
        page.contains("by share of HIGH tasks, from 1 of 16 tasks reviewed so far."),
        "{page}"
    );
    // A threshold that is not a percentage is refused, naming the key.
    p.write("willai.toml", &format!("{toml}rank_coverage = 0\n"));
    let r = run_ok(p.willai().args(["publish", "--out"]).arg(&out), 2);
    assert!(r.stderr.contains("rank_coverage"), "{}", r.stderr);
}

/// Issue 23, item 2: no two pages share a title or a description; every deep dive's
/// title has "AI" and its profession (a short form of a long O*NET name, or the
/// catalog's `short_name`), never cut mid-word, and so does its description.
#[test]
fn every_page_has_a_title_and_a_description_of_its_own() {
    let p = site_project();
    // A long O*NET name, and two tasks of one profession with the same title.
    let rel = "data/catalog/proofreaders-and-copy-markers.json";
    let long = "Grinding, Lapping, Polishing, and Buffing Machine Tool Setters, Operators, and Tenders, Metal and Plastic";
    p.write(
        rel,
        &p.read(rel).replace(
            "\"name\": \"Proofreaders and Copy Markers\"",
            &format!("\"name\": \"{long}\""),
        ),
    );
    let rel = "data/catalog/paralegals-and-legal-assistants.json";
    let mut cat: Value = serde_json::from_str(&p.read(rel)).unwrap();
    cat["tasks"][0]["title"] = "Prepare documents".into();
    cat["tasks"][1]["title"] = "Prepare documents".into();
    p.write(rel, &serde_json::to_string_pretty(&cat).unwrap());
    let out = p.path("site");
    publish(&p, &out);
    let mut titles = BTreeMap::new();
    let mut descriptions = BTreeMap::new();
    for (path, html) in pages(&out) {
        let title = between(&html, "<title>", "</title>").to_string();
        let description = between(&html, "<meta name=\"description\" content=\"", "\"").to_string();
        assert!(!title.contains('…'), "{path}: {title}");
        assert!(
            description.chars().count() <= 160 + 30,
            "{path}: {description}"
        );
        if let Some(other) = titles.insert(title.clone(), path.clone()) {
            panic!("{path} and {other} share the title {title:?}");
        }
        if let Some(other) = descriptions.insert(description.clone(), path.clone()) {
            panic!("{path} and {other} share the description {description:?}");
        }
        let Some((folder, file)) = path.split_once('/') else {
            continue;
        };
        let api = json(&out, &format!("api/professions/{folder}.json"));
        let short = api["short_name"].as_str().unwrap();
        assert!(description.contains(short), "{path}: {description}");
        if file != "index.html" {
            assert!(title.starts_with("AI and "), "{path}: {title}");
            assert!(title.contains(short), "{path}: {title}");
        }
    }
    let grinders = json(&out, "api/professions/proofreaders-and-copy-markers.json");
    assert_eq!(
        grinders["short_name"],
        "Grinding and Buffing Machine Tool Operators"
    );
    let deep = read(
        &out,
        &format!(
            "proofreaders-and-copy-markers/{}.html",
            grinders["tasks"][0]["slug"].as_str().unwrap()
        ),
    );
    // The headline keeps the full name; the title the short one.
    assert!(deep.contains(&format!(": Impact on {long}</h1>")), "{deep}");
    // An editor's short name wins.
    let rel = "data/catalog/proofreaders-and-copy-markers.json";
    p.write(
        rel,
        &p.read(rel).replace(
            &format!("\"name\": \"{long}\","),
            &format!("\"name\": \"{long}\",\n  \"short_name\": \"Grinders\","),
        ),
    );
    publish(&p, &out);
    let page = read(&out, "proofreaders-and-copy-markers/index.html");
    assert!(
        page.contains("<title>Will AI replace Grinders? | WillAIReplaceMe</title>"),
        "{page}"
    );
}

/// Issue 23, item 11: `[site] deep_dives = "core"` writes deep dives for Core tasks only;
/// a Supplemental task is a row of its profession's page, and every link to it (the
/// API, the CSV, the search) goes there. Switching back moves no page.
#[test]
fn deep_dives_for_core_tasks_only_keep_supplemental_tasks_on_their_profession_page() {
    let p = site_project();
    let out = p.path("site");
    let all = publish(&p, &out);
    let before = files(&out).len();
    let toml = p.read("willai.toml");
    p.write("willai.toml", &format!("{toml}deep_dives = \"core\"\n"));
    let core = publish(&p, &out);
    let api = json(&out, "api/professions/paralegals-and-legal-assistants.json");
    let page = read(&out, "paralegals-and-legal-assistants/index.html");
    let mut supplemental = 0;
    for t in api["tasks"].as_array().unwrap() {
        let file = format!(
            "paralegals-and-legal-assistants/{}.html",
            t["slug"].as_str().unwrap()
        );
        let n = t["number"].as_u64().unwrap();
        if t["type"] == "Supplemental" {
            supplemental += 1;
            assert_eq!(t["page"], false);
            assert!(!out.join(&file).exists(), "{file}");
            assert_eq!(
                t["url"],
                format!("https://willaireplace.me/paralegals-and-legal-assistants/#t-{n}")
            );
            let row = between(&page, &format!("<tr id=\"t-{n}\""), "</tr>");
            assert!(
                !row.contains("<a href") && row.contains("Supplemental"),
                "{row}"
            );
        } else {
            assert_eq!(t["page"], true);
            assert!(out.join(&file).is_file(), "{file}");
        }
    }
    assert_eq!(supplemental, 4);
    assert_eq!(
        files(&out).len(),
        before - 6,
        "4 + 2 Supplemental deep dives gone"
    );
    assert!(!read(&out, "sitemap.xml").contains("#t-"));
    let count = |r: &crate::util::Ran| -> usize {
        between(&r.stdout, "the site: ", " file(s)")
            .parse()
            .unwrap()
    };
    assert_eq!(count(&all) - count(&core), 6);
    p.write("willai.toml", &format!("{toml}deep_dives = \"all\"\n"));
    publish(&p, &out);
    assert_eq!(files(&out).len(), before);
}

/// Issue 23, item 9: what readers of Our World in Data, Pew or the FT look for: the
/// O*NET-SOC code and the occupation on O*NET OnLine, the profession's own data, an
/// `Occupation` in the structured data, Core and Supplemental tasks told apart, the
/// profession beside its field and all professions, a picture for links.
#[test]
fn a_profession_page_has_its_code_its_data_its_context_and_a_picture() {
    let (_p, out) = published();
    let page = read(&out, "paralegals-and-legal-assistants/index.html");
    for want in [
        "O*NET-SOC <a href=\"https://www.onetonline.org/link/summary/23-2011.00\">23-2011.00 on O*NET OnLine</a>",
        "<a href=\"../api/professions/paralegals-and-legal-assistants.json\" type=\"application/json\">Data (JSON)</a>",
        "<link rel=\"alternate\" type=\"application/json\" href=\"../api/professions/paralegals-and-legal-assistants.json\">",
        "<small class=\"kind\">Supplemental</small>",
        "<h2>How Paralegals and Legal Assistants compare</h2>",
        "<dt>Legal</dt>",
        "<dt>All professions</dt>",
    ] {
        assert!(page.contains(want), "the page lacks {want:?}");
    }
    let article = node(&json_ld(&page), "Article").clone();
    assert_eq!(article["about"]["@type"], "Occupation");
    assert_eq!(
        article["about"]["occupationalCategory"]["codeValue"],
        "23-2011.00"
    );
    assert_eq!(
        article["about"]["sameAs"],
        "https://www.onetonline.org/link/summary/23-2011.00"
    );
    // An editor's profession has no code, and no link to O*NET.
    let ml = read(&out, "ml-engineer/index.html");
    assert!(!ml.contains("onetonline") && ml.contains("Data (JSON)"));
    // The picture: a PNG of the size the tags say.
    let png = fs::read(out.join("og-image.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1200);
    // The task table sorts (with the script) and works without it.
    let js = read(&out, "site.js");
    assert!(js.contains("aria-sort"));
    assert!(page.contains("<th scope=\"col\">Task</th><th scope=\"col\">Exposure</th>"));
}

/// Issue 23, item 8: a new publication's data has a licence from the start, and the
/// README says how to change it.
#[test]
fn a_new_publication_licenses_its_data() {
    let p = Project::new();
    run_ok(
        p.willai().env_remove("WILLAI_ROOT").args(["init", "pub"]),
        0,
    );
    let toml = p.read("pub/willai.toml");
    assert!(toml.contains("\nlicense = \"CC BY 4.0\"\n"), "{toml}");
    assert!(toml.contains("\nlicense_url = \"https://creativecommons.org/licenses/by/4.0/\"\n"));
    let out = p.path("site");
    run_ok(
        p.willai()
            .env("WILLAI_ROOT", p.path("pub"))
            .args(["publish", "--out"])
            .arg(&out),
        0,
    );
    let index = json(&out, "api/professions/index.json");
    assert_eq!(index["license"]["name"], "CC BY 4.0");
    let m = read(&out, "methodology.html");
    assert_eq!(
        node(&json_ld(&m), "Dataset")["license"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    let readme = std::fs::read_to_string(crate::util::repo().join("README.md")).unwrap();
    assert!(
        readme.contains("license = \"CC BY 4.0\""),
        "the README says how to change it"
    );
}

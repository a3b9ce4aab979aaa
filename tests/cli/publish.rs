//! `willai publish`: the ML Engineer pages against the published reference page,
//! only approved content, escaping, path safety, links, determinism, stale files, and the
//! real browser. The publication's features are in `site.rs`, the safety items in
//! `site_safety.rs`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use fake_openai::FakeServer;

use crate::util::{Project, copy_dir, repo, run_ok};
use crate::validate::valid_project;

pub fn publish(p: &Project, out: &Path) -> crate::util::Ran {
    run_ok(p.willai().args(["publish", "--out"]).arg(out), 0)
}

/// The valid project (ML Engineer, Widget Makers) with three approved O*NET occupations
/// of three major groups (`tests/fixtures/site/`).
pub fn site_project() -> Project {
    let p = valid_project();
    copy_dir(&repo().join("tests/fixtures/site/data"), &p.path("data"));
    p
}

/// Appends lines to the project's willai.toml under `[site]` (the fixture's last table).
pub fn site_settings(p: &Project, lines: &str) {
    let toml = p.read("willai.toml");
    assert!(toml.trim_end().contains("[site]"));
    p.write("willai.toml", &format!("{toml}{lines}\n"));
}

/// Every file under `dir` (links are not followed), sorted, with its bytes.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The text a reader sees: tags dropped, entities decoded, all whitespace removed (the
/// reference page is a text dump whose cells run together).
pub fn squeezed_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let body = &html[html.find("<body>").unwrap_or(0)..];
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The lines of the reference page, in order, in the page's text.
fn assert_reference_lines(text: &str, skip: &[&str]) {
    let reference =
        fs::read_to_string(repo().join("tests/fixtures/published-page-ml-engineer.txt")).unwrap();
    let mut from = 0;
    for line in reference.lines().filter(|l| !l.trim().is_empty()) {
        if skip.iter().any(|s| line.trim_start().starts_with(s)) {
            continue;
        }
        // List bullets are the text dump's rendering of <li>.
        let want: String = line
            .trim_start()
            .trim_start_matches('•')
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match text[from..].find(&want) {
            Some(at) => from += at + want.len(),
            None => panic!("the page lacks, in order: {line:?}\npage text: {text}"),
        }
    }
}

/// Lines of the reference page the site no longer repeats (issue 23): the generic lede
/// (the task statement leads instead), the count cards (the split is said once, by the
/// figure), and the insight in the old words (now "HIGH exposure to AI", the one
/// vocabulary; checked on its own).
const CHANGED: [&str; 3] = [
    "Deep dive into how AI is transforming",
    "2 high exposure tasks",
    "• 2 of 3 tasks face high AI exposure",
];

/// The sign-up block of the reference page.
const CALL_TO_ACTION: [&str; 4] = [
    "Get your personalized",
    "Receive a detailed",
    "No spam.",
    "Get Your Personalized Assessment",
];

#[test]
fn the_deep_dive_carries_every_piece_of_the_published_page() {
    let p = valid_project();
    site_settings(
        &p,
        "signup_url = \"https://forms.example.org/report?from=site&v=1\"",
    );
    let out = p.path("site");
    publish(&p, &out);
    let html = fs::read_to_string(out.join("ml-engineer/write-production-code.html")).unwrap();
    assert_reference_lines(&squeezed_text(&html), &CHANGED);
    assert!(html.contains("<li>2 of 3 tasks face HIGH exposure to AI: Write production code, Train and evaluate ML models.</li>"));
    // The focus comes first: right under the headline, before anything of the profession.
    let text = squeezed_text(&html);
    let focus = text.find("Focus:Writeproductioncode").unwrap();
    assert!(focus < text.find("Task-by-TaskAIExposure").unwrap());
    assert!(
        text.find("AIandWriteproductioncode:ImpactonMLEngineers")
            .unwrap()
            < focus
    );
    assert!(focus < text.find("Reviewedby").unwrap());
    // The call to action links to the publication's own form.
    assert!(
        html.contains("<a class=\"button\" href=\"https://forms.example.org/report?from=site&amp;v=1\">Get Your Personalized Assessment</a>"),
        "{html}"
    );
    assert!(html.contains(
        "<title>AI and Write production code: Impact on ML Engineers | WillAIReplaceMe</title>"
    ));
    assert!(html.contains("<meta name=\"description\" content=\"HIGH exposure to AI for ML Engineers: Write production code. LLMs can draft and transform code quickly."));
    assert!(html.contains("<link rel=\"canonical\" href=\"https://willaireplace.me/ml-engineer/write-production-code.html\">"));
}

#[test]
fn without_a_signup_url_there_is_no_call_to_action() {
    let p = valid_project();
    let out = p.path("site");
    publish(&p, &out);
    for (path, bytes) in files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for line in CALL_TO_ACTION {
            assert!(!text.contains(line), "{} has {line:?}", path.display());
        }
    }
    let html = fs::read_to_string(out.join("ml-engineer/write-production-code.html")).unwrap();
    // Everything else of the reference page is there.
    let skip: Vec<&str> = CALL_TO_ACTION.iter().chain(&CHANGED).copied().collect();
    assert_reference_lines(&squeezed_text(&html), &skip);
}

#[test]
fn the_call_to_action_takes_its_own_text_and_only_an_http_url() {
    let p = valid_project();
    site_settings(
        &p,
        "signup_url = \"https://paper.example/signup\"\nsignup_text = \"Our <b>weekly</b> letter.\"",
    );
    let out = p.path("site");
    publish(&p, &out);
    for page in [
        "ml-engineer/index.html",
        "ml-engineer/write-production-code.html",
    ] {
        let html = fs::read_to_string(out.join(page)).unwrap();
        assert!(
            html.contains("<p>Our &lt;b&gt;weekly&lt;/b&gt; letter.</p>"),
            "{page}"
        );
        assert!(!html.contains("Receive a detailed"), "{page}");
        assert!(
            html.contains("href=\"https://paper.example/signup\""),
            "{page}"
        );
    }
    for (bad, why) in [
        ("signup_url = \"javascript:alert(1)\"", "[site] signup_url"),
        ("signup_url = \"not a url\"", "[site] signup_url"),
        (
            "signup_text = \"Hello\"",
            "signup_text is set without [site] signup_url",
        ),
    ] {
        let p = valid_project();
        site_settings(&p, bad);
        let r = run_ok(p.willai().args(["publish", "--out"]).arg(p.path("x")), 2);
        assert!(r.stderr.contains(why), "{bad}: {}", r.stderr);
        assert!(!p.exists("x"), "nothing is written");
    }
}

#[test]
fn snapshots_of_the_ml_engineer_pages() {
    let p = valid_project();
    let out = p.path("site");
    publish(&p, &out);
    let read = |rel: &str| fs::read_to_string(out.join(rel)).unwrap();
    insta::assert_snapshot!(
        "deep_dive_write_production_code",
        read("ml-engineer/write-production-code.html")
    );
    insta::assert_snapshot!("profession_ml_engineer", read("ml-engineer/index.html"));
    insta::assert_snapshot!("index", read("index.html"));
    insta::assert_snapshot!("api_ml_engineer", read("api/professions/ml-engineer.json"));
    insta::assert_snapshot!("sitemap", read("sitemap.xml"));
}

#[test]
fn drafts_and_proposals_never_reach_the_site() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--redraft"]),
        0,
    );
    // Approve one widget task with the editor's own words.
    p.edit_record("widget-makers", |rec| {
        rec["tasks"][0]["rationale"] = "Editor-approved words about sorting.".into()
    });
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann",
        ]),
        0,
    );

    // Every text of a draft or a proposal, less those an approved item also holds (the
    // fake server words all its tips alike).
    let machine_texts: BTreeSet<String> = {
        let (mut unapproved, mut approved) = (BTreeSet::new(), BTreeSet::new());
        let texts = |e: &serde_json::Value| -> Vec<String> {
            let mut v: Vec<String> = ["rationale", "reason", "tip"]
                .iter()
                .filter_map(|f| e[*f].as_str().map(String::from))
                .collect();
            v.extend(
                e["tools"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(String::from)),
            );
            v
        };
        for slug in ["widget-makers", "ml-engineer"] {
            let r = p.record(slug);
            for kind in ["tasks", "skills"] {
                for e in r[kind].as_array().unwrap() {
                    if e["status"] == "approved" {
                        approved.extend(texts(e));
                    } else {
                        unapproved.extend(texts(e));
                    }
                    unapproved.extend(texts(&e["proposal"]));
                }
            }
        }
        unapproved.difference(&approved).cloned().collect()
    };
    assert!(!machine_texts.is_empty());
    let out = p.path("site");
    publish(&p, &out);
    let site = files(&out);
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        for t in &machine_texts {
            assert!(
                !text.contains(t.as_str()),
                "{} leaks unapproved text {t:?}",
                path.display()
            );
        }
    }
    // Only the approved widget task has a page; its drafted siblings do not.
    assert!(
        out.join("widget-makers/sort-the-widgets-by-colour.html")
            .is_file()
    );
    assert!(
        !out.join("widget-makers/paint-the-widget-housings.html")
            .exists()
    );
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("paint-the-widget-housings"));
    let api = fs::read_to_string(out.join("api/professions/widget-makers.json")).unwrap();
    assert!(api.contains("Editor-approved words about sorting."));
    assert!(!api.contains("paint-housings"));
}

#[test]
fn a_profession_with_nothing_approved_has_no_page() {
    let p = valid_project();
    let out = p.path("site");
    publish(&p, &out);
    // widget-makers has approved items in the valid fixture; drop them.
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let r = publish(&p, &out);
    assert!(r.stdout.contains("removed"), "{}", r.stdout);
    assert!(
        !out.join("widget-makers").exists(),
        "stale pages are removed"
    );
    assert!(
        !fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("widget-makers/")
    );
    assert!(
        !fs::read_to_string(out.join("api/professions/index.json"))
            .unwrap()
            .contains("widget-makers")
    );
}

#[test]
fn a_script_in_a_rationale_renders_as_text() {
    let p = valid_project();
    p.edit_record("widget-makers", |rec| {
        rec["tasks"][0]["rationale"] =
            "Sorting is easy <script>alert(1)</script> & \"quoted\".".into();
        rec["skills"][0]["reason"] = "<img src=x onerror=alert(2)>".into();
    });
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "-s",
            "painting",
            "--reviewer",
            "Ann",
            "--force",
        ]),
        0,
    );
    // A name that would end a script, in the structured data and the feed too.
    let cat = p.read("data/catalog/widget-makers.json").replace(
        "\"name\": \"Widget Makers\"",
        "\"name\": \"Widget </script><script>alert(3)</script> & Co\"",
    );
    p.write("data/catalog/widget-makers.json", &cat);
    let out = p.path("site");
    publish(&p, &out);
    let page = fs::read_to_string(out.join("widget-makers/index.html")).unwrap();
    let script = page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(script).unwrap();
    assert!(
        data.to_string()
            .contains("Widget </script><script>alert(3)</script> & Co")
    );
    let feed = fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(feed.contains("Widget &lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt; &amp; Co"));
    // HTML and XML escape; the JSON API carries the text as data.
    for (path, bytes) in files(&out)
        .into_iter()
        .filter(|(f, _)| f.extension().is_some_and(|e| e == "html" || e == "xml"))
    {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<script>")
                && !text.contains("alert(1)</script>")
                && !text.contains("alert(3)</script>"),
            "{} holds a live script",
            path.display()
        );
        // The site's own scripts only: structured data and site.js.
        let own = text
            .matches("<script type=\"application/ld+json\">")
            .count()
            + text.matches("site.js\" defer></script>").count();
        assert_eq!(text.matches("<script").count(), own, "{}", path.display());
        assert!(
            !text.contains("<img"),
            "{} holds a live tag",
            path.display()
        );
    }
    let page =
        fs::read_to_string(out.join("widget-makers/sort-the-widgets-by-colour.html")).unwrap();
    assert!(
        page.contains(
            "Sorting is easy &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;."
        ),
        "{page}"
    );
}

#[test]
fn a_profession_named_like_a_path_stays_inside_the_output() {
    let p = valid_project();
    let cat = p
        .read("data/catalog/widget-makers.json")
        .replace("\"name\": \"Widget Makers\"", "\"name\": \"../../x\"");
    p.write("data/catalog/widget-makers.json", &cat);
    let out = p.path("deep/site");
    let paths = || -> BTreeSet<PathBuf> { files(p.root()).into_iter().map(|(f, _)| f).collect() };
    let before = paths();
    publish(&p, &out);
    // Everything publish wrote is under the site directory (the lock file aside).
    let written: Vec<PathBuf> = paths().difference(&before).cloned().collect();
    assert!(written.len() > 10, "{written:?}");
    for f in &written {
        assert!(
            f.starts_with("deep/site") || f.ends_with(".willai.lock"),
            "{} is outside the site",
            f.display()
        );
    }
    let page = fs::read_to_string(out.join("widget-makers/index.html")).unwrap();
    assert!(
        page.contains("<title>Will AI replace ../../xs? Task-by-task AI exposure"),
        "the name shows as text"
    );
    // A slug that is not a slug never gets that far.
    let cat = p
        .read("data/catalog/widget-makers.json")
        .replace("\"slug\": \"widget-makers\"", "\"slug\": \"../../x\"");
    p.write("data/catalog/widget-makers.json", &cat);
    let r = run_ok(
        p.willai().args(["publish", "--out"]).arg(p.path("other")),
        2,
    );
    assert!(
        r.stderr.contains("\"../../x\" is not a slug"),
        "{}",
        r.stderr
    );
    assert!(!p.path("other").exists());
}

#[test]
fn every_internal_link_resolves() {
    let p = site_project();
    p.write(
        "about.md",
        "# About us\n\nSee [the method](methodology.html).\n",
    );
    let out = p.path("site");
    publish(&p, &out);
    let mut checked = 0;
    for (rel, bytes) in files(&out) {
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for attr in ["href=\"", "src=\""] {
            for piece in html.split(attr).skip(1) {
                let link = &piece[..piece.find('"').unwrap()];
                if link.starts_with("http://")
                    || link.starts_with("https://")
                    || link.starts_with("mailto:")
                    || link.starts_with('#')
                {
                    continue;
                }
                // Only the 404 page, served at any depth, links from the site's root.
                let target = if let Some(from_root) = link.strip_prefix('/') {
                    assert_eq!(rel, Path::new("404.html"), "{link} is not relative");
                    out.join(from_root.split('#').next().unwrap())
                } else {
                    out.join(rel.parent().unwrap())
                        .join(link.split('#').next().unwrap())
                };
                assert!(target.is_file(), "{}: broken link {link}", rel.display());
                if let Some((_, fragment)) = link.split_once('#') {
                    let there = fs::read_to_string(&target).unwrap();
                    assert!(
                        there.contains(&format!("id=\"{fragment}\"")),
                        "{}: {link} names no element",
                        rel.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked} links checked");
}

#[test]
fn publishing_twice_gives_identical_files_and_keeps_foreign_directories_safe() {
    let p = valid_project();
    let out = p.path("site");
    publish(&p, &out);
    let first = files(&out);
    let r = publish(&p, &out);
    assert!(r.stdout.contains(" 0 file(s) written"), "{}", r.stdout);
    assert_eq!(first, files(&out));
    // Publishing into a directory it did not write is refused.
    p.write("mine/notes.txt", "keep me");
    let r = run_ok(p.willai().args(["publish", "--out"]).arg(p.path("mine")), 2);
    assert!(
        r.stderr
            .contains("is not empty and holds no earlier publish"),
        "{}",
        r.stderr
    );
    assert_eq!(p.read("mine/notes.txt"), "keep me");
}

/// The real browser: headless Chromium (driven over the DevTools protocol, see
/// `browser.rs`) renders every page kind from `file://` at 1280 and 390 pixels
/// (screenshots in `target/browser/`), with no sideways scrolling and no script error;
/// on a phone the task table stacks, the first task comes within the first screen and a
/// half and no breadcrumb line ends with a lone "›"; the search box finds a profession
/// by name (from `file://`), by alias and a task by its title (over http, with the
/// search index it fetches only once a reader searches), and Enter puts the query in
/// the address; the task table sorts; ticking tasks gives the reader's own split beside
/// the profession's, kept in view and remembered on reload. Needs Debian's `chromium`
/// (installed by `.ci/run`); run with `cargo test -- --ignored`.
#[test]
#[ignore = "needs Chromium at /usr/bin/chromium: .ci/run installs it and runs this"]
fn a_real_browser_renders_the_pages() {
    use crate::browser::{Browser, serve};
    use serde_json::json;
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let p = site_project();
    site_settings(
        &p,
        "signup_url = \"https://forms.example.org/report\"\nlicense = \"CC BY 4.0\"\nlicense_url = \"https://creativecommons.org/licenses/by/4.0/\"",
    );
    p.write("about.md", "# About us\n\nA small newsroom.\n");
    // Widget Makers partly reviewed (1 of 4 tasks): its page is one kind of its own.
    let out = p.path("site");
    publish(&p, &out);
    let api: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(out.join("api/professions/data-scientists.json")).unwrap(),
    )
    .unwrap();
    let tasks = api["tasks"].as_array().unwrap();
    let deep = format!(
        "data-scientists/{}.html",
        tasks[3]["slug"].as_str().unwrap()
    );
    let artifacts = repo().join("target/browser");
    fs::create_dir_all(&artifacts).unwrap();
    let url = |rel: &str| format!("file://{}", out.join(rel).display());
    let mut b = Browser::start(&chromium);

    // Every page kind at both widths: no sideways scrolling, no script error, a screenshot.
    for (rel, name) in [
        ("index.html", "index"),
        ("index-by-exposure.html", "ranking"),
        ("data-scientists/index.html", "profession"),
        ("widget-makers/index.html", "profession-in-review"),
        (deep.as_str(), "deep-dive"),
        (
            "ml-engineer/write-production-code.html",
            "deep-dive-ml-engineer",
        ),
        ("methodology.html", "methodology"),
        ("about.html", "about"),
        ("404.html", "not-found"),
    ] {
        for width in [1280, 390] {
            let tab = b.open(&url(rel), width);
            let (scroll, inner) = (
                b.eval(&tab, "document.documentElement.scrollWidth"),
                b.eval(&tab, "innerWidth"),
            );
            assert!(
                scroll.as_u64() <= inner.as_u64(),
                "{rel} at {width} px scrolls sideways ({scroll} > {inner})"
            );
            assert_eq!(b.eval(&tab, "__errors"), json!([]), "{rel}");
            // No crumb line ends with its separator alone: the separator (the crumb's
            // first box) and the start of its name (the next) are on one line.
            assert_eq!(
                b.eval(&tab, "[...document.querySelectorAll('.crumbs li + li')].filter(li => { const r = li.getClientRects(); return !r.length || (r.length > 1 && Math.abs(r[0].top - r[1].top) > 2); }).length"),
                json!(0),
                "{rel} at {width} px"
            );
            let shot = artifacts.join(format!("{name}-{width}.png"));
            b.screenshot(&tab, &shot);
            assert!(
                fs::metadata(&shot).unwrap().len() > 10_000,
                "a real screenshot"
            );
            b.close(tab);
        }
    }

    // On a phone, the task table stacks (the rationale gets the width of the screen)
    // and the first task is within the first screen and a half.
    let tab = b.open(&url("data-scientists/index.html"), 390);
    let first = b.eval(
        &tab,
        "document.querySelector('.tasks tbody tr').getBoundingClientRect().top + scrollY",
    );
    assert!(first.as_f64().unwrap() < 1200.0, "first task at {first} px");
    let why = b.eval(
        &tab,
        "document.querySelector('.tasks td.why').getBoundingClientRect().width",
    );
    assert!(
        why.as_f64().unwrap() > 300.0,
        "the rationale is {why} px wide"
    );
    b.close(tab);

    // The ML Engineer deep dive as a reader sees it: the task first.
    let tab = b.open(&url("ml-engineer/write-production-code.html"), 1280);
    // innerText is as shown: labels styled in capitals read in capitals.
    let text = squeezed_text(&format!(
        "<body>{}",
        b.eval(&tab, "document.body.innerText").as_str().unwrap()
    ))
    .to_lowercase();
    let mut from = 0;
    for want in [
        "AI and Write production code: Impact on ML Engineers",
        "Focus: Write production code",
        "HIGH exposure to AI",
        "LLMs can draft and transform code quickly",
        "Reviewed by",
        "Task-by-Task AI Exposure",
        "Skills Analysis",
        "Key Insights",
        "2 of 3 tasks face HIGH exposure to AI",
        "Get your personalized AI exposure report",
    ] {
        let want: String = want
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let at = text[from..]
            .find(&want)
            .unwrap_or_else(|| panic!("the rendered page lacks, in order, {want:?}"));
        from += at + want.len();
    }
    b.close(tab);

    // The search box, from file://: the names on the page; results right under the box,
    // the list and the charts out of the way.
    let results = "[...document.querySelectorAll('#results li a')].map(a => a.textContent)";
    let tab = b.open(&url("index.html"), 390);
    assert_eq!(
        b.eval(&tab, "document.querySelector('form.search').hidden"),
        false
    );
    b.click(&tab, "document.getElementById('q')");
    b.type_text(&tab, "data sci");
    assert_eq!(b.eval(&tab, results), json!(["Data Scientists"]));
    assert_eq!(
        b.eval(&tab, "document.getElementById('found').textContent"),
        "1 profession matches."
    );
    assert_eq!(
        b.eval(&tab, "document.getElementById('browse').hidden"),
        true
    );
    let below = b.eval(
        &tab,
        "document.querySelector('#results li').getBoundingClientRect().top - document.getElementById('q').getBoundingClientRect().bottom",
    );
    assert!(
        below.as_f64().unwrap() < 80.0,
        "results {below} px under the box"
    );
    b.screenshot(&tab, &artifacts.join("index-search-390.png"));
    b.close(tab);
    let tab = b.open(&format!("{}?q=legal", url("index.html")), 1280);
    assert_eq!(
        b.eval(&tab, results),
        json!(["Paralegals and Legal Assistants"])
    );
    b.close(tab);

    // Over http: nothing is fetched until the reader searches; then an alias finds its
    // profession, a task's title its task; Enter keeps the query in the address.
    let base = serve(out.clone());
    let fetched =
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('search.json'))";
    let tab = b.open(&format!("{base}/index.html"), 1280);
    assert_eq!(
        b.eval(&tab, fetched),
        false,
        "no search index on a plain visit"
    );
    b.click(&tab, "document.getElementById('q')");
    b.wait(&tab, fetched);
    b.type_text(&tab, "MLE");
    b.wait(
        &tab,
        &format!("JSON.stringify({results}) === '[\"ML Engineer\"]'"),
    );
    assert!(
        b.eval(&tab, "document.querySelector('#results small').textContent")
            .as_str()
            .unwrap()
            .contains("also called")
    );
    let task = tasks[2]["title"].as_str().unwrap();
    b.eval(&tab, "document.getElementById('q').value = ''");
    b.type_text(&tab, task);
    b.wait(
        &tab,
        &format!(
            "[...document.querySelectorAll('#results a')].some(a => a.textContent === {} && a.getAttribute('href') === 'data-scientists/index.html#t-3')",
            json!(task)
        ),
    );
    b.eval(
        &tab,
        "document.querySelector('form.search').requestSubmit()",
    );
    b.wait(
        &tab,
        "new URLSearchParams(location.search).get('q') !== null",
    );
    assert_eq!(
        b.eval(&tab, "new URLSearchParams(location.search).get('q')"),
        json!(task)
    );
    assert_eq!(b.eval(&tab, "__errors"), json!([]));
    b.close(tab);

    // The task table sorts by exposure, HIGH first, and back.
    let tab = b.open(&format!("{base}/data-scientists/index.html"), 1280);
    let levels = "[...document.querySelectorAll('.tasks tbody tr .level')].map(l => l.textContent)";
    let original = b.eval(&tab, levels);
    b.click(&tab, "document.querySelectorAll('.tasks th button')[1]");
    let sorted = b.eval(&tab, levels);
    let rank = |l: &serde_json::Value| {
        ["HIGH", "MEDIUM", "LOW"]
            .iter()
            .position(|x| l == x)
            .unwrap()
    };
    let ranks: Vec<usize> = sorted.as_array().unwrap().iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{sorted}");
    assert_eq!(
        b.eval(
            &tab,
            "document.querySelectorAll('.tasks th')[1].getAttribute('aria-sort')"
        ),
        "ascending"
    );
    b.click(&tab, "document.querySelectorAll('.tasks th button')[1]");
    b.click(&tab, "document.querySelectorAll('.tasks th button')[1]");
    assert_eq!(b.eval(&tab, levels), original, "the page's own order again");

    // Ticking tasks gives the reader's own split beside the profession's, in view at the
    // foot of the screen, remembered on reload, and nowhere else.
    assert_eq!(
        b.eval(&tab, "document.getElementById('mine').hidden"),
        false
    );
    assert_eq!(
        b.eval(&tab, "document.querySelectorAll('.mine-box').length"),
        json!(tasks.len())
    );
    assert_eq!(
        b.eval(
            &tab,
            "getComputedStyle(document.querySelector('.mine-box')).accentColor"
        ),
        "rgb(122, 31, 31)",
        "ticks in the site's colour, not the browser's blue"
    );
    let out_text = |b: &mut Browser, tab: &crate::browser::Tab| {
        b.eval(tab, "document.getElementById('mine-out').textContent")
    };
    let picked = [0usize, 2, 5, 7];
    for &i in &picked {
        b.click(
            &tab,
            &format!("document.querySelectorAll('.mine-box')[{i}]"),
        );
    }
    let expect = |picked: &[usize]| {
        let count = |level: &str| {
            picked
                .iter()
                .filter(|&&i| tasks[i]["level"] == level)
                .count()
        };
        let n = picked.len();
        let pct = |c: usize| (200 * c + n) / (2 * n);
        let (h, m, l) = (count("HIGH"), count("MEDIUM"), count("LOW"));
        let (ph, phm) = (pct(h), pct(h + m));
        format!(
            "Your {n} tasks: {h} HIGH ({ph}%), {m} MEDIUM ({}%), {l} LOW ({}%). All tasks of Data Scientists: {}% HIGH, {}% MEDIUM, {}% LOW.",
            phm - ph,
            100 - phm,
            api["shares"]["high"],
            api["shares"]["medium"],
            api["shares"]["low"]
        )
    };
    assert_eq!(out_text(&mut b, &tab), expect(&picked));
    // In view while the reader is among the first rows.
    b.eval(
        &tab,
        "document.querySelector('.tasks tbody tr').scrollIntoView()",
    );
    let bottom = b.eval(
        &tab,
        "document.getElementById('mine').getBoundingClientRect().bottom <= innerHeight + 1",
    );
    assert_eq!(bottom, true, "the box stays in view");
    b.screenshot(&tab, &artifacts.join("profession-ticked-1280.png"));
    b.close(tab);
    let tab = b.open(&format!("{base}/data-scientists/index.html"), 390);
    assert_eq!(out_text(&mut b, &tab), expect(&picked), "remembered");
    b.click(&tab, "document.querySelectorAll('.mine-box')[2]");
    assert_eq!(out_text(&mut b, &tab), expect(&[0, 5, 7]));
    assert_eq!(
        b.eval(
            &tab,
            "document.getElementById('mine-bar').getAttribute('viewBox')"
        ),
        "0 0 3 1"
    );
    b.click(&tab, "document.getElementById('mine-clear')");
    assert_eq!(b.eval(&tab, "localStorage.length"), json!(0));
    assert_eq!(b.eval(&tab, "__errors"), json!([]));
    b.close(tab);
}

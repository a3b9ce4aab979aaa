//! `willai serve`: the real binary serving over HTTP on 127.0.0.1, read with a plain
//! HTTP/1.1 client, while the test edits the project as an editor would (and, in the
//! ignored browser test, a real Chromium watches the open page reload).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fake_openai::FakeServer;
use serde_json::Value;

use crate::util::{Project, run_ok};
use crate::validate::valid_project;

/// A running `willai serve`, its address, and what it prints.
pub struct Serve {
    pub child: Child,
    pub base: String,
    lines: mpsc::Receiver<String>,
    stderr: Option<ChildStderr>,
}

impl Serve {
    pub fn start(p: &Project, args: &[&str]) -> Serve {
        Serve::start_with(p, args, &[])
    }

    fn start_with(p: &Project, args: &[&str], env: &[(&str, &std::path::Path)]) -> Serve {
        let mut cmd = p.process();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = child.stderr.take();
        let mut s = Serve {
            child,
            base: String::new(),
            lines,
            stderr,
        };
        let line = s.line_with("serving at http://");
        s.base = line
            .split("serving at ")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        assert!(s.base.starts_with("http://127.0.0.1:"), "{line}");
        s
    }

    /// The next printed line holding `text` (a generous deadline: a failure, not a
    /// speed check).
    fn line_with(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("serve never printed {text:?}"),
            }
        }
    }

    pub fn get(&self, path: &str) -> Response {
        request(&self.base, "GET", path)
    }

    fn build(&self) -> Value {
        serde_json::from_str(&self.get("/__willai/build").body).unwrap()
    }

    /// Waits until the build number passes `n`; how long that took.
    fn wait_for_build_after(&self, n: u64) -> Duration {
        let start = Instant::now();
        loop {
            if self.build()["build"].as_u64().unwrap() > n {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no rebuild: {}",
                self.build()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends a signal, then waits for the exit code; also returns what went to stderr.
    fn stop(mut self, signal: i32) -> (i32, String) {
        // SAFETY: a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut err).unwrap();
        }
        (status.code().unwrap_or(-1), err)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    head: String,
    pub body: String,
}

/// One HTTP/1.1 request with a raw path (sent as written, `..` and all).
fn request(base: &str, method: &str, path: &str) -> Response {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// Widget makers drafted by the fake server, nothing approved.
fn drafted() -> Project {
    crate::validate::drafted().0
}

#[test]
fn serve_answers_over_http_and_shows_an_approval_at_once() {
    let p = drafted();
    let before: Vec<_> = p.all_files();
    let tmp = tempfile::tempdir().unwrap();
    let s = Serve::start_with(&p, &[], &[("TMPDIR", tmp.path())]);
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "the site is built in a temporary folder"
    );

    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.head.contains("Content-Type: text/html"),
        "{}",
        home.head
    );
    assert!(home.head.contains("Cache-Control: no-store"));
    assert!(home.body.contains("ML Engineer"));
    assert!(
        home.body
            .contains("<script src=\"/__willai/reload.js\" data-build=\"1\"></script>\n</body>"),
        "the reload script before </body>"
    );
    assert!(
        s.get("/__willai/reload.js")
            .body
            .contains("location.reload()")
    );
    assert_eq!(s.build(), serde_json::json!({"build": 1, "error": null}));
    // Nothing of widget makers is approved: no page.
    assert_eq!(s.get("/widget-makers/index.html").status, 404);
    let missing = s.get("/no-such-page.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's own 404 page");

    // A folder without its slash redirects, so relative links resolve.
    let moved = s.get("/ml-engineer");
    assert_eq!(moved.status, 301);
    assert!(
        moved.head.contains("Location: /ml-engineer/"),
        "{}",
        moved.head
    );
    assert_eq!(s.get("/ml-engineer/").status, 200);
    // Only GET and HEAD; HEAD without a body.
    assert_eq!(request(&s.base, "POST", "/").status, 405);
    let head = request(&s.base, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Nothing outside the site's folder, however the path is written.
    for bad in [
        "/../willai.toml",
        "/%2e%2e/willai.toml",
        "/ml-engineer/..%2f..%2fwillai.toml",
        "/..\\willai.toml",
        "/%00",
    ] {
        let r = s.get(bad);
        assert!(matches!(r.status, 400 | 404), "{bad}: {}", r.status);
        assert!(!r.body.contains("model ="), "{bad} served a project file");
    }
    // A folder asked for with a doubled slash redirects on this site, not to a host.
    let moved = s.get("//ml-engineer");
    assert_eq!(moved.status, 301);
    assert!(
        moved.head.contains("Location: /ml-engineer/\r")
            || moved.head.ends_with("Location: /ml-engineer/"),
        "{}",
        moved.head
    );
    // An oversized request gets an answer, 431, and the server goes on.
    let long = format!("/{}", "a".repeat(70_000));
    assert_eq!(s.get(&long).status, 431);
    assert_eq!(s.get("/").status, 200);

    // An editor approves: the page is there on the next build.
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    let took = s.wait_for_build_after(1);
    eprintln!("serve: the approval showed after {took:?}");
    let page = s.get("/widget-makers/index.html");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Reviewed by Ann Editor"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("not yet reviewed"));

    // serve wrote nothing into the project: only approve did.
    let after = p.all_files();
    let changed: Vec<_> = after
        .iter()
        .filter(|f| !before.contains(f))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert_eq!(
        changed,
        vec![
            p.path("data/records/widget-makers.json")
                .display()
                .to_string()
        ]
    );
    assert_eq!(after.len(), before.len());

    let (code, err) = s.stop(libc::SIGINT);
    assert_eq!(code, 130, "{err}");
    assert!(err.contains("stopped serving"), "{err}");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "the temporary folder is removed"
    );
}

#[test]
fn drafts_and_proposals_show_only_with_drafts_each_marked() {
    let p = drafted();
    // ML Engineer: approved text with a proposal beside it from another model.
    let toml = p.read("willai.toml").replace("test-model", "test-model-2");
    p.write("willai.toml", &toml);
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--redraft"]),
        0,
    );
    let proposed = p.record("ml-engineer")["tasks"][0]["proposal"]["rationale"]
        .as_str()
        .unwrap()
        .to_string();
    let approved = p.record("ml-engineer")["tasks"][0]["rationale"]
        .as_str()
        .unwrap()
        .to_string();

    let plain = Serve::start(&p, &[]);
    assert_eq!(plain.get("/widget-makers/index.html").status, 404);
    let ml = plain.get("/ml-engineer/index.html").body;
    assert!(ml.contains(&approved) && !ml.contains(&proposed));
    assert!(!ml.contains("not yet reviewed") && !ml.contains("Preview with drafts"));
    drop(plain);

    let s = Serve::start(&p, &["--drafts"]);
    let page = s.get("/widget-makers/index.html");
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Preview with drafts."), "the banner");
    // Every task and skill of widget makers is a draft, and each says so.
    let record = p.record("widget-makers");
    let items =
        record["tasks"].as_array().unwrap().len() + record["skills"].as_array().unwrap().len();
    assert_eq!(
        body.matches("(draft, not yet reviewed)").count(),
        items,
        "{body}"
    );
    assert!(
        body.contains(&format!("{items} items not yet reviewed.")),
        "{body}"
    );
    assert!(!body.contains("an editor reviewed every analysis"));
    assert!(body.contains("this preview also shows text no editor has reviewed yet"));
    let deep = s.get(&format!(
        "/widget-makers/{}.html",
        "sort-the-widgets-by-colour"
    ));
    assert_eq!(
        deep.status,
        200,
        "{}",
        s.get("/api/professions/widget-makers.json").body
    );
    assert!(deep.body.contains("Draft: not yet reviewed by an editor."));

    // The proposal shows as the text would read once taken, marked.
    let ml = s.get("/ml-engineer/index.html").body;
    assert!(ml.contains(&proposed), "{ml}");
    assert!(ml.contains("(proposal, not yet reviewed)"));
    let deep = s.get("/ml-engineer/write-production-code.html").body;
    assert!(deep.contains("Proposal: new machine text, not yet reviewed by an editor."));

    // The data files of the preview mark unreviewed text too.
    let api: serde_json::Value =
        serde_json::from_str(&s.get("/api/professions/widget-makers.json").body).unwrap();
    for t in api["tasks"].as_array().unwrap() {
        assert_eq!(t["pending"], "draft", "{t}");
    }
    for k in api["skills"].as_array().unwrap() {
        assert_eq!(k["pending"], "draft", "{k}");
    }
    let api: serde_json::Value =
        serde_json::from_str(&s.get("/api/professions/ml-engineer.json").body).unwrap();
    assert_eq!(api["tasks"][0]["pending"], "proposal");
    drop(s);
    let plain = Serve::start(&p, &[]);
    let api = plain.get("/api/professions/ml-engineer.json").body;
    assert!(!api.contains("\"pending\""), "{api}");
}

#[test]
fn a_build_error_keeps_the_last_good_site_and_names_the_file() {
    let p = valid_project();
    let s = Serve::start(&p, &[]);
    let good = s.get("/widget-makers/index.html");
    assert_eq!(good.status, 200);

    let path = "data/records/widget-makers.json";
    let text = p.read(path);
    p.write(path, "{ not json");
    let start = Instant::now();
    let error = loop {
        if let Some(e) = s.build()["error"].as_str() {
            break e.to_string();
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no error shown");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(error.contains("data/records/widget-makers.json"), "{error}");
    assert_eq!(s.build()["build"], 1, "the last good build stays");
    assert_eq!(s.get("/widget-makers/index.html").body, good.body);

    // Fixed back to what it was: the next build clears the error, and the site being
    // as it was, the build number (which open pages reload on) stays.
    p.write(path, &text);
    let start = Instant::now();
    while !s.build()["error"].is_null() {
        assert!(start.elapsed() < Duration::from_secs(20), "the error stays");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(s.build()["build"], 1);
    // A change that changes pages moves it.
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["rationale"] = Value::from("Changed after the fix.");
    });
    s.wait_for_build_after(1);
    let (code, _) = s.stop(libc::SIGTERM);
    assert_eq!(code, 143);
}

#[test]
fn a_preview_without_a_base_url_links_to_itself() {
    let p = valid_project();
    let toml: String = p
        .read("willai.toml")
        .lines()
        .filter(|l| !l.starts_with("base_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    p.write("willai.toml", &toml);
    run_ok(p.willai().args(["publish", "--out", "site"]), 2);
    let s = Serve::start(&p, &[]);
    let page = s.get("/widget-makers/index.html");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "<link rel=\"canonical\" href=\"{}/widget-makers/\">",
            s.base
        )),
        "{}",
        page.body
    );
}

#[test]
fn a_port_in_use_is_a_usage_error() {
    let p = valid_project();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let r = run_ok(p.willai().args(["serve", "--port", &port]), 2);
    assert!(
        r.stderr
            .contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--port 0"), "{}", r.stderr);
}

/// The open page reloads itself after a change (Chromium; run by .ci/run).
#[test]
#[ignore = "needs Chromium: run with --ignored (as .ci/run does)"]
fn a_real_browser_sees_the_page_reload_after_a_change() {
    use crate::browser::Browser;
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let p = valid_project();
    let s = Serve::start(&p, &["--drafts"]);
    let mut b = Browser::start(&chromium);
    let url = format!("{}/widget-makers/index.html", s.base);
    let tab = b.open(&url, 1280);
    b.eval(&tab, "window.__marker = 'before'; true");
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["rationale"] = Value::from("Rewritten while the page was open.");
    });
    // A reload clears the marker and shows the new text.
    b.wait(
        &tab,
        "window.__marker === undefined && !!document.body && document.body.innerText.includes('Rewritten while the page was open.')",
    );
    // A broken record shows its error on the open page, without a reload.
    b.eval(&tab, "window.__marker = 'kept'; true");
    p.write("data/records/widget-makers.json", "{ broken");
    b.wait(
        &tab,
        "!!document.getElementById('willai-serve-error') && document.getElementById('willai-serve-error').innerText.includes('widget-makers.json')",
    );
    assert_eq!(b.eval(&tab, "window.__marker"), Value::from("kept"));
    let errors = b.eval(&tab, "window.__errors");
    assert_eq!(errors, serde_json::json!([]), "script errors on the page");
}

/// A rebuild renders only what changed, but never leaves a page stale: a renamed
/// profession reaches the pages of the others that link to it, and a template change
/// reaches every page.
#[test]
fn a_rebuild_reaches_every_page_a_change_touches() {
    let p = valid_project();
    let s = Serve::start(&p, &[]);
    let ml = s.get("/ml-engineer/index.html").body;
    assert!(ml.contains(">Widget Makers</a>"), "{ml}");

    let path = "data/catalog/widget-makers.json";
    let catalog = p
        .read(path)
        .replace("\"Widget Makers\"", "\"Widget Crafters\"");
    p.write(path, &catalog);
    s.wait_for_build_after(1);
    let ml = s.get("/ml-engineer/index.html").body;
    assert!(ml.contains(">Widget Crafters</a>"), "{ml}");
    let deep = s.get("/ml-engineer/write-production-code.html").body;
    assert!(deep.contains(">Widget Crafters</a>"), "{deep}");

    // A project template that overrides the footer: on every page at the next build.
    let footer = "<footer class=\"colophon\"><p>Our own footer.</p></footer>\n";
    p.write("templates/_footer.html", footer);
    s.wait_for_build_after(2);
    for page in [
        "/index.html",
        "/ml-engineer/index.html",
        "/ml-engineer/write-production-code.html",
        "/widget-makers/index.html",
    ] {
        assert!(s.get(page).body.contains("Our own footer."), "{page}");
    }
}

/// A project that does not build at the start is served as its error, and the page
/// becomes the site once the problem is fixed.
#[test]
fn a_first_build_that_fails_serves_its_error_until_fixed() {
    let p = valid_project();
    let path = "data/records/widget-makers.json";
    let text = p.read(path);
    p.write(path, "[1, 2");
    let s = Serve::start(&p, &[]);
    let page = s.get("/");
    assert_eq!(page.status, 500);
    assert!(
        page.body.contains("The site did not build"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("data/records/widget-makers.json"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("data-build=\"0\""),
        "it reloads once fixed"
    );
    assert_eq!(s.build()["build"], 0);

    p.write(path, &text);
    s.wait_for_build_after(0);
    let page = s.get("/widget-makers/index.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Widget Makers"));
}

//! A real browser for the tests: headless Chromium driven through the Chrome DevTools
//! Protocol over `--remote-debugging-pipe` (Chromium reads commands on file descriptor 3
//! and writes replies on 4, each a JSON message ended by a NUL byte), so a test can open
//! a page at a window size, run JavaScript in it, click, type and take screenshots
//! without a WebSocket library. Also a small static file server on 127.0.0.1, for what
//! only works over http (the search box reading the JSON index).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Browser {
    child: Child,
    to: std::io::PipeWriter,
    from: BufReader<std::io::PipeReader>,
    next: u64,
    _profile: tempfile::TempDir,
}

/// One open page (a target with its session).
pub struct Tab {
    target: String,
    session: String,
    pub width: u32,
}

impl Browser {
    pub fn start(chromium: &str) -> Browser {
        let (child_reads, to) = std::io::pipe().unwrap();
        let (from, child_writes) = std::io::pipe().unwrap();
        let profile = tempfile::tempdir().unwrap();
        let (r, w) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec; the
        // copies above 10 keep the two descriptors from overwriting each other.
        unsafe {
            cmd.pre_exec(move || {
                let r2 = libc::fcntl(r, libc::F_DUPFD_CLOEXEC, 10);
                let w2 = libc::fcntl(w, libc::F_DUPFD_CLOEXEC, 10);
                if r2 < 0 || w2 < 0 || libc::dup2(r2, 3) < 0 || libc::dup2(w2, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("chromium starts");
        drop(child_reads);
        drop(child_writes);
        Browser {
            child,
            to,
            from: BufReader::new(from),
            next: 0,
            _profile: profile,
        }
    }

    /// Sends a command and waits for its reply (events in between are dropped).
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("chromium reads its pipe");
        loop {
            let mut buf = Vec::new();
            let n = self.from.read_until(0, &mut buf).unwrap();
            assert!(n > 0, "chromium closed its pipe while answering {method}");
            buf.pop();
            let v: Value = serde_json::from_slice(&buf).unwrap();
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method}: {e}");
                }
                return v["result"].clone();
            }
        }
    }

    /// Opens `url` in a new page `width` pixels wide, and waits until it has loaded.
    pub fn open(&mut self, url: &str, width: u32) -> Tab {
        let target =
            self.call(None, "Target.createTarget", json!({"url": "about:blank"}))["targetId"]
                .as_str()
                .unwrap()
                .to_string();
        let session = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )["sessionId"]
            .as_str()
            .unwrap()
            .to_string();
        let tab = Tab {
            target,
            session,
            width,
        };
        let s = Some(tab.session.as_str());
        self.call(
            s,
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}),
        );
        self.call(s, "Page.enable", json!({}));
        // Every script error on the page is kept, for the test to read.
        self.call(
            s,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__errors = []; addEventListener('error', e => __errors.push(String(e.message)));"}),
        );
        self.call(s, "Page.navigate", json!({"url": url}));
        let ready = format!(
            "document.readyState === 'complete' && location.href === {}",
            json!(url)
        );
        self.wait(&tab, &ready);
        tab
    }

    /// Runs JavaScript in the page and returns its value.
    pub fn eval(&mut self, tab: &Tab, js: &str) -> Value {
        let r = self.call(
            Some(&tab.session),
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{js}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits (polling) until a JavaScript condition holds; panics after 20 s.
    pub fn wait(&mut self, tab: &Tab, condition: &str) {
        let start = Instant::now();
        while self.eval(tab, condition) != json!(true) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never true: {condition}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Clicks the middle of the element a JavaScript expression gives, as a mouse does.
    pub fn click(&mut self, tab: &Tab, element: &str) {
        let at = self.eval(
            tab,
            &format!(
                "(() => {{ const e = {element}; e.scrollIntoView({{block: 'center'}}); const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; }})()"
            ),
        );
        let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                Some(&tab.session),
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Types text where the focus is, as a keyboard does.
    pub fn type_text(&mut self, tab: &Tab, text: &str) {
        self.call(
            Some(&tab.session),
            "Input.insertText",
            json!({"text": text}),
        );
    }

    /// A PNG of the whole page (up to 12,000 pixels tall): the window is made as tall as
    /// the page for the shot, so everything is laid out and painted as on screen.
    pub fn screenshot(&mut self, tab: &Tab, to: &Path) {
        let s = Some(tab.session.as_str());
        let m = self.call(s, "Page.getLayoutMetrics", json!({}));
        let height = m["cssContentSize"]["height"]
            .as_f64()
            .unwrap()
            .clamp(900.0, 12_000.0);
        let metrics = |h: f64| json!({"width": tab.width, "height": h.ceil() as u64, "deviceScaleFactor": 1, "mobile": tab.width < 600});
        self.call(s, "Emulation.setDeviceMetricsOverride", metrics(height));
        let shot = self.call(s, "Page.captureScreenshot", json!({"format": "png"}));
        self.call(s, "Emulation.setDeviceMetricsOverride", metrics(900.0));
        std::fs::write(to, base64(shot["data"].as_str().unwrap())).unwrap();
    }

    pub fn close(&mut self, tab: Tab) {
        self.call(None, "Target.closeTarget", json!({"targetId": tab.target}));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64, as the protocol sends screenshots.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let take = chunk.len() - 1;
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    out
}

/// Serves `dir` on 127.0.0.1 (GET only, one request per connection) for the rest of the
/// test process; returns the base URL.
pub fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut head = [0u8; 4096];
            let n = stream.read(&mut head).unwrap_or(0);
            let head = String::from_utf8_lossy(&head[..n]);
            let path = head.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split(['?', '#']).next().unwrap_or("/");
            let mut file = dir.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            let inside = !path.contains("..");
            let (status, body) = match std::fs::read(&file) {
                Ok(b) if inside => ("200 OK", b),
                _ => (
                    "404 Not Found",
                    std::fs::read(dir.join("404.html")).unwrap_or_default(),
                ),
            };
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    base
}

#[test]
fn base64_decodes_the_standard_alphabet() {
    assert_eq!(base64("aGVsbG8="), b"hello");
    assert_eq!(base64("aGk="), b"hi");
    assert_eq!(base64("YWJj"), b"abc");
}

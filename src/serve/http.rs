//! The preview's HTTP side: GET and HEAD of the built files, the build number for the
//! reload script, and nothing outside the site's folder.
//!
//! Every response says `Cache-Control: no-store` (a preview must never show an old page)
//! and `Connection: close` (one request per connection keeps the reader trivially
//! correct; browsers open another). A folder without a trailing slash redirects to one,
//! so the site's relative links resolve as they will on the real server.
//!
//! A client that never reads costs little and not for long: files other than pages are
//! sent from disk in chunks (never held whole), each chunk must be taken within
//! [`WRITE_IDLE`], and the listener serves a bounded number of connections at once.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Shared;

/// The reload script's address and the build number's.
pub const RELOAD_JS: &str = "/__willai/reload.js";
pub const BUILD: &str = "/__willai/build";

const SCRIPT: &str = include_str!("reload.js");
const MAX_HEAD: usize = 16 * 1024;

/// The longest a client may take to accept the next chunk of a response.
pub const WRITE_IDLE: Duration = Duration::from_secs(10);

/// The size of the chunks a response is written in.
const CHUNK: usize = 64 * 1024;

enum Body {
    Bytes(Vec<u8>),
    /// A file sent from disk as it is read, and its length.
    File(std::fs::File, u64),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, n) => *n,
        }
    }
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Body,
    location: Option<String>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: Body::Bytes(body.into()),
            location: None,
        }
    }

    fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{body}\n"))
    }
}

/// Answers one connection.
pub async fn handle(mut stream: TcpStream, shared: Arc<Shared>) {
    let head = match tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream)).await {
        Ok(Head::Read(head)) => head,
        Ok(Head::TooLarge) => {
            let r = Response::text(431, "request header too large: at most 16 KiB");
            let _ = write(&mut stream, r, false).await;
            // Read on a little before closing: closing with unread bytes resets the
            // connection, and the client would not see the answer.
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                let mut sink = [0u8; 8192];
                let mut left = 1usize << 20;
                while left > 0 {
                    match stream.read(&mut sink).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => left = left.saturating_sub(n),
                    }
                }
            })
            .await;
            return;
        }
        Ok(Head::Closed) | Err(_) => return,
    };
    let (method, target) = match request_line(&head) {
        Some(x) => x,
        None => {
            let _ = write(&mut stream, Response::text(400, "bad request"), false).await;
            return;
        }
    };
    let head_only = method == "HEAD";
    let response = if method != "GET" && !head_only {
        Response::text(405, "only GET and HEAD")
    } else {
        respond(&target, &shared).await
    };
    let _ = write(&mut stream, response, head_only).await;
}

enum Head {
    Read(Vec<u8>),
    /// Over [`MAX_HEAD`] without its end: answered 431, not read on.
    TooLarge,
    Closed,
}

async fn read_head(stream: &mut TcpStream) -> Head {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Head::Closed,
            Ok(n) => n,
        };
        // Only the new bytes (and the three before them) can complete the blank line.
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if buf[from..].windows(4).any(|w| w == b"\r\n\r\n") {
            return Head::Read(buf);
        }
        if buf.len() > MAX_HEAD {
            return Head::TooLarge;
        }
    }
}

fn request_line(head: &[u8]) -> Option<(String, String)> {
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let version = parts.next()?;
    (version.starts_with("HTTP/1.") && parts.next().is_none()).then_some((method, target))
}

async fn respond(target: &str, shared: &Shared) -> Response {
    let state = shared.state();
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == BUILD {
        let body = serde_json::json!({"build": state.build, "error": state.error});
        return Response::new(200, "application/json", format!("{body}\n"));
    }
    if path == RELOAD_JS {
        return Response::new(200, "text/javascript; charset=utf-8", SCRIPT);
    }
    let Some(segments) = segments(path) else {
        return Response::text(400, "bad path");
    };
    // Hidden files are publish's own (its manifest, `.willai-site`, temporary files):
    // not part of the site, never served.
    if segments.iter().any(|s| s.starts_with('.')) {
        return Response::text(404, "not found");
    }
    if state.build == 0 {
        // Nothing has built yet: the error, on a page that reloads once it is fixed.
        return page(500, &error_page(state.error.as_deref()), 0);
    }
    let mut file = shared.dir.clone();
    for s in &segments {
        file.push(s);
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            let mut r = Response::text(301, "moved");
            r.location = Some(folder_location(path));
            return r;
        }
        file.push("index.html");
    }
    let kind = content_type(&file);
    let found = if kind.starts_with("text/html") {
        read_inside(&shared.dir, &file)
            .await
            .map(|bytes| page(200, &String::from_utf8_lossy(&bytes), state.build))
    } else {
        open_inside(&shared.dir, &file)
            .await
            .map(|(f, len)| Response {
                status: 200,
                content_type: kind,
                body: Body::File(f, len),
                location: None,
            })
    };
    match found {
        Some(r) => r,
        None => match read_inside(&shared.dir, &shared.dir.join("404.html")).await {
            Some(bytes) => page(404, &String::from_utf8_lossy(&bytes), state.build),
            None => Response::text(404, "not found"),
        },
    }
}

/// Where a folder asked for without its trailing slash redirects: the same path with one
/// slash at each end. Never `//host/`, which a browser reads as another site.
fn folder_location(path: &str) -> String {
    format!("/{}/", path.trim_matches('/'))
}

/// The path's segments, percent-decoded; `None` for a path that is not plainly inside
/// the site (`..`, a backslash, a NUL, an encoded slash, bytes that are not UTF-8).
pub fn segments(path: &str) -> Option<Vec<String>> {
    if !path.starts_with('/') {
        return None;
    }
    let mut out = Vec::new();
    for raw in path.split('/') {
        let s = percent_decode(raw)?;
        match s.as_str() {
            "" | "." => continue,
            ".." => return None,
            _ if s.contains(['/', '\\', '\0']) => return None,
            _ => out.push(s),
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A file, open, and its length, when it is a regular file inside `dir` (canonical, made
/// so once when the server starts) once links are resolved.
async fn open_inside(dir: &Path, file: &Path) -> Option<(std::fs::File, u64)> {
    let (dir, file) = (dir.to_path_buf(), file.to_path_buf());
    tokio::task::spawn_blocking(move || {
        let real = std::fs::canonicalize(&file).ok()?;
        if !real.starts_with(&dir) {
            return None;
        }
        let f = std::fs::File::open(&real).ok()?;
        let meta = f.metadata().ok()?;
        let len = meta.len();
        meta.is_file().then_some((f, len))
    })
    .await
    .ok()
    .flatten()
}

/// A page's bytes (a page is changed before it is sent: the reload script goes in).
async fn read_inside(dir: &Path, file: &Path) -> Option<Vec<u8>> {
    let (f, len) = open_inside(dir, file).await?;
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::with_capacity(len as usize);
        std::io::Read::read_to_end(&mut std::io::Read::take(f, len), &mut bytes).ok()?;
        Some(bytes)
    })
    .await
    .ok()
    .flatten()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// An HTML page with the reload script before `</body>`.
fn page(status: u16, html: &str, build: u64) -> Response {
    let tag = format!("<script src=\"{RELOAD_JS}\" data-build=\"{build}\"></script>");
    let body = match html.rfind("</body>") {
        Some(at) => format!("{}{tag}\n{}", &html[..at], &html[at..]),
        None => format!("{html}{tag}\n"),
    };
    Response::new(status, "text/html; charset=utf-8", body)
}

fn escape_html_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::publish::theme::escape_html(s, &mut out);
    out
}

fn error_page(error: Option<&str>) -> String {
    let error = error.unwrap_or("the site is being built");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>The site did not build</title></head>\n<body><h1>The site did not build</h1>\n<pre>{}</pre>\n<p>Fix it and save: this page reloads.</p>\n</body></html>\n",
        escape_html_string(error)
    )
}

async fn write(stream: &mut TcpStream, r: Response, head_only: bool) -> std::io::Result<()> {
    let reason = match r.status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    if let Some(loc) = &r.location {
        head.push_str(&format!("Location: {loc}\r\n"));
    }
    if r.status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    head.push_str("\r\n");
    send(stream, head.as_bytes()).await?;
    if !head_only {
        match r.body {
            Body::Bytes(bytes) => {
                for chunk in bytes.chunks(CHUNK) {
                    send(stream, chunk).await?;
                }
            }
            Body::File(file, len) => {
                let mut file = tokio::fs::File::from_std(file).take(len);
                let mut buf = vec![0u8; CHUNK];
                loop {
                    let n = file.read(&mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    send(stream, &buf[..n]).await?;
                }
            }
        }
    }
    stream.shutdown().await
}

/// Writes one chunk, or fails when the client has not taken it within [`WRITE_IDLE`]
/// (the connection is then dropped).
async fn send(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    tokio::time::timeout(WRITE_IDLE, stream.write_all(bytes))
        .await
        .map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::TimedOut, "the client stopped reading")
        })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_site_are_served() {
        assert_eq!(segments("/"), Some(vec![]));
        assert_eq!(
            segments("/professions/a%20b/index.html"),
            Some(vec![
                "professions".into(),
                "a b".into(),
                "index.html".into()
            ])
        );
        assert_eq!(segments("/./x//y"), Some(vec!["x".into(), "y".into()]));
        for bad in [
            "/../etc/passwd",
            "/x/%2e%2e/%2E%2E/etc",
            "/a%2fb",
            "/a%5cb",
            "/a%00b",
            "/%ff",
            "/%zz",
            "/%4",
            "relative",
        ] {
            assert_eq!(segments(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_folder_redirect_stays_on_this_site() {
        assert_eq!(folder_location("/ml-engineer"), "/ml-engineer/");
        assert_eq!(folder_location("//ml-engineer"), "/ml-engineer/");
        assert_eq!(folder_location("///a/b"), "/a/b/");
    }

    #[test]
    fn the_reload_script_goes_before_the_closing_body() {
        let body = |r: Response| match r.body {
            Body::Bytes(b) => String::from_utf8(b).unwrap(),
            Body::File(..) => panic!("a page is bytes"),
        };
        let r = page(200, "<html><body><p>x</p></body></html>\n", 7);
        let html = body(r);
        assert!(
            html.contains(
                "<p>x</p><script src=\"/__willai/reload.js\" data-build=\"7\"></script>\n</body>"
            ),
            "{html}"
        );
        let r = page(404, "no body tag", 3);
        assert!(body(r).ends_with("data-build=\"3\"></script>\n"));
    }

    /// Every kind of file a site or a theme's `static/` holds is served with its type (a
    /// font or a stylesheet served as octet-stream is refused by a browser that does not
    /// sniff), and anything else as bytes.
    #[test]
    fn each_file_kind_is_served_with_its_type() {
        for (name, want) in [
            ("index.html", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("site.js", "text/javascript; charset=utf-8"),
            ("api.json", "application/json"),
            ("sitemap.xml", "application/xml"),
            ("tasks.csv", "text/csv; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("about.md", "text/plain; charset=utf-8"),
            ("favicon.svg", "image/svg+xml"),
            ("og-image.png", "image/png"),
            ("a.jpg", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("a.gif", "image/gif"),
            ("a.webp", "image/webp"),
            ("favicon.ico", "image/x-icon"),
            ("serif.woff2", "font/woff2"),
            ("serif.woff", "font/woff"),
            ("archive.tar.gz", "application/octet-stream"),
            ("no-extension", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn the_error_page_escapes_the_error() {
        let html = error_page(Some("<script>alert(1)</script> & more"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!html.contains("<script>alert"));
    }
}

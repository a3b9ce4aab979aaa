//! Error bodies from any server shape, turned into one readable line (after aichat's
//! `catch_error`): OpenAI and llama.cpp (`{"error": {"message"}}`), vLLM
//! (`{"object": "error", "message"}`), FastAPI validation errors from llama-cpp-python
//! (`{"detail": [{"loc", "msg"}]}`), Ollama (`{"error": "..."}`), and plain text or HTML
//! from proxies. Anything that looks like a key is masked.

use serde_json::Value;

const MAX: usize = 300;

/// One line describing an error body, with any secret masked.
pub fn one_line(body: &[u8], secret: Option<&str>) -> String {
    let text = String::from_utf8_lossy(body);
    let line = match serde_json::from_slice::<Value>(body) {
        Ok(v) => from_json(&v).unwrap_or_else(|| collapse(&text)),
        Err(_) => collapse(&strip_tags(&text)),
    };
    let line = if line.is_empty() {
        "(empty body)".to_string()
    } else {
        line
    };
    truncate(&mask(&line, secret), MAX)
}

fn from_json(v: &Value) -> Option<String> {
    if let Some(err) = v.get("error") {
        if let Some(s) = err.as_str() {
            return Some(collapse(s));
        }
        let msg = err.get("message").and_then(Value::as_str).map(collapse);
        let kind = err
            .get("type")
            .and_then(Value::as_str)
            .or_else(|| err.get("code").and_then(Value::as_str));
        return match (msg, kind) {
            (Some(m), Some(k)) if !m.contains(k) => Some(format!("{m} ({k})")),
            (Some(m), _) => Some(m),
            (None, _) => Some(collapse(&err.to_string())),
        };
    }
    if let Some(detail) = v.get("detail") {
        if let Some(s) = detail.as_str() {
            return Some(collapse(s));
        }
        if let Some(items) = detail.as_array() {
            let parts: Vec<String> = items
                .iter()
                .map(|d| {
                    let loc = d
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| {
                            l.iter()
                                .map(|p| {
                                    p.as_str()
                                        .map(String::from)
                                        .unwrap_or_else(|| p.to_string())
                                })
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default();
                    let msg = d.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                    if loc.is_empty() {
                        msg.to_string()
                    } else {
                        format!("{loc}: {msg}")
                    }
                })
                .collect();
            return Some(collapse(&parts.join("; ")));
        }
    }
    if let Some(m) = v.get("message").and_then(Value::as_str) {
        return Some(collapse(m));
    }
    None
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}...")
}

/// The shortest key looked for in text: a shorter one would match ordinary words.
pub const MIN_SECRET_LEN: usize = 4;

/// Masks the secret itself and anything shaped like an OpenAI key (`sk-...`).
pub fn mask(s: &str, secret: Option<&str>) -> String {
    let mut s = match secret {
        Some(k) if k.len() >= MIN_SECRET_LEN => s.replace(k, "***"),
        _ => s.to_string(),
    };
    let mut i = 0;
    while let Some(pos) = s[i..].find("sk-") {
        let start = i + pos;
        let end = s[start + 3..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*'))
            .map(|e| start + 3 + e)
            .unwrap_or(s.len());
        if end - start >= 11 {
            s.replace_range(start..end, "sk-***");
            i = start + 6;
        } else {
            i = start + 3;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_shape_becomes_one_line() {
        let cases: [(&str, &str); 8] = [
            (
                r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#,
                "Rate limit reached (requests)",
            ),
            (
                r#"{"object":"error","message":"bad schema","type":"BadRequestError","code":400}"#,
                "bad schema",
            ),
            (
                r#"{"detail":[{"type":"literal_error","loc":["body","response_format","type"],"msg":"Input should be 'text' or 'json_object'"}]}"#,
                "body.response_format.type: Input should be 'text' or 'json_object'",
            ),
            (r#"{"detail":"Not Found"}"#, "Not Found"),
            (r#"{"error":"model 'x' not found"}"#, "model 'x' not found"),
            (
                "<html><body><h1>502 Bad Gateway</h1>\n</body></html>",
                "502 Bad Gateway",
            ),
            ("", "(empty body)"),
            ("upstream\n  timed   out", "upstream timed out"),
        ];
        for (body, want) in cases {
            assert_eq!(one_line(body.as_bytes(), None), want, "{body}");
        }
    }

    #[test]
    fn keys_are_masked() {
        let body = r#"{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnop1234. You can find your key at ...","type":"invalid_request_error"}}"#;
        let line = one_line(body.as_bytes(), None);
        assert!(!line.contains("abcdefghijklmnop"), "{line}");
        assert!(line.contains("sk-***"));
        let line = one_line(
            b"bad token my-secret-token-123",
            Some("my-secret-token-123"),
        );
        assert_eq!(line, "bad token ***");
    }

    #[test]
    fn long_bodies_are_cut() {
        let long = "x".repeat(1000);
        assert!(one_line(long.as_bytes(), None).len() <= MAX + 3);
    }
}

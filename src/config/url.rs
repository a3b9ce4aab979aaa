//! The URLs of settings: checked to be http(s) where they are used, and shown without
//! what may be secret in them (credentials, query values) wherever they are named.

/// Checks that a URL is an http(s) URL; returns it without a trailing slash. The error
/// is the parser's reason, and whether the URL parsed but is not http(s).
pub(super) fn http_url(url: &str) -> Result<String, (String, bool)> {
    let url = url.trim_end_matches('/').to_string();
    match reqwest::Url::parse(&url) {
        Err(e) => Err((e.to_string(), false)),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Err((String::new(), true)),
        Ok(_) => Ok(url),
    }
}

/// A URL fit for messages and records: `user:password@` dropped, and the value of every
/// query parameter but `api-version` shown as `***` (a `?token=` or `?key=` is as secret
/// as a password, and which names a server uses is not known here).
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(url) else {
        return url.to_string();
    };
    let hidden = |k: &str, v: &str| k != "api-version" && !v.is_empty();
    let credentials = !u.username().is_empty() || u.password().is_some();
    let query: Vec<(String, String)> = u.query_pairs().into_owned().collect();
    let secret_query = query.iter().any(|(k, v)| hidden(k, v));
    if !credentials && !secret_query {
        return url.to_string();
    }
    let _ = u.set_username("");
    let _ = u.set_password(None);
    if secret_query {
        // Re-encoded by the URL itself: a kept value with `&` or `%` stays one value.
        u.query_pairs_mut().clear().extend_pairs(
            query
                .iter()
                .map(|(k, v)| (k, if hidden(k, v) { "***" } else { v.as_str() })),
        );
    }
    u.to_string().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_in_messages() {
        assert_eq!(
            redact_url("http://user:pw@host:8080/v1"),
            "http://host:8080/v1"
        );
        assert_eq!(redact_url("http://host/v1"), "http://host/v1");
        assert_eq!(
            redact_url("http://alice:pw@127.0.0.1:9/v1?token=QTOKEN&api-version=2024-06-01"),
            "http://127.0.0.1:9/v1?token=***&api-version=2024-06-01"
        );
        assert_eq!(
            redact_url("https://h/openai?api-version=1"),
            "https://h/openai?api-version=1"
        );
        // A kept value is re-encoded, not spliced in decoded.
        assert_eq!(
            redact_url("https://h/v1?api-version=a%26b&key=s"),
            "https://h/v1?api-version=a%26b&key=***"
        );
    }
}

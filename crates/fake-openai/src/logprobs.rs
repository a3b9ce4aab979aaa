//! Token log-probabilities of a completion's content, in `OpenAI`'s shape.
//!
//! The content is split into tokens by a small JSON-aware lexer (no real
//! tokenizer: clients must not depend on token boundaries, only on the shape
//! and on the level token): every JSON punctuation mark and quote is a token,
//! a word (letters, digits, `_`) is one token together with one leading space,
//! other whitespace runs and other characters are tokens of their own, and an
//! escape sequence (`\"`) stays in one token so quotes can be told apart.
//! The tokens concatenate back to the content exactly.
//!
//! The value of a top-level `"level"` field (`HIGH`, `MEDIUM` or `LOW`) is one
//! token whose alternatives are the three levels with the request's
//! [`Distribution`]; that token is what a client reads a confidence from.
//! Every other token is near-certain.

use serde_json::{Value, json};

use crate::generate::mix;
use crate::levels::{Distribution, Level};

/// Log-probability of every token but the level: near-certain, as structured
/// output is once the level is chosen.
pub(crate) const CERTAIN: f64 = -0.0001;

/// Probability floor of a level, so a level scripted at 0 still has a finite logprob.
const LEVEL_FLOOR: f64 = 1e-6;

/// Logprob of the best alternative to a near-certain token; the next ones are
/// 1 lower each. `e^-10 + e^-11 + ...` stays below the `1 - e^CERTAIN` they share.
const ALTERNATIVE_FIRST: f64 = -10.0;

/// Logprob of the best non-level alternative to the level token, below
/// `ln(LEVEL_FLOOR)` so the three levels always rank first.
const LEVEL_ALTERNATIVE_FIRST: f64 = -16.0;

/// Alternatives to ordinary tokens; more than [`MAX_TOP_LOGPROBS`](crate::support::MAX_TOP_LOGPROBS)
/// so that enough remain after skipping the token itself.
const ALTERNATIVES: [&str; 22] = [
    " the", ",", ".", " and", "\"", ":", " a", "}", " to", " of", "]", " is", "{", " in", " for",
    " with", "\n", " that", " on", " as", " by", " it",
];

/// Alternatives to the level token after the three levels (20 in all with them).
const LEVEL_ALTERNATIVES: [&str; 17] = [
    "High", "Medium", "Low", "MODERATE", "VERY", "NONE", "H", "M", "L", "MED", "MOD", "UNKNOWN",
    "EXTREME", "high", "medium", "low", "HI",
];

/// `{"content": [...]}` for `content`, `top` alternatives per token. The level
/// token, if any, gets `distribution(level)`; `seed` varies the alternatives.
pub(crate) fn logprobs(
    content: &str,
    top: usize,
    seed: u64,
    distribution: impl FnOnce(Level) -> Distribution,
) -> Value {
    let tokens = Tokens::of(content);
    let level = tokens
        .level()
        .map(|(at, level)| (at, level, distribution(level)));
    let entries: Vec<Value> = (0..tokens.pieces.len())
        .map(|i| {
            let token = tokens.text(i);
            match level {
                Some((at, chosen, distribution)) if at == i => {
                    level_entry(token, chosen, &distribution, top)
                }
                _ => plain_entry(token, top, mix(seed ^ i as u64)),
            }
        })
        .collect();
    json!({ "content": entries })
}

fn entry(token: &str, logprob: f64, top_logprobs: Vec<Value>) -> Value {
    json!({"token": token, "logprob": logprob, "bytes": token.as_bytes(), "top_logprobs": top_logprobs})
}

fn alternative(token: &str, logprob: f64) -> Value {
    json!({"token": token, "logprob": logprob, "bytes": token.as_bytes()})
}

/// A near-certain token: itself first, then alternatives from a rotating start.
fn plain_entry(token: &str, top: usize, hash: u64) -> Value {
    let start = usize::try_from(hash % ALTERNATIVES.len() as u64).unwrap_or(0);
    let others = ALTERNATIVES
        .iter()
        .cycle()
        .skip(start)
        .take(ALTERNATIVES.len())
        .filter(|other| **other != token);
    let listed = std::iter::once(alternative(token, CERTAIN))
        .chain(
            others
                .zip(0..)
                .map(|(other, j)| alternative(other, ALTERNATIVE_FIRST - f64::from(j))),
        )
        .take(top)
        .collect();
    entry(token, CERTAIN, listed)
}

/// The level token: the three levels by probability, then non-level alternatives.
fn level_entry(token: &str, chosen: Level, distribution: &Distribution, top: usize) -> Value {
    let logprob = |level: Level| distribution.p(level).max(LEVEL_FLOOR).ln();
    let levels = distribution
        .ranked()
        .map(|level| alternative(level.name(), logprob(level)));
    let others = LEVEL_ALTERNATIVES
        .iter()
        .zip(0..)
        .map(|(other, j)| alternative(other, LEVEL_ALTERNATIVE_FIRST - f64::from(j)));
    let listed = levels.into_iter().chain(others).take(top).collect();
    entry(token, logprob(chosen), listed)
}

/// A token: a byte range of the content and where it sits in the JSON.
#[derive(Debug)]
struct Piece {
    start: usize,
    end: usize,
    /// Containers around the token (a top-level object's keys are at depth 1).
    depth: u32,
    /// Inside a string literal (the quotes themselves are not).
    in_string: bool,
}

struct Tokens<'a> {
    text: &'a str,
    pieces: Vec<Piece>,
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Tokens<'a> {
    fn of(text: &'a str) -> Tokens<'a> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let offset = |k: usize| chars.get(k).map_or(text.len(), |(at, _)| *at);
        let is_word = |k: usize| chars.get(k).is_some_and(|(_, c)| word_char(*c));
        let starts_word = |k: usize| {
            is_word(k) || (chars.get(k).is_some_and(|(_, c)| *c == ' ') && is_word(k + 1))
        };
        let mut pieces = Vec::new();
        let (mut depth, mut in_string) = (0u32, false);
        let mut k = 0;
        while let Some(&(start, c)) = chars.get(k) {
            let mut piece_depth = depth;
            let piece_in_string = in_string && c != '"';
            let next = if in_string && c == '\\' {
                (k + 2).min(chars.len())
            } else if starts_word(k) {
                (k + 1..=chars.len())
                    .find(|j| !is_word(*j))
                    .unwrap_or(chars.len())
            } else if c.is_whitespace() {
                // A whitespace run, leaving a space that starts a word to that word.
                (k + 1..=chars.len())
                    .find(|j| {
                        !chars.get(*j).is_some_and(|(_, c)| c.is_whitespace()) || starts_word(*j)
                    })
                    .unwrap_or(chars.len())
            } else {
                match (in_string, c) {
                    (_, '"') => in_string = !in_string,
                    (false, '{' | '[') => depth += 1,
                    (false, '}' | ']') => {
                        depth = depth.saturating_sub(1);
                        piece_depth = depth;
                    }
                    _ => {}
                }
                k + 1
            };
            pieces.push(Piece {
                start,
                end: offset(next),
                depth: piece_depth,
                in_string: piece_in_string,
            });
            k = next;
        }
        Tokens { text, pieces }
    }

    fn text(&self, i: usize) -> &'a str {
        self.pieces
            .get(i)
            .and_then(|piece| self.text.get(piece.start..piece.end))
            .unwrap_or_default()
    }

    /// The index and value of the token holding a top-level `"level": "<LEVEL>"`
    /// value (whitespace allowed around the colon), the first if there are several.
    fn level(&self) -> Option<(usize, Level)> {
        let significant: Vec<usize> = (0..self.pieces.len())
            .filter(|i| {
                self.pieces.get(*i).is_some_and(|p| p.in_string) || !self.text(*i).trim().is_empty()
            })
            .collect();
        // Top-level tokens, inside a string or not: a key's tokens are inside the
        // string, so a `"level"` quoted within a string value never matches.
        let top = |i: usize, in_string: bool| {
            self.pieces
                .get(i)
                .is_some_and(|p| p.depth == 1 && p.in_string == in_string)
        };
        let mark = |i: usize, text: &str| top(i, false) && self.text(i) == text;
        significant.windows(7).find_map(|window| {
            let &[open_key, key, close_key, colon, open, value, close] = window else {
                return None;
            };
            let shape = mark(open_key, "\"")
                && top(key, true)
                && self.text(key) == "level"
                && mark(close_key, "\"")
                && mark(colon, ":")
                && mark(open, "\"")
                && top(value, true)
                && mark(close, "\"");
            let level = Level::parse(self.text(value)).filter(|_| shape)?;
            Some((value, level))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(content: &str) -> Vec<&str> {
        let tokens = Tokens::of(content);
        (0..tokens.pieces.len()).map(|i| tokens.text(i)).collect()
    }

    #[test]
    fn tokens_split_json_and_join_back() {
        let content = r#"{"level":"HIGH","tip":"Use AI  tools, café \"ok\"\n","n":[1, true]}"#;
        let tokens = texts(content);
        assert_eq!(tokens.concat(), content);
        assert_eq!(
            tokens,
            [
                "{", "\"", "level", "\"", ":", "\"", "HIGH", "\"", ",", "\"", "tip", "\"", ":",
                "\"", "Use", " AI", " ", " tools", ",", " café", " ", "\\\"", "ok", "\\\"", "\\n",
                "\"", ",", "\"", "n", "\"", ":", "[", "1", ",", " true", "]", "}"
            ]
        );
        for content in [
            "",
            " ",
            "  x",
            "\\",
            "\"\\",
            "{\"a\":\"\u{1F600} é\"}",
            "plain prose.",
        ] {
            assert_eq!(texts(content).concat(), content);
        }
    }

    #[test]
    fn the_level_token_is_found_only_at_the_top_level() {
        let found = |content: &str| Tokens::of(content).level().map(|(_, level)| level);
        assert_eq!(found(r#"{"a":1,"level":"LOW"}"#), Some(Level::Low));
        assert_eq!(found("{ \"level\" : \"MEDIUM\" }"), Some(Level::Medium));
        assert_eq!(found(r#"{"x":{"level":"LOW"}}"#), None);
        assert_eq!(found(r#"[{"level":"LOW"}]"#), None);
        assert_eq!(found(r#"{"level":"EXTREME"}"#), None);
        assert_eq!(found(r#"{"note":"\"level\":\"LOW\""}"#), None);
        assert_eq!(found(r#"{"a":"level","b":"HIGH"}"#), None);
        assert_eq!(found("The level is HIGH."), None);
    }

    #[test]
    fn level_alternatives_rank_the_levels_first() {
        let d = Distribution::normalised([0.2, 0.5, 0.3]).expect("valid");
        let value = logprobs(r#"{"level":"LOW"}"#, 20, 1, |_| d);
        let level = &value["content"][6];
        assert_eq!(level["token"], "LOW");
        assert!((level["logprob"].as_f64().unwrap_or(0.0) - 0.3f64.ln()).abs() < 1e-12);
        let listed = level["top_logprobs"].as_array().expect("list");
        assert_eq!(listed.len(), 20);
        let names: Vec<&str> = listed.iter().filter_map(|t| t["token"].as_str()).collect();
        assert_eq!(names[..3], ["MEDIUM", "LOW", "HIGH"]);
        let logprobs: Vec<f64> = listed
            .iter()
            .filter_map(|t| t["logprob"].as_f64())
            .collect();
        assert!(logprobs.windows(2).all(|w| w[0] > w[1]), "{logprobs:?}");
    }
}

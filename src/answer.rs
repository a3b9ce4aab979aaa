//! Reading a chat completion into a checked [`Reply`] and, for a task, how sure the model
//! was of its level. Used for a fresh response and a cached one alike, so both are read
//! by the same rules.
//!
//! Confidence comes from one of two places:
//! - **log-probabilities** (`logprobs` with `top_logprobs`, from OpenAI, vLLM, llama.cpp):
//!   the token that starts the level's value, with the probabilities of its alternatives
//!   summed per level (a tokenizer may split `MEDIUM` into `MED` `IUM`; the first token
//!   already tells the three apart) and normalised over HIGH, MEDIUM and LOW;
//! - **samples** (`n` choices, or several requests): the share of valid answers that
//!   gave the majority level.

use serde_json::Value;

use crate::record::{Confidence, ConfidenceMethod, Level};
use crate::reply::{Ask, Reply};

/// What is wrong with one choice before its text is even read: cut off at `max_tokens`,
/// refused, or without text.
pub fn choice_problem(choice: &Value, max_tokens: u32) -> Option<String> {
    if choice.pointer("/finish_reason").and_then(Value::as_str) == Some("length") {
        return Some(format!(
            "the reply was cut off at max_tokens ({max_tokens}); keep the rationale to one to three sentences and reply with the JSON object only"
        ));
    }
    if let Some(refusal) = choice.pointer("/message/refusal").and_then(Value::as_str) {
        return Some(format!("the model refused: {refusal}"));
    }
    if choice
        .pointer("/message/content")
        .and_then(Value::as_str)
        .is_none()
    {
        return Some("the reply had no text content".to_string());
    }
    None
}

/// The choices of a completion (several with `n`, or when samples were gathered).
pub fn choices(response: &Value) -> &[Value] {
    response
        .get("choices")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Reads a completion: each choice checked, the reply of the first valid one (with
/// several choices, the first that gives the majority level), and the confidence. An
/// error is the first choice's problem, worded for the model (the re-ask quotes it).
pub fn read(ask: &Ask, response: &Value, max_tokens: u32) -> Result<Reply, String> {
    let all = choices(response);
    let mut first_error: Option<String> = None;
    let mut valid: Vec<(Reply, &Value)> = Vec::new();
    for choice in all {
        let checked = match choice_problem(choice, max_tokens) {
            Some(problem) => Err(problem),
            None => ask.check(
                choice
                    .pointer("/message/content")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
        };
        match checked {
            Ok(reply) => valid.push((reply, choice)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if all.is_empty() {
        return Err("the reply had no text content".to_string());
    }
    if valid.is_empty() {
        return Err(first_error.unwrap_or_default());
    }
    if valid.len() == 1 && all.len() == 1 {
        let (mut reply, choice) = valid.remove(0);
        if let Reply::Task {
            content,
            confidence,
        } = &mut reply
            && let Some(level) = content.level
        {
            *confidence = logprob_confidence(choice, level);
        }
        return Ok(reply);
    }
    Ok(majority(valid, all.len()))
}

/// The reply of the majority level among sampled answers, with its share.
fn majority(valid: Vec<(Reply, &Value)>, asked: usize) -> Reply {
    let level_of = |r: &Reply| match r {
        Reply::Task { content, .. } => content.level,
        Reply::Skills(_) => None,
    };
    let mut counts: Vec<(Level, usize)> = Vec::new();
    for (r, _) in &valid {
        if let Some(l) = level_of(r) {
            match counts.iter_mut().find(|(x, _)| *x == l) {
                Some((_, n)) => *n += 1,
                None => counts.push((l, 1)),
            }
        }
    }
    // The most frequent level; a tie goes to the level that came first.
    let Some(&(top, n)) = counts
        .iter()
        .fold(None, |best: Option<&(Level, usize)>, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        })
    else {
        return valid.into_iter().next().map(|(r, _)| r).expect("not empty");
    };
    let total = valid.len();
    let mut reply = valid
        .into_iter()
        .map(|(r, _)| r)
        .find(|r| level_of(r) == Some(top))
        .expect("the majority level was counted from these");
    if let Reply::Task { confidence, .. } = &mut reply {
        *confidence = Some(Confidence::new(
            ConfidenceMethod::Samples,
            n as f64 / total as f64,
            Some(asked as u32),
        ));
    }
    reply
}

/// The probability of `level` in a choice's log-probabilities, normalised over the three
/// levels; `None` when the choice has none, or none for the level's token.
pub fn logprob_confidence(choice: &Value, level: Level) -> Option<Confidence> {
    let content = choice.pointer("/message/content")?.as_str()?;
    let start = level_value_offset(content)?;
    if let Some(kept) = choice.get(LEVEL_LOGPROB) {
        return kept_confidence(kept, start, level);
    }
    let tokens = choice.pointer("/logprobs/content")?.as_array()?;
    // The token that covers the value's first character.
    let mut offset = 0usize;
    let token = tokens.iter().find(|t| {
        let len = t.get("token").and_then(Value::as_str).map_or(0, str::len);
        let covers = offset <= start && start < offset + len;
        offset += len;
        covers
    })?;
    let alternatives: Vec<(&str, f64)> = token
        .get("top_logprobs")
        .and_then(Value::as_array)
        .map(|alts| {
            alts.iter()
                .filter_map(|alt| {
                    Some((alt.get("token")?.as_str()?, alt.get("logprob")?.as_f64()?))
                })
                .collect()
        })
        .unwrap_or_default();
    let own = (
        token.get("token").and_then(Value::as_str)?,
        token.get("logprob").and_then(Value::as_f64),
    );
    normalised(&alternatives, own, level)
}

/// The confidence from the level token as a compact cache entry keeps it
/// ([`LEVEL_LOGPROB`]): only if that token covers the level's first character.
fn kept_confidence(kept: &Value, start: usize, level: Level) -> Option<Confidence> {
    let at = usize::try_from(kept.get("at")?.as_u64()?).ok()?;
    let token = kept.get("token")?.as_str()?;
    if !(at <= start && start < at + token.len()) {
        return None;
    }
    let alternatives: Vec<(&str, f64)> = kept
        .get("top_logprobs")
        .and_then(Value::as_object)
        .map(|alts| {
            alts.iter()
                .filter_map(|(t, lp)| Some((t.as_str(), lp.as_f64()?)))
                .collect()
        })
        .unwrap_or_default();
    normalised(
        &alternatives,
        (token, kept.get("logprob").and_then(Value::as_f64)),
        level,
    )
}

/// The probability of `level` among the levels the alternatives name (the token's own
/// log-probability when it has no alternatives), or `None` when none names it.
fn normalised(
    alternatives: &[(&str, f64)],
    own: (&str, Option<f64>),
    level: Level,
) -> Option<Confidence> {
    let mut mass = [0.0f64; 3];
    let mut add = |text: &str, logprob: f64| {
        if let Some(l) = level_of_token(text)
            && logprob.is_finite()
        {
            mass[rank(l)] += logprob.exp();
        }
    };
    if alternatives.is_empty() {
        add(own.0, own.1?);
    } else {
        // Summed in one order (by text), whatever order the server or the cache gave
        // them in, so a fresh answer and its cached form give the same bits.
        let mut sorted = alternatives.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(b.0).then(a.1.total_cmp(&b.1)));
        for (text, lp) in sorted {
            add(text, lp);
        }
    }
    let total: f64 = mass.iter().sum();
    if total <= 0.0 || mass[rank(level)] <= 0.0 {
        return None;
    }
    Some(Confidence::new(
        ConfidenceMethod::Logprobs,
        mass[rank(level)] / total,
        None,
    ))
}

/// Trims a response's log-probabilities to what a confidence is read from, before it is
/// cached: every token keeps its text and log-probability (they locate the level), only
/// the level's token keeps its alternatives, and byte arrays go. Per-token alternatives
/// would otherwise make a cache entry ten times larger.
pub fn prune_logprobs(response: &mut Value) {
    let Some(choices) = response.get_mut("choices").and_then(Value::as_array_mut) else {
        return;
    };
    for choice in choices {
        let level_at = choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .and_then(level_value_offset);
        let Some(tokens) = choice
            .pointer_mut("/logprobs/content")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        let mut offset = 0usize;
        for token in tokens {
            let len = token
                .get("token")
                .and_then(Value::as_str)
                .map_or(0, str::len);
            let is_level = level_at.is_some_and(|at| offset <= at && at < offset + len);
            offset += len;
            let Some(obj) = token.as_object_mut() else {
                continue;
            };
            obj.remove("bytes");
            if is_level {
                if let Some(alts) = obj.get_mut("top_logprobs").and_then(Value::as_array_mut) {
                    for alt in alts.iter_mut().filter_map(Value::as_object_mut) {
                        alt.remove("bytes");
                    }
                }
            } else {
                obj.remove("top_logprobs");
            }
        }
    }
}

/// Where a compact cache entry keeps, in a choice, the one token a confidence is read
/// from: `{"at": byte offset in the content, "token", "logprob", "top_logprobs": {token:
/// logprob}}`.
pub const LEVEL_LOGPROB: &str = "level_logprob";

/// A choice as a compact cache entry keeps it: the reply's text, the finish reason when
/// it is not `stop`, and of the log-probabilities only the token that starts the level
/// (its offset, its text and its alternatives): what the reply and its confidence are
/// read from, and nothing else (every other token's log-probability made an entry ten
/// times larger).
pub fn compact_choice(choice: &Value) -> Value {
    let mut out = serde_json::Map::new();
    let content = choice.pointer("/message/content").cloned();
    out.insert(
        "message".into(),
        serde_json::json!({ "content": content.clone().unwrap_or(Value::Null) }),
    );
    if let Some(reason) = choice
        .get("finish_reason")
        .and_then(Value::as_str)
        .filter(|r| *r != "stop")
    {
        out.insert("finish_reason".into(), Value::from(reason));
    }
    if let Some(kept) = choice.get(LEVEL_LOGPROB) {
        out.insert(LEVEL_LOGPROB.into(), kept.clone());
    } else if let Some(kept) = content
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|c| level_token(choice, c))
    {
        out.insert(LEVEL_LOGPROB.into(), kept);
    }
    Value::Object(out)
}

/// The level's token of a choice's log-probabilities, in the compact form.
fn level_token(choice: &Value, content: &str) -> Option<Value> {
    let start = level_value_offset(content)?;
    let tokens = choice.pointer("/logprobs/content")?.as_array()?;
    let mut offset = 0usize;
    for token in tokens {
        let text = token.get("token").and_then(Value::as_str).unwrap_or("");
        if offset <= start && start < offset + text.len() {
            let mut alternatives = serde_json::Map::new();
            for alt in token
                .get("top_logprobs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(t), Some(lp)) = (
                    alt.get("token").and_then(Value::as_str),
                    alt.get("logprob").and_then(Value::as_f64),
                ) else {
                    continue;
                };
                // Two alternatives written alike (rare: byte pieces) add up.
                let lp = match alternatives.get(t).and_then(Value::as_f64) {
                    Some(before) => (before.exp() + lp.exp()).ln(),
                    None => lp,
                };
                alternatives.insert(t.to_string(), Value::from(lp));
            }
            let mut kept = serde_json::json!({"at": offset, "token": text});
            if let Some(lp) = token.get("logprob").filter(|v| v.is_number()) {
                kept["logprob"] = lp.clone();
            }
            if !alternatives.is_empty() {
                kept["top_logprobs"] = Value::Object(alternatives);
            }
            return Some(kept);
        }
        offset += text.len();
    }
    None
}

fn rank(l: Level) -> usize {
    match l {
        Level::High => 0,
        Level::Medium => 1,
        Level::Low => 2,
    }
}

/// The level a token starts, from its letters: `HIGH`, ` "H`, `Med`, `LOW"`.
fn level_of_token(text: &str) -> Option<Level> {
    let letters: String = text
        .trim_start_matches(|c: char| !c.is_ascii_alphabetic())
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    if letters.is_empty() {
        return None;
    }
    let matching: Vec<Level> = Level::ALL
        .into_iter()
        .filter(|l| l.as_str().starts_with(&letters) || letters.starts_with(l.as_str()))
        .collect();
    match matching.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The byte offset of the first character of the `"level"` value in a reply's JSON text.
fn level_value_offset(content: &str) -> Option<usize> {
    let key = content.find("\"level\"")?;
    let rest = &content[key + "\"level\"".len()..];
    let colon = rest.find(':')?;
    let after = &rest[colon + 1..];
    let quote = after.find('"')?;
    // Only whitespace between the colon and the value's opening quote.
    if !after[..quote].trim().is_empty() {
        return None;
    }
    Some(key + "\"level\"".len() + colon + 1 + quote + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tok(text: &str, lp: f64, alts: &[(&str, f64)]) -> Value {
        json!({"token": text, "logprob": lp,
               "top_logprobs": alts.iter().map(|(t, l)| json!({"token": t, "logprob": l})).collect::<Vec<_>>()})
    }

    #[test]
    fn the_level_token_gives_the_normalised_probability() {
        let content = r#"{"title":"T","level": "MEDIUM","rationale":"r"}"#;
        // Split as a real tokenizer might: `{"title":"T","level":` ` "` `MED` `IUM` ...
        let choice = json!({"message": {"content": content}, "logprobs": {"content": [
            tok(&content[..21], -0.01, &[]),
            tok(" \"", -0.01, &[]),
            tok("MED", (0.6f64).ln(), &[("MED", (0.6f64).ln()), ("HIGH", (0.2f64).ln()), ("L", (0.1f64).ln()), ("The", (0.1f64).ln())]),
            tok(&content[26..], -0.01, &[]),
        ]}});
        let c = logprob_confidence(&choice, Level::Medium).unwrap();
        assert_eq!(c.method, ConfidenceMethod::Logprobs);
        assert_eq!(c.value, 0.67, "0.6 of the 0.9 that names a level");
        assert!(
            logprob_confidence(&json!({"message": {"content": content}}), Level::Medium).is_none()
        );
    }

    #[test]
    fn pruning_keeps_the_confidence() {
        let content = r#"{"level":"LOW"}"#;
        let mut response = json!({"choices": [{"message": {"content": content}, "logprobs": {"content": [
            {"token": "{\"level\":\"", "logprob": -0.1, "bytes": [1], "top_logprobs": [{"token": "x", "logprob": -2.0, "bytes": [1]}]},
            tok("LOW", (0.7f64).ln(), &[("LOW", (0.7f64).ln()), ("HIGH", (0.3f64).ln())]),
            {"token": "\"}", "logprob": -0.1, "top_logprobs": []},
        ]}}]});
        let before = logprob_confidence(&response["choices"][0], Level::Low);
        prune_logprobs(&mut response);
        let tokens = response.pointer("/choices/0/logprobs/content").unwrap();
        assert!(tokens[0].get("top_logprobs").is_none() && tokens[0].get("bytes").is_none());
        assert!(tokens[1]["top_logprobs"].as_array().unwrap().len() == 2);
        assert_eq!(
            logprob_confidence(&response["choices"][0], Level::Low),
            before
        );
        assert_eq!(before.unwrap().value, 0.7);
    }

    /// A compact cache entry keeps only the level's token, and the confidence read from
    /// it is the very same number, whatever order the alternatives come in.
    #[test]
    fn the_compact_form_gives_the_same_confidence() {
        let content = r#"{"title":"T","level":"MEDIUM","rationale":"r"}"#;
        let choice = json!({"message": {"role": "assistant", "content": content}, "finish_reason": "stop", "logprobs": {"content": [
            tok(&content[..21], -0.01, &[("x", -3.0)]),
            tok("\"", -0.01, &[]),
            tok("MED", (0.55f64).ln(), &[("MED", (0.55f64).ln()), ("HIGH", (0.25f64).ln()), ("L", (0.15f64).ln()), ("The", (0.05f64).ln())]),
            tok(&content[26..], -0.01, &[("y", -2.0)]),
        ]}});
        let compact = compact_choice(&choice);
        assert_eq!(
            compact,
            json!({"message": {"content": content}, "level_logprob": {"at": 22, "token": "MED", "logprob": (0.55f64).ln(),
                "top_logprobs": {"HIGH": (0.25f64).ln(), "L": (0.15f64).ln(), "MED": (0.55f64).ln(), "The": (0.05f64).ln()}}})
        );
        let full = logprob_confidence(&choice, Level::Medium).unwrap();
        assert_eq!(full.value, 0.58, "0.55 of the 0.95 that names a level");
        assert_eq!(logprob_confidence(&compact, Level::Medium), Some(full));
        // Two alternatives written alike (byte pieces of one token) add up, in the
        // compact form as in the full one.
        let twice = json!({"message": {"role": "assistant", "content": content}, "finish_reason": "stop", "logprobs": {"content": [
            tok(&content[..21], -0.01, &[]),
            tok("\"", -0.01, &[]),
            tok("MED", (0.30f64).ln(), &[("MED", (0.30f64).ln()), ("HIGH", (0.25f64).ln()), ("MED", (0.25f64).ln()), ("L", (0.15f64).ln())]),
            tok(&content[26..], -0.01, &[]),
        ]}});
        let full_twice = logprob_confidence(&twice, Level::Medium).unwrap();
        assert_eq!(full_twice.value, 0.58, "0.30 and 0.25 of the 0.95");
        assert_eq!(
            logprob_confidence(&compact_choice(&twice), Level::Medium),
            Some(full_twice)
        );
        // A token that does not cover the level's value is not taken for it.
        let mut moved = compact.clone();
        moved["level_logprob"]["at"] = json!(2);
        assert_eq!(logprob_confidence(&moved, Level::Medium), None);
        // A reply cut off keeps its finish reason; one without logprobs keeps none.
        let plain =
            compact_choice(&json!({"message": {"content": "{}"}, "finish_reason": "length"}));
        assert_eq!(
            plain,
            json!({"message": {"content": "{}"}, "finish_reason": "length"})
        );
    }

    #[test]
    fn tokens_name_levels_by_their_first_letters() {
        assert_eq!(level_of_token(" \"HIGH"), Some(Level::High));
        assert_eq!(level_of_token("Med"), Some(Level::Medium));
        assert_eq!(level_of_token("L"), Some(Level::Low));
        assert_eq!(level_of_token("LOWER"), Some(Level::Low));
        assert_eq!(level_of_token("The"), None);
        assert_eq!(level_of_token("\""), None);
    }

    #[test]
    fn samples_give_the_majority_and_its_share() {
        let answer = |level: &str| json!({"message": {"content": format!(r#"{{"title":"T","level":"{level}","rationale":"r.","tools":[],"tip":"t."}}"#)}, "finish_reason": "stop"});
        let response = json!({"choices": [answer("LOW"), answer("HIGH"), answer("HIGH"),
            {"message": {"content": "not json"}}, answer("HIGH")]});
        let Reply::Task {
            content,
            confidence,
        } = read(&Ask::Task, &response, 600).unwrap()
        else {
            panic!("a task reply")
        };
        assert_eq!(content.level, Some(Level::High));
        let c = confidence.unwrap();
        assert_eq!(
            (c.method, c.value, c.samples),
            (ConfidenceMethod::Samples, 0.75, Some(5))
        );
        let bad = json!({"choices": [{"message": {"content": "nope"}}]});
        assert!(
            read(&Ask::Task, &bad, 600)
                .unwrap_err()
                .contains("not JSON")
        );
    }
}

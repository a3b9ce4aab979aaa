//! Schema-driven reply content.
//!
//! willai validates every answer against the JSON Schema it asked for, so a fake
//! that replied with canned text would only exercise the error paths. This module
//! finds the schema a request carries (in whichever of the places
//! OpenAI-compatible servers expect it) and builds a value that satisfies it.
//!
//! Generation is deterministic: every choice is derived from an FNV hash of the
//! raw request body and the path inside the schema, never from a random source,
//! so the same request always gets the same answer (stable snapshots and cache
//! tests) while different requests still get different enum values.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Items of an array of objects when the schema sets no bounds.
const OBJECT_ITEMS: u64 = 4;

/// String properties that hold a headline, not a sentence: a short title-case phrase.
const HEADLINES: [&str; 2] = ["title", "name"];

/// Nesting limit for generation and `$ref` chains, so self-referencing schemas end.
const MAX_DEPTH: u32 = 32;

/// Longest property name quoted in a generated sentence; keeps sentences under 160 chars.
const MAX_NAME_CHARS: usize = 60;

/// Sentence templates for plain strings. Each is 60+ characters without the
/// name, and at most 160 with a [`MAX_NAME_CHARS`] name.
const SENTENCES: [(&str, &str); 4] = [
    (
        "Deterministic ",
        ": language models draft much of this task; people still check the result.",
    ),
    (
        "Fake ",
        ": routine parts are automated with AI tools, while judgement stays with people.",
    ),
    (
        "Generated ",
        ": software handles the repetitive steps and a person reviews the outcome.",
    ),
    (
        "Sample ",
        ": AI assistance speeds up the preparation, but the decision needs human expertise.",
    ),
];

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a (64-bit): tiny, dependency-free and stable across platforms and releases.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

/// Continues an FNV-1a hash from `state`, used to hash schema paths segment by segment.
fn fnv1a_from(state: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(state, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// `SplitMix64` finaliser: spreads FNV's weak low bits before taking a modulus.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Finds the JSON Schema a chat request asks the answer to follow.
///
/// Looked up, in order: `response_format.json_schema.schema` (`OpenAI` structured
/// outputs), `response_format.schema` (llama.cpp's `json_object` extension), and
/// finally the first schema-looking JSON object embedded in the text of the last
/// `user` message (prompt-only structured output).
pub fn find_schema(request: &Value) -> Option<Cow<'_, Value>> {
    if let Some(format) = request.get("response_format") {
        let schema = format
            .pointer("/json_schema/schema")
            .or_else(|| format.get("schema"));
        if let Some(schema) = schema.filter(|s| s.is_object()) {
            return Some(Cow::Borrowed(schema));
        }
    }
    let text = last_user_text(request)?;
    embedded_schema(&text).map(Cow::Owned)
}

/// The text of the last `user` message; multi-part content has its text parts joined.
fn last_user_text(request: &Value) -> Option<Cow<'_, str>> {
    let message = request
        .get("messages")?
        .as_array()?
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))?;
    match message.get("content")? {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            Some(Cow::Owned(texts.join("\n")))
        }
        _ => None,
    }
}

/// The first JSON object in `text` that looks like a JSON Schema, or that contains one.
///
/// Parses from every `{` with `serde_json`'s streaming deserializer (which stops at
/// the end of the first value, ignoring the prose after it). A JSON object that is
/// not a schema is searched inside, then skipped whole, so big embedded examples
/// are parsed once rather than once per brace.
fn embedded_schema(text: &str) -> Option<Value> {
    let mut from = 0;
    while let Some(offset) = text.get(from..)?.find('{') {
        let start = from + offset;
        let rest = &text[start..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) => {
                if let Some(schema) = schema_within(&value, 0) {
                    return Some(schema.clone());
                }
                from = start + values.byte_offset().max(1);
            }
            _ => from = start + 1,
        }
    }
    None
}

/// Depth-first search for the first schema-looking object in `value`.
fn schema_within(value: &Value, depth: u32) -> Option<&Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if looks_like_schema(value) {
        return Some(value);
    }
    match value {
        Value::Object(map) => map.values().find_map(|v| schema_within(v, depth + 1)),
        Value::Array(items) => items.iter().find_map(|v| schema_within(v, depth + 1)),
        _ => None,
    }
}

fn looks_like_schema(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        map.contains_key("$schema")
            || map.get("properties").is_some_and(Value::is_object)
            || map.get("type").and_then(Value::as_str) == Some("object")
    })
}

/// A value valid against `schema`, chosen deterministically from `seed`
/// (the hash of the request body).
pub fn generate(schema: &Value, seed: u64) -> Value {
    Generator { root: schema, seed }.value(schema, "answer", FNV_OFFSET, 0)
}

/// A value that breaks `schema` in the way a sloppy model would: an enum string
/// set to `"EXTREME"`, else a required property left out, else an extra
/// property where none is allowed, else not an object at all.
pub fn generate_broken(schema: &Value, seed: u64) -> Value {
    let generator = Generator { root: schema, seed };
    let schema = generator.resolve(schema);
    let mut value = generator.value(schema, "answer", FNV_OFFSET, 0);
    let Value::Object(map) = &mut value else {
        return not_an_object();
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    let enum_key = properties.and_then(|props| {
        props.iter().find_map(|(key, sub)| {
            let values = generator.resolve(sub).get("enum")?.as_array()?;
            values.iter().any(Value::is_string).then_some(key)
        })
    });
    if let Some(key) = enum_key {
        map.insert(key.clone(), Value::from("EXTREME"));
        return value;
    }
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .and_then(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .find(|n| map.contains_key(*n))
        });
    if let Some(name) = required {
        map.remove(name);
        return value;
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.insert("unexpected_extra".into(), Value::from(true));
        return value;
    }
    not_an_object()
}

fn not_an_object() -> Value {
    Value::from(vec!["not", "an", "object"])
}

struct Generator<'a> {
    /// Root schema, the base of local `$ref`s such as `#/$defs/Level`.
    root: &'a Value,
    seed: u64,
}

impl<'a> Generator<'a> {
    /// Follows local `$ref` pointers (`#/$defs/..`, `#/definitions/..`), as schemars emits them.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            let target = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|pointer| self.root.pointer(pointer));
            match target {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// Picks an index below `len` from the request seed and the schema path.
    fn pick(&self, path: u64, len: usize) -> usize {
        let len = u64::try_from(len).unwrap_or(u64::MAX).max(1);
        usize::try_from(mix(self.seed ^ path) % len).unwrap_or(0)
    }

    /// `name` is the nearest property name (used in sentences); `path` hashes
    /// the location in the schema so sibling properties vary independently.
    fn value(&self, schema: &'a Value, name: &str, path: u64, depth: u32) -> Value {
        let schema = self.resolve(schema);
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && let Some(choice) = values.get(self.pick(path, values.len()))
        {
            return choice.clone();
        }
        if let Some(variants) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
            && let Some(variant) = variants
                .iter()
                .find(|v| schema_type(self.resolve(v)) != Some("null"))
                .or_else(|| variants.first())
        {
            return self.value(variant, name, path, depth + 1);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array)
            && !parts.is_empty()
        {
            return self.all_of(parts, name, path, depth);
        }
        match schema_type(schema) {
            Some("object") => self.object(schema, path, depth),
            Some("array") => self.array(schema, name, path, depth),
            Some("integer") => number(schema, true),
            Some("number") => number(schema, false),
            Some("boolean") => Value::Bool(true),
            Some("null") => Value::Null,
            Some("string") => string(schema, name, path, self.seed),
            _ if schema.get("properties").is_some() => self.object(schema, path, depth),
            _ if schema.get("items").is_some() => self.array(schema, name, path, depth),
            // An untyped root (`{}`) still gets the object every answer is expected to be.
            _ if depth == 0 => Value::Object(Map::new()),
            _ => string(schema, name, path, self.seed),
        }
    }

    /// `allOf`: generates every part and merges the objects (the common use).
    fn all_of(&self, parts: &'a [Value], name: &str, path: u64, depth: u32) -> Value {
        let mut merged = Map::new();
        let mut last = Value::Null;
        for part in parts {
            match self.value(part, name, path, depth + 1) {
                Value::Object(map) => merged.extend(map),
                other => last = other,
            }
        }
        if merged.is_empty() {
            last
        } else {
            Value::Object(merged)
        }
    }

    /// Every declared property, required or not, so tests see the full shape.
    fn object(&self, schema: &'a Value, path: u64, depth: u32) -> Value {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Value::Object(Map::new());
        };
        properties
            .iter()
            .map(|(key, sub)| {
                let child = fnv1a_from(path, key.as_bytes());
                (key.clone(), self.value(sub, key, child, depth + 1))
            })
            .collect::<Map<_, _>>()
            .into()
    }

    /// Arrays of objects keyed by an enum (e.g. one rating per skill level) get
    /// exactly one item per enum value, in enum order; other arrays get 2 items.
    fn array(&self, schema: &'a Value, name: &str, path: u64, depth: u32) -> Value {
        let items = schema
            .get("items")
            .filter(|i| i.is_object())
            .map(|i| self.resolve(i));
        let Some(items) = items else {
            return (0..count(schema, 2))
                .map(|i| string(&Value::Null, name, path.wrapping_add(i), self.seed))
                .collect();
        };
        if let Some((key, values)) = self.enum_property(items) {
            return (0u64..)
                .zip(values)
                .map(|(i, tag)| {
                    let mut item = self.value(items, name, path.wrapping_add(i), depth + 1);
                    if let Value::Object(map) = &mut item {
                        map.insert(key.to_owned(), tag.clone());
                    }
                    item
                })
                .collect();
        }
        if schema_type(items) == Some("string")
            && items.get("enum").is_none()
            && items.get("format").is_none()
        {
            // Lists of plain strings are lists of names (tools, tags): short items.
            return (0..count(schema, 2))
                .map(|i| Value::from(short_name(name, path.wrapping_add(i))))
                .collect();
        }
        // Lists of objects (a model's proposals: skills, steps) get a handful, as a model
        // asked for "4 to 6" without a schema bound would write.
        let objects = schema_type(items) == Some("object") || items.get("properties").is_some();
        (0..count(schema, if objects { OBJECT_ITEMS } else { 2 }))
            .map(|i| self.value(items, name, path.wrapping_add(i), depth + 1))
            .collect()
    }

    /// The property of an object schema whose enum keys the array: among the
    /// properties with a non-empty enum, the one listed first in `required`, unless
    /// `required` starts with a property without an enum (then the items are named by
    /// that one, like `{"name", "verdict", "reason"}`, and not keyed).
    /// `required` is consulted because it is an array and so keeps the
    /// author's order, which `properties` loses when serialized with sorted keys.
    fn enum_property(&self, items: &'a Value) -> Option<(&'a str, &'a Vec<Value>)> {
        let required = items.get("required").and_then(Value::as_array);
        let rank = |key: &str| {
            required
                .and_then(|names| names.iter().position(|n| n.as_str() == Some(key)))
                .unwrap_or(usize::MAX)
        };
        let properties = items.get("properties")?.as_object()?;
        if let Some(first) = required
            .and_then(|names| names.first())
            .and_then(Value::as_str)
            .and_then(|key| properties.get(key))
            && self.resolve(first).get("enum").is_none()
        {
            return None;
        }
        properties
            .iter()
            .filter_map(|(key, sub)| {
                let values = self.resolve(sub).get("enum")?.as_array()?;
                (!values.is_empty()).then_some((key.as_str(), values))
            })
            .enumerate()
            .min_by_key(|(position, (key, _))| (rank(key), *position))
            .map(|(_, found)| found)
    }
}

/// The schema's type; for a type list such as `["string", "null"]`, the first non-null one.
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or(Some("null")),
        _ => None,
    }
}

/// Item count: `preferred`, moved into `minItems..=maxItems` when those are set.
fn count(schema: &Value, preferred: u64) -> u64 {
    let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
    let max = schema
        .get("maxItems")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    preferred.max(min).min(max)
}

/// 1, moved into `minimum..=maximum` when those are set.
fn number(schema: &Value, integer: bool) -> Value {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    let mut n = 1.0_f64;
    if let Some(min) = min.filter(|m| n < *m) {
        n = if integer { min.ceil() } else { min };
    }
    if let Some(max) = max.filter(|m| n > *m) {
        n = if integer { max.floor() } else { max };
    }
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        // Exact: whole and well inside i64's range.
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// A short name for an item of a list of strings, e.g. "Tools helper 3".
fn short_name(name: &str, path: u64) -> String {
    let label: String = match name.trim() {
        "" => "Item".into(),
        name => {
            let mut chars = name.replace('_', " ").chars().take(20).collect::<Vec<_>>();
            if let Some(first) = chars.first_mut() {
                *first = first.to_ascii_uppercase();
            }
            chars.into_iter().collect()
        }
    };
    format!("{label} helper {}", mix(path) % 90 + 10)
}

/// A plausible sentence about `name`, or a sample value for common `format`s; a short
/// headline for a title or a name (varying with the request's `seed`, so each task of a
/// run gets its own).
fn string(schema: &Value, name: &str, path: u64, seed: u64) -> Value {
    let sample = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => Some("2024-01-01T00:00:00Z"),
        Some("date") => Some("2024-01-01"),
        Some("time") => Some("00:00:00Z"),
        Some("email") => Some("fake@example.com"),
        Some("uri" | "url") => Some("https://example.com/fake"),
        Some("uuid") => Some("00000000-0000-4000-8000-000000000000"),
        _ => None,
    };
    if let Some(sample) = sample {
        return Value::from(sample);
    }
    if HEADLINES.contains(&name.trim()) {
        let mut headline = headline(mix(seed) ^ path);
        fit_length(&mut headline, schema);
        return Value::from(headline);
    }
    let label: String = match name.trim() {
        "" => "answer".into(),
        name => name
            .replace('_', " ")
            .chars()
            .take(MAX_NAME_CHARS)
            .collect(),
    };
    let index = usize::try_from(mix(path) % 4).unwrap_or(0);
    let (before, after) = SENTENCES.get(index).copied().unwrap_or(SENTENCES[0]);
    let mut sentence = format!("{before}{label}{after}");
    fit_length(&mut sentence, schema);
    Value::from(sentence)
}

/// A short headline, e.g. "Review fake work 4821": distinct for distinct paths, well
/// under 60 characters, no closing full stop.
fn headline(path: u64) -> String {
    const VERBS: [&str; 4] = ["Review", "Prepare", "Plan", "Check"];
    let v = mix(path);
    let verb = VERBS[usize::try_from(v % 4).unwrap_or(0)];
    format!("{verb} fake work {}", v / 4 % 9000 + 1000)
}

/// Honours `minLength` / `maxLength` (counted in characters), keeping a final period.
fn fit_length(sentence: &mut String, schema: &Value) {
    let as_len = |key| {
        schema
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    if let Some(min) = as_len("minLength") {
        let filler = " People still review it.";
        while sentence.chars().count() < min {
            sentence.push_str(filler);
        }
    }
    if let Some(max) = as_len("maxLength")
        && sentence.chars().count() > max
    {
        *sentence = sentence.chars().take(max.saturating_sub(1)).collect();
        if max > 0 {
            sentence.push('.');
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn task_schema() -> Value {
        json!({"type":"object","properties":{
            "level":{"type":"string","enum":["HIGH","MEDIUM","LOW"]},
            "rationale":{"type":"string"},
            "tools":{"type":"array","items":{"type":"string"}},
            "tip":{"type":"string"}},
            "required":["level","rationale","tools","tip"],"additionalProperties":false})
    }

    fn assert_sentence(value: &Value) {
        let text = value.as_str().expect("a string");
        let chars = text.chars().count();
        assert!((60..=160).contains(&chars), "{chars} chars: {text}");
        assert!(text.ends_with('.'), "{text}");
    }

    #[test]
    fn task_schema_gets_every_property() {
        let value = generate(&task_schema(), fnv1a(b"request"));
        let level = value["level"].as_str().expect("level");
        assert!(["HIGH", "MEDIUM", "LOW"].contains(&level));
        assert_sentence(&value["rationale"]);
        assert!(
            value["rationale"]
                .as_str()
                .is_some_and(|s| s.contains("rationale"))
        );
        assert_sentence(&value["tip"]);
        let tools = value["tools"].as_array().expect("tools");
        assert_eq!(tools.len(), 2);
        for tool in tools {
            let name = tool.as_str().expect("a string");
            assert!(
                name.starts_with("Tools helper ") && name.len() <= 20,
                "{name}"
            );
        }
    }

    #[test]
    fn every_sentence_template_fits_for_short_and_long_names() {
        let long = "x".repeat(200);
        for name in ["", "a", "rationale", long.as_str()] {
            for path in 0..64 {
                assert_sentence(&string(&Value::Null, name, path, 0));
            }
        }
    }

    #[test]
    fn same_seed_same_value_and_seeds_vary_levels() {
        let schema = task_schema();
        assert_eq!(generate(&schema, 7), generate(&schema, 7));
        let levels: std::collections::BTreeSet<String> = (0..64u64)
            .map(|i| generate(&schema, fnv1a(&i.to_le_bytes()))["level"].to_string())
            .collect();
        assert_eq!(levels.len(), 3, "{levels:?}");
    }

    #[test]
    fn enum_keyed_array_gets_one_item_per_value_in_order() {
        let schema = json!({"type":"object","properties":{"skills":{"type":"array","items":{
            "type":"object","properties":{
                "skill":{"type":"string","enum":["reading","writing","talking"]},
                "share":{"type":"integer"},"note":{"type":"string"}}}}}});
        let value = generate(&schema, 1);
        let skills = value["skills"].as_array().expect("skills");
        let names: Vec<&str> = skills.iter().filter_map(|s| s["skill"].as_str()).collect();
        assert_eq!(names, ["reading", "writing", "talking"]);
        assert!(skills.iter().all(|s| s["share"] == 1));
        skills.iter().for_each(|s| assert_sentence(&s["note"]));

        // Two enums: `required` order names the key, not the alphabet.
        let schema = json!({"type":"array","items":{"type":"object","properties":{
            "verdict":{"enum":["yes","no"]},"level":{"enum":["A","B","C"]}},
            "required":["verdict","level"]}});
        let items = generate(&schema, 1);
        let verdicts: Vec<&str> = items
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["verdict"].as_str())
            .collect();
        assert_eq!(verdicts, ["yes", "no"]);
    }

    #[test]
    fn refs_type_lists_and_bounds_are_followed() {
        let schema = json!({"type":"object","properties":{
            "level":{"$ref":"#/$defs/Level"},
            "maybe":{"type":["null","integer"],"minimum":3},
            "short":{"type":"string","maxLength":10},
            "list":{"type":"array","items":{"type":"boolean"},"minItems":3},
            "flag":{"type":"boolean"},"ratio":{"type":"number","maximum":0.5}},
            "$defs":{"Level":{"type":"string","enum":["A"]}}});
        let value = generate(&schema, 3);
        assert_eq!(value["level"], "A");
        assert_eq!(value["maybe"], 3);
        assert_eq!(value["short"].as_str().map(|s| s.chars().count()), Some(10));
        assert_eq!(value["list"], json!([true, true, true]));
        assert_eq!(value["flag"], true);
        assert_eq!(value["ratio"], 0.5);
    }

    #[test]
    fn headlines_are_short_and_lists_of_objects_have_four() {
        let schema = json!({"type":"object","properties":{
            "title":{"type":"string"},
            "skills":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}}}});
        let value = generate(&schema, 9);
        let title = value["title"].as_str().unwrap();
        assert!(title.len() <= 60 && !title.ends_with('.'), "{title}");
        let names: Vec<&str> = value["skills"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 4);
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{names:?}");
    }

    #[test]
    fn broken_values_break_the_schema() {
        let broken = generate_broken(&task_schema(), 5);
        assert_eq!(broken["level"], "EXTREME");
        let no_enum =
            json!({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]});
        assert_eq!(generate_broken(&no_enum, 5), json!({}));
        assert_eq!(generate_broken(&json!({}), 5), not_an_object());
    }

    #[test]
    fn schema_is_found_in_each_place() {
        let schema = task_schema();
        let openai = json!({"response_format":{"type":"json_schema","json_schema":{"name":"t","schema":schema}}});
        assert_eq!(find_schema(&openai).as_deref(), Some(&schema));
        let llama = json!({"response_format":{"type":"json_object","schema":schema}});
        assert_eq!(find_schema(&llama).as_deref(), Some(&schema));
        let prompt = format!(
            "Rate the task {{name}}. Example: {{\"level\": \"LOW\"}}. Answer with JSON matching {schema} and nothing else."
        );
        let embedded = json!({"messages":[
            {"role":"user","content":"old {\"type\":\"object\"}"},
            {"role":"assistant","content":"ok"},
            {"role":"user","content":[{"type":"text","text":prompt}]}]});
        assert_eq!(find_schema(&embedded).as_deref(), Some(&schema));
        let wrapped = json!({"messages":[{"role":"user","content":
            format!("Use {{\"name\":\"task\",\"schema\":{schema}}}")}]});
        assert_eq!(find_schema(&wrapped).as_deref(), Some(&schema));
        let none = json!({"messages":[{"role":"user","content":"Say {hello} in {\"a\": 1}"}]});
        assert_eq!(find_schema(&none), None);
    }
}

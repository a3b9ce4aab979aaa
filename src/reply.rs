//! What the model must answer, and how an answer is checked.
//!
//! Each reply's fields are listed once, in a table ([`TASK_FIELDS`], [`SKILL_FIELDS`]):
//! the JSON Schema sent as `response_format`, the unknown-field check, the length limits
//! (in the schema for grammar-constrained servers, and in `validate` for a person's
//! text) and the parse all follow from it. A new field is a new row (and the field in
//! `record::content`).
//!
//! The schemas are written out here, not derived from Rust types: they are part of every
//! request body and so of every cache key, and a derive macro's update must not silently
//! invalidate a committed cache. They are OpenAI strict-mode ready (every property
//! required, no extra properties).
//!
//! Whatever the server promised, every reply is parsed and validated here, once, into a
//! [`Reply`] that is carried to the record. The error messages are written for the
//! model: on an invalid reply the client asks once more, quoting the message.

use serde_json::{Map, Value, json};

use crate::record::{Confidence, Kind, Level, SkillContent, TaskContent, Verdict};

/// Bumped when the schemas or the checks below change meaning; part of the template
/// fingerprint, so drafts made under older rules show as stale.
pub const FORMAT_VERSION: &str = "reply-v3";

/// What a field holds, and its limits.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// `HIGH`, `MEDIUM` or `LOW`.
    Level,
    /// `vulnerable` or `resilient`.
    Verdict,
    /// One line of text of at most `max` characters.
    Text { max: usize },
    /// A headline: one line of at most `max` characters, with no closing full stop.
    Title { max: usize },
    /// A list of at most `max_items` names of at most `max_len` characters.
    Names { max_items: usize, max_len: usize },
}

/// One field of a reply.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    /// Whether every machine text in a record has it: false for a field added after
    /// records were first written (drafts made before it lack it until redrafted).
    pub always: bool,
}

/// The fields of a task reply, in the order the schema requires them.
pub const TASK_FIELDS: [Field; 5] = [
    Field {
        name: "title",
        shape: Shape::Title { max: 60 },
        always: false,
    },
    Field {
        name: "level",
        shape: Shape::Level,
        always: true,
    },
    Field {
        name: "rationale",
        shape: Shape::Text { max: 600 },
        always: true,
    },
    Field {
        name: "tools",
        shape: Shape::Names {
            max_items: 5,
            max_len: 60,
        },
        always: true,
    },
    Field {
        name: "tip",
        shape: Shape::Text { max: 300 },
        always: true,
    },
];

/// The fields of one skill's assessment.
pub const SKILL_FIELDS: [Field; 2] = [
    Field {
        name: "verdict",
        shape: Shape::Verdict,
        always: true,
    },
    Field {
        name: "reason",
        shape: Shape::Text { max: 300 },
        always: true,
    },
];

/// The fields of one skill the model proposes for a profession whose catalog lists none.
pub const PROPOSED_SKILL_FIELDS: [Field; 3] = [
    Field {
        name: "name",
        shape: Shape::Title { max: 60 },
        always: false,
    },
    SKILL_FIELDS[0],
    SKILL_FIELDS[1],
];

/// How many skills a proposal names.
pub const PROPOSED_SKILLS: std::ops::RangeInclusive<usize> = 4..=6;

/// The fields of a reply about one item of this kind.
pub fn fields(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Task => &TASK_FIELDS,
        // A proposed skill's name too (catalog skills have none in the record).
        Kind::Skill => &PROPOSED_SKILL_FIELDS,
    }
}

impl Shape {
    fn schema(self, limits: bool) -> Value {
        match self {
            Shape::Level => json!({"type": "string", "enum": ["HIGH", "MEDIUM", "LOW"]}),
            Shape::Verdict => json!({"type": "string", "enum": ["vulnerable", "resilient"]}),
            Shape::Text { max } | Shape::Title { max } if limits => {
                json!({"type": "string", "minLength": 1, "maxLength": max})
            }
            Shape::Text { .. } | Shape::Title { .. } => json!({"type": "string"}),
            Shape::Names { max_items, max_len } if limits => json!({
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": max_len},
                "maxItems": max_items
            }),
            Shape::Names { .. } => json!({"type": "array", "items": {"type": "string"}}),
        }
    }

    /// Checks and normalises one value (whitespace collapsed, levels upper case, names
    /// deduplicated). `name` is how the message names the field.
    fn parse(self, name: &str, v: &Value) -> Result<Value, String> {
        match self {
            Shape::Level => v
                .as_str()
                .and_then(Level::parse)
                .map(|l| Value::from(l.as_str()))
                .ok_or_else(|| {
                    format!("{name} must be one of HIGH, MEDIUM, LOW (got {})", quote(v))
                }),
            Shape::Verdict => v
                .as_str()
                .and_then(Verdict::parse)
                .map(|x| Value::from(x.as_str()))
                .ok_or_else(|| {
                    format!(
                        "{name} must be \"vulnerable\" or \"resilient\" (got {})",
                        quote(v)
                    )
                }),
            Shape::Text { max } | Shape::Title { max } => {
                let s = v
                    .as_str()
                    .ok_or_else(|| format!("{name} must be a string"))?;
                let mut s = one_line(s);
                if matches!(self, Shape::Title { .. }) {
                    // A headline ends without a full stop; the page adds the punctuation.
                    s = s.trim_end_matches(['.', ' ']).to_string();
                }
                if s.is_empty() {
                    return Err(format!("{name} must not be empty"));
                }
                // What validate refuses in a record is refused here, before it is kept.
                if let Some(f) = crate::text::forbidden(&s) {
                    return Err(format!("{name} {f}"));
                }
                let n = s.chars().count();
                if n > max {
                    return Err(format!(
                        "{name} is {n} characters long; keep it under {max}"
                    ));
                }
                Ok(Value::from(s))
            }
            Shape::Names { max_items, max_len } => {
                let items = v
                    .as_array()
                    .ok_or_else(|| format!("{name} must be an array of strings"))?;
                if items.len() > max_items {
                    return Err(format!(
                        "{name} lists {} tools; name at most {max_items}",
                        items.len()
                    ));
                }
                let mut out: Vec<String> = Vec::new();
                for item in items {
                    let t = item
                        .as_str()
                        .ok_or_else(|| format!("{name} must be an array of strings"))?;
                    let t = one_line(t);
                    if t.is_empty() {
                        return Err(format!("{name} must not contain empty names"));
                    }
                    if let Some(f) = crate::text::forbidden(&t) {
                        return Err(format!("a name in {name} {f}"));
                    }
                    if t.chars().count() > max_len {
                        return Err(format!(
                            "a tool name is over {max_len} characters: name the tool, do not describe it"
                        ));
                    }
                    if !out.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                        out.push(t);
                    }
                }
                Ok(Value::from(out))
            }
        }
    }
}

/// A value as a message quotes it, cut short: a reply can be anything, and its quote
/// goes into the re-ask and the cache entry.
fn quote(v: &Value) -> String {
    cut(&v.to_string(), 60)
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(max).collect::<String>())
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The schema of an object with these fields, all required.
fn object_schema(fields: &[Field], limits: bool) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_string(), f.shape.schema(limits)))
        .collect();
    let required: Vec<&str> = fields.iter().map(|f| f.name).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

/// What a prompt asks for, and so how its reply is checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Ask {
    /// One task's exposure.
    Task,
    /// An assessment of each of these skills, in catalog order.
    Skills { names: Vec<String> },
    /// The skills most central to a profession's tasks, named and assessed (its catalog
    /// lists none).
    ProposeSkills,
}

/// A reply that passed validation, parsed once and carried to the record.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Task {
        content: TaskContent,
        /// How sure the model was of the level, when the response could tell.
        confidence: Option<Confidence>,
    },
    /// In the order of the names asked about.
    Skills(Vec<SkillContent>),
}

impl Ask {
    /// The name of the reply schema.
    pub fn schema_name(&self) -> &'static str {
        match self {
            Ask::Task => "task_exposure",
            Ask::Skills { .. } => "skills_assessment",
            Ask::ProposeSkills => "skills_proposal",
        }
    }

    /// The reply schema; `limits` writes willai's length limits in (`maxLength`,
    /// `maxItems`), for servers that enforce a schema with a grammar (llama.cpp's
    /// `json_object` mode), so a small model cannot ramble past them into `max_tokens`.
    /// Strict `json_schema` mode gets the schema without: OpenAI's subset forbids them.
    pub fn schema(&self, limits: bool) -> Value {
        match self {
            Ask::Task => object_schema(&TASK_FIELDS, limits),
            // An object keyed by the skill names, every one required, so a constrained
            // decoder (OpenAI's strict mode, llama.cpp's grammar) has to assess each
            // skill exactly once and can name no other.
            Ask::Skills { names } => {
                let assessment = object_schema(&SKILL_FIELDS, limits);
                let properties: Map<String, Value> = names
                    .iter()
                    .map(|n| (n.clone(), assessment.clone()))
                    .collect();
                json!({
                    "type": "object",
                    "properties": {
                        "skills": {
                            "type": "object",
                            "properties": properties,
                            "required": names,
                            "additionalProperties": false
                        }
                    },
                    "required": ["skills"],
                    "additionalProperties": false
                })
            }
            Ask::ProposeSkills => {
                let mut list = json!({
                    "type": "array",
                    "items": object_schema(&PROPOSED_SKILL_FIELDS, limits)
                });
                if limits {
                    list["minItems"] = json!(PROPOSED_SKILLS.start());
                    list["maxItems"] = json!(PROPOSED_SKILLS.end());
                }
                json!({
                    "type": "object",
                    "properties": {"skills": list},
                    "required": ["skills"],
                    "additionalProperties": false
                })
            }
        }
    }

    /// What was asked, from the schema's name (and the skills assessed), as a cache
    /// entry records it.
    pub fn of_name(name: &str, skills: &[String]) -> Option<Ask> {
        match name {
            "task_exposure" => Some(Ask::Task),
            "skills_proposal" => Some(Ask::ProposeSkills),
            "skills_assessment" => Some(Ask::Skills {
                names: skills.to_vec(),
            }),
            _ => None,
        }
    }

    /// What a request asked for, read back from the schema it carries (batch files).
    pub fn of_schema(schema: &Value) -> Option<Ask> {
        if let Some(required) = schema
            .pointer("/properties/skills/required")
            .and_then(Value::as_array)
        {
            let names: Option<Vec<String>> = required
                .iter()
                .map(|v| v.as_str().map(String::from))
                .collect();
            return names.map(|names| Ask::Skills { names });
        }
        if schema.pointer("/properties/skills/items").is_some() {
            return Some(Ask::ProposeSkills);
        }
        schema.pointer("/properties/level").map(|_| Ask::Task)
    }

    /// What a request asked for: from its `response_format`, or, for a request without
    /// one (structured output `none`), from the schema its prompt quotes.
    pub fn of_request(request: &Value) -> Option<Ask> {
        if let Some(schema) = request
            .pointer("/response_format/json_schema/schema")
            .or_else(|| request.pointer("/response_format/schema"))
        {
            return Ask::of_schema(schema);
        }
        let text = request
            .get("messages")?
            .as_array()?
            .iter()
            .rev()
            .find(|m| m["role"] == "user")?["content"]
            .as_str()?;
        let start = text.rfind("schema: ")? + "schema: ".len();
        let schema: Value = serde_json::Deserializer::from_str(&text[start..])
            .into_iter::<Value>()
            .next()?
            .ok()?;
        Ask::of_schema(&schema)
    }

    /// Checks a reply.
    pub fn check(&self, content: &str) -> Result<Reply, String> {
        match self {
            Ask::Task => parse_task(content).map(|content| Reply::Task {
                content,
                confidence: None,
            }),
            Ask::Skills { names } => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                parse_skills(content, &names).map(Reply::Skills)
            }
            Ask::ProposeSkills => parse_proposed_skills(content).map(Reply::Skills),
        }
    }
}

/// Finds the JSON object in a reply: the whole content, or the part inside a Markdown
/// code fence, or from the first `{` to its matching `}` when a model adds prose.
pub fn extract_json(content: &str) -> Result<Value, String> {
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return Err("the reply was empty: reply with one JSON object".into());
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        return Ok(v);
    }
    // Small models write line breaks and tabs inside strings, which JSON forbids; they
    // mean spaces (every text is made one line anyway).
    let spaced = spaces_for_controls_in_strings(trimmed);
    if spaced != trimmed
        && let Ok(v) = serde_json::from_str::<Value>(&spaced)
    {
        return Ok(v);
    }
    let start = spaced.find('{').ok_or_else(|| {
        "the reply is not JSON: reply with one JSON object and nothing else".to_string()
    })?;
    let mut stream = serde_json::Deserializer::from_str(&spaced[start..]).into_iter::<Value>();
    match stream.next() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(format!(
            "the reply is not valid JSON ({e}): reply with one complete JSON object and nothing else"
        )),
        None => Err("the reply is not JSON: reply with one JSON object and nothing else".into()),
    }
}

/// The text with every raw line break and tab inside a JSON string made a space. Other
/// control characters stay, and the reply stays invalid: an escape sequence is not
/// spacing, and must not slip past the check of every text.
fn spaces_for_controls_in_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            } else if matches!(c, '\n' | '\r' | '\t') {
                out.push(' ');
                continue;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    out
}

fn object(v: &Value) -> Result<&Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| "the reply must be a JSON object, not an array or a string".to_string())
}

fn unknown_fields(obj: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unexpected field `{}`: use only {}",
            cut(k, 40),
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// Checks the fields of a table in an object and returns them normalised. `whose` names
/// the skill an assessment is of, for the messages.
fn parse_fields<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    fields: &[Field],
    whose: Option<&str>,
) -> Result<T, String> {
    let mut out = Map::new();
    for f in fields {
        let name = match whose {
            Some(skill) => format!("the `{}` of {skill:?}", f.name),
            None => format!("`{}`", f.name),
        };
        let v = obj.get(f.name).ok_or_else(|| match whose {
            Some(_) => format!("{name} is missing"),
            None => format!("the field `{}` is missing", f.name),
        })?;
        out.insert(f.name.to_string(), f.shape.parse(&name, v)?);
    }
    serde_json::from_value(Value::Object(out)).map_err(|e| e.to_string())
}

/// Checks a task reply.
pub fn parse_task(content: &str) -> Result<TaskContent, String> {
    let value = extract_json(content)?;
    let obj = object(&value)?;
    let names: Vec<&str> = TASK_FIELDS.iter().map(|f| f.name).collect();
    unknown_fields(obj, &names)?;
    parse_fields(obj, &TASK_FIELDS, None)
}

/// Checks a skills reply against the skills asked about (`names`, in catalog order).
/// Every skill must be assessed once; the result follows the order of `names`. The
/// reply is the object keyed by skill name the schema asks for; a list of
/// `{"skill", "verdict", "reason"}` (what a model without constraints may write) is
/// accepted too.
pub fn parse_skills(content: &str, names: &[&str]) -> Result<Vec<SkillContent>, String> {
    let value = extract_json(content)?;
    let obj = object(&value)?;
    unknown_fields(obj, &["skills"])?;
    let skills = obj.get("skills").ok_or("the field `skills` is missing")?;
    let fields: Vec<&str> = SKILL_FIELDS.iter().map(|f| f.name).collect();
    let mut found: Vec<Option<SkillContent>> = vec![None; names.len()];
    let mut take = |name: &str, o: &Map<String, Value>| -> Result<(), String> {
        // A skill nobody asked about is ignored rather than failing the whole reply.
        let Some(i) = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name.trim()))
        else {
            return Ok(());
        };
        found[i] = Some(parse_fields(o, &SKILL_FIELDS, Some(name))?);
        Ok(())
    };
    match skills {
        Value::Object(by_name) => {
            for (name, item) in by_name {
                let o = item.as_object().ok_or_else(|| {
                    format!(
                        "the assessment of {name:?} must be an object with `verdict` and `reason`"
                    )
                })?;
                unknown_fields(o, &fields)?;
                take(name, o)?;
            }
        }
        Value::Array(items) => {
            let mut listed = fields.clone();
            listed.insert(0, "skill");
            for item in items {
                let o = item
                    .as_object()
                    .ok_or("each item of `skills` must be an object")?;
                unknown_fields(o, &listed)?;
                let name = Shape::Text { max: 200 }.parse(
                    "`skill`",
                    o.get("skill").ok_or("the field `skill` is missing")?,
                )?;
                take(name.as_str().unwrap_or_default(), o)?;
            }
        }
        _ => return Err("`skills` must be an object keyed by skill name".into()),
    }
    let missing: Vec<&str> = names
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "assess every skill; missing: {}",
            missing.join(", ")
        ));
    }
    Ok(found.into_iter().flatten().collect())
}

/// A name as compared with another: case aside, and dashes, underscores, dots, commas,
/// slashes and runs of spaces all one separator ("Tax law" is "tax-law"), but every other
/// character kept ("C++" is not "C#", and no two names in another script are alike).
pub fn same_name_key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | '.' | ',' | '/'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a proposal of skills: 4 to 6 of them, each named once.
pub fn parse_proposed_skills(content: &str) -> Result<Vec<SkillContent>, String> {
    let value = extract_json(content)?;
    let obj = object(&value)?;
    unknown_fields(obj, &["skills"])?;
    let items = obj
        .get("skills")
        .ok_or("the field `skills` is missing")?
        .as_array()
        .ok_or("`skills` must be a list of objects with `name`, `verdict` and `reason`")?;
    if !PROPOSED_SKILLS.contains(&items.len()) {
        return Err(format!(
            "name {} to {} skills; the reply has {}",
            PROPOSED_SKILLS.start(),
            PROPOSED_SKILLS.end(),
            items.len()
        ));
    }
    let fields: Vec<&str> = PROPOSED_SKILL_FIELDS.iter().map(|f| f.name).collect();
    let mut out: Vec<SkillContent> = Vec::new();
    for item in items {
        let o = item
            .as_object()
            .ok_or("each item of `skills` must be an object")?;
        unknown_fields(o, &fields)?;
        let skill: SkillContent = parse_fields(o, &PROPOSED_SKILL_FIELDS, None)?;
        // Names are compared as names (case and separators aside), not as slugs: `C++`
        // and `C#`, or any two names in Cyrillic or CJK, are different skills.
        let name = skill.name.clone().unwrap_or_default();
        let key = same_name_key(&name);
        if out
            .iter()
            .any(|s| same_name_key(s.name.as_deref().unwrap_or_default()) == key)
        {
            return Err(format!(
                "the skill {name:?} is named twice: name each skill once"
            ));
        }
        out.push(skill);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skills(names: &[&str]) -> Ask {
        Ask::Skills {
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The schemas are part of every cache key: these are the exact bytes the committed
    /// caches (the quickstart's) were recorded with.
    #[test]
    fn the_schemas_are_byte_for_byte_those_of_the_committed_cache() {
        let text = |v: Value| String::from_utf8(crate::canonical::hash_bytes(&v)).unwrap();
        assert_eq!(
            text(Ask::Task.schema(false)),
            r#"{"additionalProperties":false,"properties":{"level":{"enum":["HIGH","MEDIUM","LOW"],"type":"string"},"rationale":{"type":"string"},"tip":{"type":"string"},"title":{"type":"string"},"tools":{"items":{"type":"string"},"type":"array"}},"required":["title","level","rationale","tools","tip"],"type":"object"}"#
        );
        assert_eq!(
            text(Ask::Task.schema(true)),
            r#"{"additionalProperties":false,"properties":{"level":{"enum":["HIGH","MEDIUM","LOW"],"type":"string"},"rationale":{"maxLength":600,"minLength":1,"type":"string"},"tip":{"maxLength":300,"minLength":1,"type":"string"},"title":{"maxLength":60,"minLength":1,"type":"string"},"tools":{"items":{"maxLength":60,"minLength":1,"type":"string"},"maxItems":5,"type":"array"}},"required":["title","level","rationale","tools","tip"],"type":"object"}"#
        );
        assert_eq!(
            text(Ask::ProposeSkills.schema(true)),
            r#"{"additionalProperties":false,"properties":{"skills":{"items":{"additionalProperties":false,"properties":{"name":{"maxLength":60,"minLength":1,"type":"string"},"reason":{"maxLength":300,"minLength":1,"type":"string"},"verdict":{"enum":["vulnerable","resilient"],"type":"string"}},"required":["name","verdict","reason"],"type":"object"},"maxItems":6,"minItems":4,"type":"array"}},"required":["skills"],"type":"object"}"#
        );
        assert_eq!(
            text(skills(&["Python"]).schema(true)),
            r#"{"additionalProperties":false,"properties":{"skills":{"additionalProperties":false,"properties":{"Python":{"additionalProperties":false,"properties":{"reason":{"maxLength":300,"minLength":1,"type":"string"},"verdict":{"enum":["vulnerable","resilient"],"type":"string"}},"required":["verdict","reason"],"type":"object"}},"required":["Python"],"type":"object"}},"required":["skills"],"type":"object"}"#
        );
    }

    #[test]
    fn a_valid_task_reply_is_normalised() {
        let d = parse_task(r#"{"title":"Draft code.","level":"high","rationale":"  LLMs draft  code. ","tools":["Copilot","copilot","ChatGPT"],"tip":"Review."}"#).unwrap();
        assert_eq!(d.level, Some(Level::High));
        assert_eq!(
            d.title.as_deref(),
            Some("Draft code"),
            "a headline loses its full stop"
        );
        assert_eq!(d.rationale.as_deref(), Some("LLMs draft code."));
        assert_eq!(d.tools.unwrap(), vec!["Copilot", "ChatGPT"]);
    }

    #[test]
    fn fenced_and_chatty_replies_are_found() {
        let fenced = "```json\n{\"title\":\"T\",\"level\":\"LOW\",\"rationale\":\"r.\",\"tools\":[],\"tip\":\"t.\"}\n```";
        assert_eq!(parse_task(fenced).unwrap().level, Some(Level::Low));
        let chatty = "Sure! {\"title\":\"T\",\"level\":\"MEDIUM\",\"rationale\":\"r.\",\"tools\":[],\"tip\":\"t.\"} Hope this helps.";
        assert_eq!(parse_task(chatty).unwrap().level, Some(Level::Medium));
    }

    #[test]
    fn line_breaks_inside_strings_are_read_as_spaces() {
        let reply = "{\"title\": \"T\", \"level\": \"LOW\", \"rationale\": \"Two\nlines.\", \"tools\": [], \"tip\": \"t\"}";
        assert_eq!(
            parse_task(reply).unwrap().rationale.as_deref(),
            Some("Two lines.")
        );
        assert_eq!(
            spaces_for_controls_in_strings("{\"a\":\"x\\\"\ty\"}\n"),
            "{\"a\":\"x\\\" y\"}\n"
        );
    }

    #[test]
    fn control_and_bidi_characters_make_a_reply_invalid() {
        let reply = |title: &str, rationale: &str, tool: &str| {
            serde_json::json!({"title": title, "level": "LOW", "rationale": rationale, "tools": [tool], "tip": "T."})
                .to_string()
        };
        let err = parse_task(&reply("Ti\u{1b}[2Jtle", "R.", "X")).unwrap_err();
        assert!(
            err.contains("title` contains a control character (U+001B)"),
            "{err}"
        );
        let err = parse_task(&reply("Title", "R\u{202e}.", "X")).unwrap_err();
        assert!(err.contains("rationale` contains a bidirectional"), "{err}");
        let err = parse_task(&reply("Title", "R.", "X\u{7}")).unwrap_err();
        assert!(
            err.contains("a name in `tools` contains a control character"),
            "{err}"
        );
        // Line breaks and tabs are only spacing: read as spaces, as before.
        assert!(parse_task(&reply("Title", "One\ntwo\tthree.", "X")).is_ok());
        // Written raw (not escaped) inside a string: still refused, not made a space.
        let raw = "{\"title\": \"Ti\u{1b}[2Jtle\", \"level\": \"LOW\", \"rationale\": \"R.\", \"tools\": [], \"tip\": \"T.\"}";
        assert!(parse_task(raw).is_err());
        let chatty = "Sure! {\"title\": \"Title\", \"level\": \"LOW\", \"rationale\": \"One\ntwo.\", \"tools\": [], \"tip\": \"T.\"} Done.";
        assert_eq!(
            parse_task(chatty).unwrap().rationale.as_deref(),
            Some("One two.")
        );
    }

    #[test]
    fn invalid_task_replies_say_what_is_wrong() {
        let cases = [
            ("Sure, here is my analysis.", "not JSON"),
            (
                r#"{"title":"T","level":"EXTREME","rationale":"r","tools":[],"tip":"t"}"#,
                "`level` must be one of HIGH, MEDIUM, LOW (got \"EXTREME\")",
            ),
            (
                r#"{"title":"T","level":"LOW","tools":[],"tip":"t"}"#,
                "`rationale` is missing",
            ),
            (
                r#"{"title":"T","level":"LOW","rationale":"","tools":[],"tip":"t"}"#,
                "`rationale` must not be empty",
            ),
            (
                r#"{"title":"T","level":"LOW","rationale":"r","tools":["a","b","c","d","e","f"],"tip":"t"}"#,
                "at most 5",
            ),
            (
                r#"{"title":"T","level":"LOW","rationale":"r","tools":[],"tip":"t","extra":1}"#,
                "unexpected field `extra`",
            ),
            (
                r#"{"title":"T","level":"LOW","rationale":"r","tools":[],"ti"#,
                "not valid JSON",
            ),
        ];
        for (reply, want) in cases {
            let err = parse_task(reply).unwrap_err();
            assert!(err.contains(want), "{reply}: {err}");
        }
    }

    #[test]
    fn skills_replies_follow_the_catalog_order_and_must_cover_every_skill() {
        let names = ["Python", "Coding delivery"];
        let keyed = r#"{"skills":{"coding delivery":{"verdict":"vulnerable","reason":"a."},"Python":{"verdict":"Resilient","reason":"b."},"Other":{"verdict":"resilient","reason":"c."}}}"#;
        let got = parse_skills(keyed, &names).unwrap();
        assert_eq!(got[0].reason.as_deref(), Some("b."));
        assert_eq!(got[1].verdict, Some(Verdict::Vulnerable));
        let listed = r#"{"skills":[{"skill":"Coding delivery","verdict":"vulnerable","reason":"a."},{"skill":"Python","verdict":"resilient","reason":"b."}]}"#;
        assert_eq!(
            parse_skills(listed, &names).unwrap()[1].reason.as_deref(),
            Some("a.")
        );
        let missing = r#"{"skills":{"Python":{"verdict":"resilient","reason":"b."}}}"#;
        assert!(
            parse_skills(missing, &names)
                .unwrap_err()
                .contains("missing: Coding delivery")
        );
        let bad = r#"{"skills":{"Python":{"verdict":"doomed","reason":"b."}}}"#;
        assert!(
            parse_skills(bad, &names)
                .unwrap_err()
                .contains("the `verdict` of \"Python\" must be")
        );
    }

    #[test]
    fn proposed_skills_are_four_to_six_each_named_once() {
        let item = |n: &str| format!(r#"{{"name":"{n}","verdict":"resilient","reason":"r."}}"#);
        let reply = |names: &[&str]| {
            let items: Vec<String> = names.iter().map(|n| item(n)).collect();
            format!(r#"{{"skills":[{}]}}"#, items.join(","))
        };
        let ok = parse_proposed_skills(&reply(&["Client care.", "Filing", "Tax law", "Audits"]))
            .unwrap();
        assert_eq!(ok[0].name.as_deref(), Some("Client care"));
        assert_eq!(ok.len(), 4);
        assert!(
            parse_proposed_skills(&reply(&["A", "B", "C"]))
                .unwrap_err()
                .contains("name 4 to 6 skills; the reply has 3")
        );
        assert!(
            parse_proposed_skills(&reply(&["Tax law", "A", "tax-law", "B"]))
                .unwrap_err()
                .contains("named twice")
        );
        // Names that slug alike are different skills.
        assert_eq!(
            parse_proposed_skills(&reply(&["C++", "C#", "Программирование", "编程"]))
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            Ask::of_schema(&Ask::ProposeSkills.schema(false)),
            Some(Ask::ProposeSkills)
        );
    }

    #[test]
    fn the_skills_schema_requires_every_skill_by_name() {
        let ask = skills(&["Python", "Coding delivery"]);
        let schema = ask.schema(false);
        assert_eq!(Ask::of_schema(&schema), Some(ask));
        assert_eq!(Ask::of_schema(&Ask::Task.schema(true)), Some(Ask::Task));
        assert_eq!(
            schema["properties"]["skills"]["additionalProperties"],
            false
        );
        assert_eq!(
            schema["properties"]["skills"]["properties"]["Python"]["required"],
            json!(["verdict", "reason"])
        );
    }
}

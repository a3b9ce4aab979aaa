//! What the model must answer, and how an answer is checked.
//!
//! The JSON Schemas sent as `response_format` are written out here by hand, not derived
//! from Rust types: they are part of every request body and so of every cache key, and a
//! derive macro's update must not silently invalidate a committed cache. They are
//! OpenAI strict-mode ready (every property required, no extra properties).
//!
//! Whatever the server promised, every reply is parsed and validated here. The error
//! messages are written for the model: on an invalid reply the client asks once more,
//! quoting the message.

use serde_json::{Value, json};

use crate::record::{Level, SkillDraft, TaskDraft, Verdict};

/// Bumped when the schemas or the checks below change meaning; part of the template
/// fingerprint, so drafts made under older rules show as stale.
pub const FORMAT_VERSION: &str = "reply-v2";

pub const MAX_RATIONALE: usize = 600;
pub const MAX_TIP: usize = 300;
pub const MAX_TOOLS: usize = 5;
pub const MAX_TOOL: usize = 60;
pub const MAX_REASON: usize = 300;

/// The schema of a task reply.
pub fn task_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "level": {"type": "string", "enum": ["HIGH", "MEDIUM", "LOW"]},
            "rationale": {"type": "string"},
            "tools": {"type": "array", "items": {"type": "string"}},
            "tip": {"type": "string"}
        },
        "required": ["level", "rationale", "tools", "tip"],
        "additionalProperties": false
    })
}

/// The schema of a skills reply: an object keyed by the skill names, every one
/// required, so a constrained decoder (OpenAI's strict mode, llama.cpp's grammar) has to
/// assess each skill exactly once and can name no other.
pub fn skills_schema(names: &[&str]) -> Value {
    let assessment = json!({
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["vulnerable", "resilient"]},
            "reason": {"type": "string"}
        },
        "required": ["verdict", "reason"],
        "additionalProperties": false
    });
    let properties: serde_json::Map<String, Value> = names
        .iter()
        .map(|n| (n.to_string(), assessment.clone()))
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

/// The skill names a skills reply schema asks about, in catalog order.
pub fn skill_names(schema: &Value) -> Option<Vec<&str>> {
    let required = schema.pointer("/properties/skills/required")?.as_array()?;
    required.iter().map(Value::as_str).collect()
}

/// The schema with willai's length limits written in (`maxLength`, `maxItems`), for
/// servers that enforce a schema with a grammar (llama.cpp's `json_object` mode): a small
/// model then cannot ramble past them into `max_tokens`. Not sent in `json_schema`
/// mode, whose strict subset at OpenAI does not allow these keywords.
pub fn with_limits(schema: &Value) -> Value {
    let mut out = schema.clone();
    fn walk(v: &mut Value) {
        if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, prop) in props.iter_mut() {
                let limit = match name.as_str() {
                    "rationale" => Some(MAX_RATIONALE),
                    "tip" => Some(MAX_TIP),
                    "reason" => Some(MAX_REASON),
                    _ => None,
                };
                if let (Some(max), Some(obj)) = (limit, prop.as_object_mut()) {
                    obj.insert("minLength".into(), json!(1));
                    obj.insert("maxLength".into(), json!(max));
                }
                if name == "tools"
                    && let Some(obj) = prop.as_object_mut()
                {
                    obj.insert("maxItems".into(), json!(MAX_TOOLS));
                    obj.insert(
                        "items".into(),
                        json!({"type": "string", "minLength": 1, "maxLength": MAX_TOOL}),
                    );
                }
                walk(prop);
            }
        }
        if let Some(items) = v.get_mut("items") {
            walk(items);
        }
    }
    walk(&mut out);
    out
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
    let start = trimmed.find('{').ok_or_else(|| {
        "the reply is not JSON: reply with one JSON object and nothing else".to_string()
    })?;
    let mut stream = serde_json::Deserializer::from_str(&trimmed[start..]).into_iter::<Value>();
    match stream.next() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(format!(
            "the reply is not valid JSON ({e}): reply with one complete JSON object and nothing else"
        )),
        None => Err("the reply is not JSON: reply with one JSON object and nothing else".into()),
    }
}

fn object(v: &Value) -> Result<&serde_json::Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| "the reply must be a JSON object, not an array or a string".to_string())
}

fn text_field(
    obj: &serde_json::Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<String, String> {
    let v = obj
        .get(name)
        .ok_or_else(|| format!("the field `{name}` is missing"))?;
    let s = v
        .as_str()
        .ok_or_else(|| format!("`{name}` must be a string"))?;
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(format!("`{name}` must not be empty"));
    }
    let n = s.chars().count();
    if n > max {
        return Err(format!(
            "`{name}` is {n} characters long; keep it under {max}"
        ));
    }
    Ok(s)
}

fn unknown_fields(obj: &serde_json::Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unexpected field `{k}`: use only {}",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// Checks a task reply.
pub fn parse_task(content: &str) -> Result<TaskDraft, String> {
    let value = extract_json(content)?;
    let obj = object(&value)?;
    unknown_fields(obj, &["level", "rationale", "tools", "tip"])?;
    let level_raw = obj.get("level").ok_or("the field `level` is missing")?;
    let level = level_raw
        .as_str()
        .and_then(Level::parse)
        .ok_or_else(|| format!("`level` must be one of HIGH, MEDIUM, LOW (got {level_raw})"))?;
    let rationale = text_field(obj, "rationale", MAX_RATIONALE)?;
    let tip = text_field(obj, "tip", MAX_TIP)?;
    let tools_raw = obj.get("tools").ok_or("the field `tools` is missing")?;
    let items = tools_raw
        .as_array()
        .ok_or("`tools` must be an array of strings")?;
    if items.len() > MAX_TOOLS {
        return Err(format!(
            "`tools` lists {} tools; name at most {MAX_TOOLS}",
            items.len()
        ));
    }
    let mut tools: Vec<String> = Vec::new();
    for item in items {
        let t = item.as_str().ok_or("`tools` must be an array of strings")?;
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            return Err("`tools` must not contain empty names".into());
        }
        if t.chars().count() > MAX_TOOL {
            return Err(format!(
                "a tool name is over {MAX_TOOL} characters: name the tool, do not describe it"
            ));
        }
        if !tools.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            tools.push(t);
        }
    }
    Ok(TaskDraft {
        level,
        rationale,
        tools,
        tip,
    })
}

/// Checks a skills reply against the skills asked about (`names`, in catalog order).
/// Every skill must be assessed once; the result follows the order of `names`. The
/// reply is the object keyed by skill name the schema asks for; a list of
/// `{"skill", "verdict", "reason"}` (what a model without constraints may write) is
/// accepted too.
pub fn parse_skills(content: &str, names: &[&str]) -> Result<Vec<SkillDraft>, String> {
    let value = extract_json(content)?;
    let obj = object(&value)?;
    unknown_fields(obj, &["skills"])?;
    let skills = obj.get("skills").ok_or("the field `skills` is missing")?;
    let mut found: Vec<Option<SkillDraft>> = vec![None; names.len()];
    let mut take = |name: &str, o: &serde_json::Map<String, Value>| -> Result<(), String> {
        // A skill nobody asked about is ignored rather than failing the whole reply.
        let Some(i) = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name.trim()))
        else {
            return Ok(());
        };
        let verdict_raw = o
            .get("verdict")
            .ok_or_else(|| format!("the `verdict` of {name:?} is missing"))?;
        let verdict = verdict_raw
            .as_str()
            .and_then(Verdict::parse)
            .ok_or_else(|| format!("the `verdict` of {name:?} must be \"vulnerable\" or \"resilient\" (got {verdict_raw})"))?;
        let reason = text_field(o, "reason", MAX_REASON).map_err(|e| format!("{name:?}: {e}"))?;
        found[i] = Some(SkillDraft { verdict, reason });
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
                unknown_fields(o, &["verdict", "reason"])?;
                take(name, o)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                let o = item
                    .as_object()
                    .ok_or("each item of `skills` must be an object")?;
                unknown_fields(o, &["skill", "verdict", "reason"])?;
                let name = text_field(o, "skill", 200)?;
                take(&name, o)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_written_into_a_copy_of_the_schema() {
        let t = with_limits(&task_schema());
        assert_eq!(t["properties"]["rationale"]["maxLength"], MAX_RATIONALE);
        assert_eq!(t["properties"]["tools"]["maxItems"], MAX_TOOLS);
        assert_eq!(t["properties"]["tools"]["items"]["maxLength"], MAX_TOOL);
        let s = with_limits(&skills_schema(&["Python"]));
        assert_eq!(
            s["properties"]["skills"]["properties"]["Python"]["properties"]["reason"]["maxLength"],
            MAX_REASON
        );
        assert!(
            task_schema()["properties"]["rationale"]
                .get("maxLength")
                .is_none()
        );
    }

    #[test]
    fn a_valid_task_reply_is_normalised() {
        let d = parse_task(r#"{"level":"high","rationale":"  LLMs draft  code. ","tools":["Copilot","copilot","ChatGPT"],"tip":"Review."}"#).unwrap();
        assert_eq!(d.level, Level::High);
        assert_eq!(d.rationale, "LLMs draft code.");
        assert_eq!(d.tools, vec!["Copilot", "ChatGPT"]);
    }

    #[test]
    fn fenced_and_chatty_replies_are_found() {
        let fenced =
            "```json\n{\"level\":\"LOW\",\"rationale\":\"r.\",\"tools\":[],\"tip\":\"t.\"}\n```";
        assert_eq!(parse_task(fenced).unwrap().level, Level::Low);
        let chatty = "Sure! {\"level\":\"MEDIUM\",\"rationale\":\"r.\",\"tools\":[],\"tip\":\"t.\"} Hope this helps.";
        assert_eq!(parse_task(chatty).unwrap().level, Level::Medium);
    }

    #[test]
    fn invalid_task_replies_say_what_is_wrong() {
        let cases = [
            ("Sure, here is my analysis.", "not JSON"),
            (
                r#"{"level":"EXTREME","rationale":"r","tools":[],"tip":"t"}"#,
                "`level` must be one of HIGH, MEDIUM, LOW (got \"EXTREME\")",
            ),
            (
                r#"{"level":"LOW","tools":[],"tip":"t"}"#,
                "`rationale` is missing",
            ),
            (
                r#"{"level":"LOW","rationale":"","tools":[],"tip":"t"}"#,
                "`rationale` must not be empty",
            ),
            (
                r#"{"level":"LOW","rationale":"r","tools":["a","b","c","d","e","f"],"tip":"t"}"#,
                "at most 5",
            ),
            (
                r#"{"level":"LOW","rationale":"r","tools":[],"tip":"t","extra":1}"#,
                "unexpected field `extra`",
            ),
            (
                r#"{"level":"LOW","rationale":"r","tools":[],"ti"#,
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
        assert_eq!(got[0].reason, "b.");
        assert_eq!(got[1].verdict, Verdict::Vulnerable);
        let listed = r#"{"skills":[{"skill":"Coding delivery","verdict":"vulnerable","reason":"a."},{"skill":"Python","verdict":"resilient","reason":"b."}]}"#;
        assert_eq!(parse_skills(listed, &names).unwrap()[1].reason, "a.");
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
    fn the_skills_schema_requires_every_skill_by_name() {
        let schema = skills_schema(&["Python", "Coding delivery"]);
        assert_eq!(
            skill_names(&schema),
            Some(vec!["Python", "Coding delivery"])
        );
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

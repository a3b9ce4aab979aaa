//! The JSON Schemas of catalog, record and audit files, generated from the Rust types so the
//! two cannot drift: `willai schema` writes them to `data/schema/`, a test fails when the
//! committed files differ from the code, and `willai validate` checks every file with
//! both the schema and the typed parser.
//!
//! Optional fields are described as "may be omitted", not "may be null": the canonical
//! form omits them, and an editor's editor then offers the right completions.

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::catalog::Occupation;
use crate::record::{Kind, Record};
use crate::reply;

pub const CATALOG_FILE: &str = "catalog.schema.json";
pub const RECORD_FILE: &str = "record.schema.json";
pub const AUDIT_FILE: &str = "audit.schema.json";

fn generate<T: schemars::JsonSchema>(id: &str) -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut value = schema.to_value();
    drop_nulls(&mut value);
    if let Value::Object(map) = &mut value {
        map.insert(
            "$id".into(),
            Value::String(format!("https://willai.invalid/schema/{id}")),
        );
    }
    value
}

/// `anyOf: [X, {type: null}]` -> X, and `type: [T, "null"]` -> T, everywhere.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            collapse_any_of(map);
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    map.insert("type".into(), only);
                }
            }
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn collapse_any_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(options)) = map.get("anyOf") else {
        return;
    };
    let rest: Vec<Value> = options
        .iter()
        .filter(|o| o.get("type") != Some(&Value::from("null")))
        .cloned()
        .collect();
    if rest.len() == 1 && rest.len() < options.len() {
        map.remove("anyOf");
        if let Value::Object(inner) = &rest[0] {
            for (k, v) in inner {
                map.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The schema of `data/catalog/*.json`.
pub fn catalog() -> Value {
    generate::<Occupation>(CATALOG_FILE)
}

/// The schema of `data/records/*.json`. A machine's text is complete (the reply it came
/// from was checked), so its content fields are required there.
pub fn record() -> Value {
    let mut schema = generate::<Record>(RECORD_FILE);
    for kind in [Kind::Task, Kind::Skill] {
        let name = match kind {
            Kind::Task => "MachineTask",
            Kind::Skill => "MachineSkill",
        };
        if let Some(Value::Array(required)) = schema.pointer_mut(&format!("/$defs/{name}/required"))
        {
            required.extend(
                reply::fields(kind)
                    .iter()
                    .filter(|f| f.always)
                    .map(|f| Value::from(f.name)),
            );
        }
    }
    schema
}

/// The schema of `data/audits/*.json`. `judged` is the one field that may be null: it
/// is written as null until an editor judges the task.
pub fn audit() -> Value {
    let mut schema = generate::<Audit>(AUDIT_FILE);
    if let Some(judged) = schema.pointer_mut("/$defs/AuditItem/properties/judged") {
        let level = judged.clone();
        *judged = serde_json::json!({
            "description": level.get("description").cloned().unwrap_or(Value::Null),
            "enum": ["HIGH", "MEDIUM", "LOW", null],
        });
    }
    schema
}

/// The schema files with their canonical text.
pub fn files() -> [(&'static str, String); 3] {
    [
        (CATALOG_FILE, crate::canonical::pretty(&catalog())),
        (RECORD_FILE, crate::canonical::pretty(&record())),
        (AUDIT_FILE, crate::canonical::pretty(&audit())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_are_omittable_not_nullable() {
        let s = record();
        let text = s.to_string();
        assert!(!text.contains("\"null\""), "{text}");
        let task = &s["$defs"]["TaskEntry"];
        assert_eq!(task["additionalProperties"], false);
        let required: Vec<&str> = task["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, vec!["id", "status"]);
    }

    #[test]
    fn the_committed_schemas_match_the_code() {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for root in ["", "examples/quickstart/"] {
            for (name, text) in files() {
                let committed =
                    std::fs::read_to_string(repo.join(root).join("data/schema").join(name))
                        .unwrap_or_default();
                assert!(
                    committed == text,
                    "{root}data/schema/{name} is out of date: run `cargo run -- --root ./{root} schema` and commit the result"
                );
            }
        }
    }
}

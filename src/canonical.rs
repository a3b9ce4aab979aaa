//! Canonical bytes, for hashing and for files people diff.
//!
//! Two forms:
//! - [`hash_bytes`]: compact JSON with object keys sorted at every depth, the form whose
//!   sha256 is a cache key. It is written here by hand, not left to `serde_json`'s map
//!   order, so that a dependency turning on `preserve_order` cannot change every key.
//! - [`pretty`]: two-space indented JSON in the field order of the Rust types, plus a
//!   trailing newline: the form of every record, catalog and cache file.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Compact JSON with sorted keys at every depth (no whitespace, serde_json's number form).
pub fn hash_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    write_sorted(value, &mut out);
    out
}

fn write_sorted(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(key.clone()), out);
                out.push(b':');
                write_sorted(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // Serializing a scalar Value cannot fail.
    serde_json::to_writer(&mut *out, value).expect("scalar JSON serializes");
}

/// The lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The sha256 of a value's canonical form.
pub fn hash_value(value: &Value) -> String {
    sha256_hex(&hash_bytes(value))
}

/// Two-space indented JSON in the type's field order, with a trailing newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("plain data serializes to JSON");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_whitespace_dropped() {
        let v = json!({"b": 1, "a": {"z": [1, {"y": true, "x": null}], "c": "é\n"}});
        assert_eq!(
            String::from_utf8(hash_bytes(&v)).unwrap(),
            r#"{"a":{"c":"é\n","z":[1,{"x":null,"y":true}]},"b":1}"#
        );
    }

    #[test]
    fn equal_values_hash_equal_whatever_the_insertion_order() {
        let a: Value = serde_json::from_str(r#"{"model":"m","temperature":0.0,"seed":7}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"seed":7,"temperature":0.0,"model":"m"}"#).unwrap();
        assert_eq!(hash_value(&a), hash_value(&b));
        let c: Value = serde_json::from_str(r#"{"seed":8,"temperature":0.0,"model":"m"}"#).unwrap();
        assert_ne!(hash_value(&a), hash_value(&c));
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn pretty_ends_with_one_newline() {
        assert_eq!(pretty(&json!({"a": [1]})), "{\n  \"a\": [\n    1\n  ]\n}\n");
    }
}

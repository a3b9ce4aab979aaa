//! Settings precedence, for every setting: flag > environment > willai.toml > default,
//! with one rule for blank values, as `willai config --json` reports them.

use serde_json::Value;

use crate::util::{Project, run_ok};

/// One setting: its key in `willai config --json`, its flag (with a value), its
/// environment variable, its willai.toml line, and the values each layer gives.
struct Row {
    key: &'static str,
    flag: Option<[&'static str; 2]>,
    env: Option<(&'static str, &'static str)>,
    file: &'static str,
    /// (from the file, from the environment, from the flag, the default)
    values: [Value; 4],
}

fn settings(p: &Project, toml: &str, env: &[(&str, &str)], args: &[&str]) -> Value {
    p.write("willai.toml", toml);
    let mut cmd = p.willai();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r = run_ok(cmd.args(["config", "--json"]).args(args), 0);
    serde_json::from_str(&r.stdout).unwrap()
}

fn at<'v>(v: &'v Value, key: &str) -> &'v Value {
    v.pointer(&format!("/{}", key.replace('.', "/")))
        .unwrap_or(&Value::Null)
}

#[test]
fn every_setting_takes_flag_then_environment_then_file_then_default() {
    use serde_json::json;
    let rows = [
        Row {
            key: "model",
            flag: Some(["--model", "flag-m"]),
            env: Some(("WILLAI_MODEL", "env-m")),
            file: "model = \"file-m\"",
            values: [
                json!("file-m"),
                json!("env-m"),
                json!("flag-m"),
                Value::Null,
            ],
        },
        Row {
            key: "base_url",
            flag: Some(["--base-url", "http://flag/v1"]),
            env: Some(("OPENAI_BASE_URL", "http://env/v1")),
            file: "base_url = \"http://file/v1\"",
            values: [
                json!("http://file/v1"),
                json!("http://env/v1"),
                json!("http://flag/v1"),
                json!("https://api.openai.com/v1"),
            ],
        },
        Row {
            key: "concurrency",
            flag: Some(["--concurrency", "3"]),
            env: None,
            file: "concurrency = 2",
            values: [json!(2), Value::Null, json!(3), json!(8)],
        },
        Row {
            key: "requests_per_minute",
            flag: Some(["--rpm", "30"]),
            env: None,
            file: "requests_per_minute = 20",
            values: [json!(20), Value::Null, json!(30), Value::Null],
        },
        Row {
            key: "tokens_per_minute",
            flag: Some(["--tpm", "3000"]),
            env: None,
            file: "tokens_per_minute = 2000",
            values: [json!(2000), Value::Null, json!(3000), Value::Null],
        },
        Row {
            key: "timeout_secs",
            flag: Some(["--timeout", "3.5"]),
            env: None,
            file: "timeout_secs = 2.5",
            values: [json!(2.5), Value::Null, json!(3.5), json!(120.0)],
        },
        Row {
            key: "retries",
            flag: Some(["--retries", "1"]),
            env: None,
            file: "retries = 2",
            values: [json!(2), Value::Null, json!(1), json!(5)],
        },
        Row {
            key: "structured_output",
            flag: Some(["--structured-output", "none"]),
            env: None,
            file: "structured_output = \"json_object\"",
            values: [
                json!("json_object"),
                Value::Null,
                json!("none"),
                json!("json_schema"),
            ],
        },
        Row {
            key: "connect_timeout_secs",
            flag: None,
            env: None,
            file: "connect_timeout_secs = 4.0",
            values: [json!(4.0), Value::Null, Value::Null, json!(10.0)],
        },
        Row {
            key: "retry_base_secs",
            flag: None,
            env: None,
            file: "retry_base_secs = 0.1",
            values: [json!(0.1), Value::Null, Value::Null, json!(0.5)],
        },
        Row {
            key: "temperature",
            flag: None,
            env: None,
            file: "temperature = 0.5",
            values: [json!(0.5), Value::Null, Value::Null, json!(0.0)],
        },
        Row {
            key: "seed",
            flag: None,
            env: None,
            file: "seed = 7",
            values: [json!(7), Value::Null, Value::Null, json!(42)],
        },
        Row {
            key: "max_tokens",
            flag: None,
            env: None,
            file: "max_tokens = 900",
            values: [json!(900), Value::Null, Value::Null, json!(600)],
        },
        Row {
            key: "max_reply_bytes",
            flag: None,
            env: None,
            file: "max_reply_bytes = 65536",
            values: [json!(65536), Value::Null, Value::Null, json!(4194304)],
        },
        Row {
            key: "confidence",
            flag: Some(["--confidence", "none"]),
            env: None,
            file: "confidence = \"none\"",
            values: [json!("none"), Value::Null, json!("none"), json!("logprobs")],
        },
        Row {
            key: "samples",
            flag: Some(["--samples", "5"]),
            env: None,
            file: "samples = 16",
            values: [json!(16), Value::Null, json!(5), json!(1)],
        },
        Row {
            key: "site.name",
            flag: None,
            env: None,
            file: "[site]\nname = \"Paper\"",
            values: [
                json!("Paper"),
                Value::Null,
                Value::Null,
                json!("WillAIReplaceMe"),
            ],
        },
        Row {
            key: "site.base_url",
            flag: None,
            env: None,
            file: "[site]\nbase_url = \"https://paper.example\"",
            values: [
                json!("https://paper.example"),
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        },
        Row {
            key: "site.license",
            flag: None,
            env: None,
            file: "[site]\nlicense = \"CC BY 4.0\"",
            values: [json!("CC BY 4.0"), Value::Null, Value::Null, Value::Null],
        },
        Row {
            key: "site.license_url",
            flag: None,
            env: None,
            file: "[site]\nlicense_url = \"https://creativecommons.org/licenses/by/4.0/\"",
            values: [
                json!("https://creativecommons.org/licenses/by/4.0/"),
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        },
        Row {
            key: "site.signup_url",
            flag: None,
            env: None,
            file: "[site]\nsignup_url = \"https://paper.example/signup\"",
            values: [
                json!("https://paper.example/signup"),
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        },
        Row {
            key: "site.signup_text",
            flag: None,
            env: None,
            file: "[site]\nsignup_text = \"One report, no spam.\"",
            values: [
                json!("One report, no spam."),
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        },
    ];
    let p = Project::new();
    for row in &rows {
        let [from_file, from_env, from_flag, default] = &row.values;
        let value = |v: &Value| at(v, &format!("{}.value", row.key)).clone();
        let origin = |v: &Value| at(v, &format!("{}.origin", row.key)).clone();

        let none = settings(&p, "", &[], &[]);
        assert_eq!(value(&none), *default, "{}: default", row.key);
        if !default.is_null() {
            assert_eq!(origin(&none), "default", "{}", row.key);
        }

        let file = settings(&p, row.file, &[], &[]);
        assert_eq!(value(&file), *from_file, "{}: willai.toml", row.key);
        assert!(
            origin(&file).as_str().unwrap().starts_with("willai.toml"),
            "{}: {}",
            row.key,
            origin(&file)
        );

        let env: Vec<(&str, &str)> = row.env.into_iter().collect();
        if let Some((var, _)) = row.env {
            let v = settings(&p, row.file, &env, &[]);
            assert_eq!(value(&v), *from_env, "{}: environment", row.key);
            assert_eq!(origin(&v), var, "{}", row.key);
            // A blank variable is not set: the file's value stands.
            let blank = settings(&p, row.file, &[(var, "  ")], &[]);
            assert_eq!(value(&blank), *from_file, "{}: blank {var}", row.key);
        }
        if let Some(flag) = row.flag {
            let v = settings(&p, row.file, &env, &flag);
            assert_eq!(value(&v), *from_flag, "{}: flag", row.key);
            assert_eq!(origin(&v), flag[0], "{}", row.key);
        }
    }
}

#[test]
fn a_blank_flag_is_an_error_and_the_key_is_never_shown() {
    let p = Project::new();
    let r = run_ok(p.willai().args(["config", "--model", " "]), 2);
    assert!(
        r.stderr.contains("--model is blank: give a value"),
        "{}",
        r.stderr
    );
    let r = run_ok(
        p.willai()
            .env("OPENAI_API_KEY", crate::util::KEY)
            .env("OPENAI_BASE_URL", "http://user:PASSW0RD@127.0.0.1:9/v1")
            .arg("config"),
        0,
    );
    assert!(!r.all().contains(crate::util::KEY), "{}", r.all());
    assert!(!r.all().contains("PASSW0RD"), "{}", r.all());
    assert!(r.stdout.contains("api_key"), "{}", r.stdout);
}

#[test]
fn samples_are_held_to_1_through_16_wherever_they_come_from() {
    let p = Project::new();
    let base = p.read("willai.toml");
    for (toml, args) in [
        ("samples = 0", vec![]),
        ("samples = 17", vec![]),
        ("", vec!["--samples", "0"]),
        ("", vec!["--samples", "17"]),
    ] {
        p.write("willai.toml", &format!("{toml}\n{base}"));
        let r = run_ok(
            p.willai().args(["draft", "--all", "--dry-run"]).args(&args),
            2,
        );
        assert!(
            r.stderr.contains("samples"),
            "{toml} {args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("16"), "{toml} {args:?}: {}", r.stderr);
        // `config`, where one looks for what is in effect, says so too.
        let r = run_ok(p.willai().arg("config").args(&args), 2);
        assert!(
            r.stderr.contains("samples") && r.stderr.contains("16"),
            "{toml} {args:?}: {}",
            r.stderr
        );
    }
}

/// `publish`'s site flags win over `[site]` in willai.toml, in the site they build, not
/// only in `willai config`: canonical links and the sitemap, the masthead and edition.
#[test]
fn publish_flags_win_over_the_site_table_in_the_pages() {
    let p = crate::publish::site_project();
    let toml = p.read("willai.toml");
    assert!(
        toml.contains("base_url = \"https://willaireplace.me\""),
        "{toml}"
    );
    let out = p.path("site");
    run_ok(
        p.willai().arg("publish").arg("--out").arg(&out).args([
            "--base-url",
            "https://flag.example/edition",
            "--site-name",
            "Flag Weekly",
            "--volume",
            "IX",
            "--number",
            "12",
            "--date",
            "2027-01-31",
        ]),
        0,
    );
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://flag.example/edition/"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("willaireplace.me"), "{sitemap}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("https://flag.example/edition/"),
        "the canonical link"
    );
    assert!(!index.contains("willaireplace.me"), "the file's base URL");
    for shown in ["Flag Weekly", "Vol. IX", "No. 12", "January 31, 2027"] {
        assert!(index.contains(shown), "{shown} is not on the index");
    }
}

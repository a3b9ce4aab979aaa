//! Cost before spending (issue #25): `draft --dry-run` counts the prompt tokens of what it
//! would send with the model's own tokenizer where one is known (else about a token per
//! four bytes), estimates the answers from cached answers (else at most `max_tokens`),
//! and prices both from `[prices]`.

use fake_openai::FakeServer;

use crate::util::{Project, run_ok};

/// The exact count after a label: `tokens in:  about 7.4k (7,384, counted ...`.
fn count(stdout: &str, label: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{stdout}"));
    let inner = line.split_once('(').unwrap().1;
    let n: String = inner
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    n.parse().unwrap_or_else(|_| panic!("{line}"))
}

fn cost(stdout: &str) -> f64 {
    let line = stdout.lines().find(|l| l.starts_with("cost:")).unwrap();
    line.split_once("~$")
        .unwrap()
        .1
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn priced(p: &Project) {
    let toml = format!(
        "{}\n[prices.\"gpt-4o-mini\"]\ninput = 0.15\noutput = 0.60\n",
        p.read("willai.toml")
    );
    p.write("willai.toml", &toml);
}

#[test]
fn a_dry_run_counts_tokens_with_the_models_tokenizer_and_prices_them() {
    let p = Project::new();
    priced(&p);
    let server = FakeServer::start();
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "--all",
            "--dry-run",
            "--model",
            "gpt-4o-mini",
        ]),
        0,
    );
    assert_eq!(server.requests(), 0, "a dry run sends nothing");
    assert!(
        r.stdout
            .contains("dry run: 9 prompt(s), 0 cached, 9 would be sent; nothing was sent"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("counted with o200k_base, gpt-4o-mini's tokenizer"),
        "{}",
        r.stdout
    );
    let tokens_in = count(&r.stdout, "tokens in:");
    // The same prompts, about a token per four bytes.
    let bytes = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--dry-run"]),
        0,
    );
    assert!(
        bytes
            .stdout
            .contains("bytes / 4: no tokenizer is known for \"test-model\""),
        "{}",
        bytes.stdout
    );
    let by_bytes = count(&bytes.stdout, "tokens in:");
    assert!(
        tokens_in < by_bytes && tokens_in * 2 > by_bytes,
        "o200k_base counts {tokens_in}, bytes / 4 gives {by_bytes}"
    );
    // Nothing cached: at most max_tokens (600) for each of the 9 answers.
    assert_eq!(count(&r.stdout, "tokens out:"), 9 * 600, "{}", r.stdout);
    assert!(
        r.stdout.contains("at most: max_tokens (600) per answer"),
        "{}",
        r.stdout
    );
    let expected = (tokens_in as f64 * 0.15 + 5400.0 * 0.60) / 1e6;
    assert!(
        (cost(&r.stdout) - expected).abs() < 1e-4,
        "{}: {expected}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("at gpt-4o-mini's [prices] ($0.15 in, $0.6 out per 1M tokens)"),
        "{}",
        r.stdout
    );
    // test-model is priced in the fixture's willai.toml; another model is not.
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--dry-run", "--model", "gpt-4o"]),
        0,
    );
    assert!(
        r.stdout
            .contains("cost:       unknown: no price for \"gpt-4o\" in willai.toml [prices]"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_answers_are_estimated_from_past_usage_in_the_cache() {
    let p = Project::new();
    let server = FakeServer::start();
    // ML Engineer drafted: its answers are in the cache, with their usage.
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer"]),
        0,
    );
    let mut used = Vec::new();
    for f in p.cache_files() {
        let e: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        if e["ask"] == "task_exposure" {
            used.push(e["usage"]["completion_tokens"].as_u64().unwrap());
        }
    }
    assert_eq!(used.len(), 3);
    let average = used.iter().sum::<u64>() as f64 / used.len() as f64;
    // Widget makers' four tasks (and its skills) would be sent: their answers are
    // estimated from ML Engineer's task answers (the skills' from its skills answer).
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--dry-run"]),
        0,
    );
    assert!(
        r.stdout
            .contains("as long as 4 cached answer(s) of test-model on average"),
        "{}",
        r.stdout
    );
    let out = count(&r.stdout, "tokens out:");
    assert!(out as f64 > 4.0 * average, "{out} vs {average}");
    assert!(out < 5 * 600, "{}", r.stdout);
    // Everything cached: nothing to send, no cost.
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "ml-engineer",
            "--redraft",
            "--dry-run",
        ]),
        0,
    );
    assert!(
        r.stdout.contains("4 cached, 0 would be sent")
            && r.stdout
                .contains("estimate: nothing would be sent: no tokens, $0"),
        "{}",
        r.stdout
    );
}

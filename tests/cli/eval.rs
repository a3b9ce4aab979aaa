//! `willai eval`: agreement between two sets of exposure labels, on the small fixtures
//! of `tests/fixtures/eval/` whose expectations were worked out by hand (each test says
//! how), on a 200-row slice of the real GPTs-are-GPTs labels (checked against an
//! independent computation, `tests/fixtures/eval/expected.py`), and on a project's
//! records; plus `--overrides`, the editors' yardstick.
//!
//! Labels map E0 = LOW, E1 = HIGH, E2 = MEDIUM (the default). Scores: alpha (HIGH = 1),
//! beta (HIGH = 1, MEDIUM = 0.5), gamma (HIGH or MEDIUM = 1). Quadratic kappa weights
//! are (i - j)^2 on the ranks LOW = 0, MEDIUM = 1, HIGH = 2.

use std::fs;

use serde_json::{Value, json};

use crate::util::{Project, Ran, repo, run_ok};

// A project (fixture catalog, no records) with the named eval fixtures copied into its
// root, so commands name them by relative paths and the output does not depend on
// where the repository lives.
fn with_fixtures(names: &[&str]) -> Project {
    let p = Project::new();
    for name in names {
        fs::copy(repo().join("tests/fixtures/eval").join(name), p.path(name)).unwrap();
    }
    p
}

fn eval(p: &Project, args: &[&str], code: i32) -> Ran {
    run_ok(p.willai().arg("eval").args(args), code)
}

fn eval_json(p: &Project, args: &[&str]) -> Value {
    let r = eval(p, &[args, &["--json"]].concat(), 0);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}", r.stdout))
}

const SMALL: [&str; 8] = [
    "--gold",
    "small.tsv",
    "--gold-column",
    "human",
    "--predicted",
    "small.tsv",
    "--predicted-column",
    "model",
];

// small.tsv: 11 rows in 3 occupations; task 303 has no human label (gold: 10 tasks, 1
// unlabelled; predicted: 11, so 1 predicted only). Pairs (gold, predicted):
//   11-1011.00: 101 LL (Core), 102 LL (Core), 103 MM (Supp), 104 HH (Core)
//   15-1252.00: 201 LM (Core), 202 ML (Core), 203 MH (no type), 204 HL (Supp)
//   43-9021.00: 301 LM (Core), 302 MM (Supp)
// Confusion rows gold L M H = [2 2 0], [1 2 1], [1 0 1]; cols L M H = 4 4 2; agreed 5.
// kappa = (n*agreed - sum r_k c_k) / (n^2 - sum r_k c_k) = (50 - 36) / (100 - 36)
//   = 14/64 = 0.21875 -> 0.2188.
// quadratic: observed sum w O = LM 2*1 + ML 1 + MH 1 + HL 4 = 8; expected
//   sum w r_i c_j = 2*(1*4*4) + 2*(4*4*2) + 2*(1*4*2) = 32 + 64 + 16 = 112;
//   1 - n * 8 / 112 = 1 - 80/112 = 0.285714 -> 0.2857.
// alpha: gold H at 104, 204; predicted H at 104, 203: means 0.2; equal on 8 of 10;
//   r = (sum xy - n mx my) / sqrt(...) = (1 - 0.4) / (2 - 0.4) = 0.375.
// beta: both sum 4 (mean 0.4); equal on 5; sum xy = .25 + 1 + .5 + .25 = 2;
//   sxy = 2 - 1.6 = .4; sxx = syy = 3 - 1.6 = 1.4; r = .4/1.4 = 0.2857.
// gamma: 6 of 10 non-LOW each side (mean 0.6); differ at 201, 202, 204, 301: 0.6;
//   sum xy = 4; sxy = 4 - 3.6 = .4; sxx = syy = 6 - 3.6 = 2.4; r = 1/6 = 0.1667.
// Occupations, equal weights: mean beta gold (.375, .5, .25), predicted (.375, .375,
//   .5); deviations gold (0, .125, -.125), predicted (-1/24, -1/24, 1/12);
//   sxy = -1/192 - 1/96 = -1/64, sxx = 1/32, syy = 1/96; r = -(1/64)/sqrt(1/3072)
//   = -sqrt(3)/2 = -0.8660.
// Core x2: gold (2.5/7, 2.5/6, .5/3), predicted (2.5/7, 2/6, 1.5/3); with exact
//   fractions sxy = -31/1323, sxx = 361/10584, syy = 43/2646; r = -0.9953.
// By occupation, lowest agreement first: 15-1252.00 (0/4), 43-9021.00 (1/2),
//   11-1011.00 (4/4).
#[test]
fn the_json_shape_on_a_worked_example() {
    let p = with_fixtures(&["small.tsv"]);
    let r = eval(
        &p,
        &[&SMALL[..], &["--json", "--by-occupation"]].concat(),
        0,
    );
    assert_eq!(
        r.stdout,
        r#"{
  "gold": {
    "source": "file",
    "file": "small.tsv",
    "column": "human",
    "level": null,
    "tasks": 10,
    "unlabelled": 1
  },
  "predicted": {
    "source": "file",
    "file": "small.tsv",
    "column": "model",
    "level": null,
    "tasks": 11,
    "unlabelled": 0
  },
  "map": "E0=LOW,E1=HIGH,E2=MEDIUM",
  "matched": 10,
  "gold_only": 0,
  "predicted_only": 1,
  "agreed": 5,
  "exact_agreement": 0.5,
  "kappa": 0.2188,
  "quadratic_kappa": 0.2857,
  "confusion": {
    "HIGH": {
      "HIGH": 1,
      "MEDIUM": 0,
      "LOW": 1
    },
    "MEDIUM": {
      "HIGH": 1,
      "MEDIUM": 2,
      "LOW": 1
    },
    "LOW": {
      "HIGH": 0,
      "MEDIUM": 2,
      "LOW": 2
    }
  },
  "scores": {
    "alpha": {
      "gold_mean": 0.2,
      "predicted_mean": 0.2,
      "agreement": 0.8,
      "pearson": 0.375
    },
    "beta": {
      "gold_mean": 0.4,
      "predicted_mean": 0.4,
      "agreement": 0.5,
      "pearson": 0.2857
    },
    "gamma": {
      "gold_mean": 0.6,
      "predicted_mean": 0.6,
      "agreement": 0.6,
      "pearson": 0.1667
    }
  },
  "occupations": {
    "count": 3,
    "tasks_without_soc": 0,
    "beta_pearson": -0.866,
    "beta_pearson_core_weighted": -0.9953
  },
  "by_occupation": [
    {
      "soc": "15-1252.00",
      "title": "Beta Developers",
      "matched": 4,
      "agreed": 0,
      "exact_agreement": 0.0,
      "mean_beta_gold": 0.5,
      "mean_beta_predicted": 0.375
    },
    {
      "soc": "43-9021.00",
      "title": "Gamma Clerks",
      "matched": 2,
      "agreed": 1,
      "exact_agreement": 0.5,
      "mean_beta_gold": 0.25,
      "mean_beta_predicted": 0.5
    },
    {
      "soc": "11-1011.00",
      "title": "Alpha Officers",
      "matched": 4,
      "agreed": 4,
      "exact_agreement": 1.0,
      "mean_beta_gold": 0.375,
      "mean_beta_predicted": 0.375
    }
  ],
  "confidence_bands": null
}
"#
    );
    // Without --by-occupation the field is still there, null.
    let v = eval_json(&p, &SMALL);
    assert_eq!(v["by_occupation"], Value::Null);
    // Deterministic: the same bytes twice.
    let again = eval(
        &p,
        &[&SMALL[..], &["--json", "--by-occupation"]].concat(),
        0,
    );
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn the_table_on_the_worked_example() {
    let p = with_fixtures(&["small.tsv"]);
    let r = eval(&p, &[&SMALL[..], &["--by-occupation"]].concat(), 0);
    let out = &r.stdout;
    for line in [
        "gold:       small.tsv, column human (10 tasks, 1 row without a label)",
        "predicted:  small.tsv, column model (11 tasks)",
        "tasks matched         10",
        "predicted only         1",
        "exact agreement   0.5000  (5 of 10)",
        "Cohen's kappa     0.2188",
        "weighted kappa    0.2857  (quadratic weights; LOW < MEDIUM < HIGH)",
        "              HIGH  MEDIUM     LOW   total",
        "HIGH             1       0       1       2",
        "MEDIUM           1       2       1       4",
        "LOW              0       2       2       4",
        "total            2       4       4      10",
        "alpha      0.2000          0.2000     0.8000   0.3750",
        "gamma      0.6000          0.6000     0.6000   0.1667",
        "occupations (by O*NET-SOC code): 3",
        "mean beta, pearson, every task weighted equally  -0.8660",
        "mean beta, pearson, Core tasks counting double   -0.9953",
        "15-1252.00       4     0.0000     0.5000          0.3750  Beta Developers",
    ] {
        assert!(
            out.contains(&format!("{line}\n")),
            "no line {line:?} in\n{out}"
        );
    }
    let order: Vec<usize> = ["15-1252.00  ", "43-9021.00  ", "11-1011.00  "]
        .iter()
        .map(|soc| out.find(soc).unwrap())
        .collect();
    assert!(order.is_sorted(), "{out}");
}

// The same column on both sides: every statistic is perfect.
#[test]
fn a_perfect_match() {
    let p = with_fixtures(&["small.tsv"]);
    let v = eval_json(
        &p,
        &[
            "--gold",
            "small.tsv",
            "--gold-column",
            "human",
            "--predicted",
            "small.tsv",
            "--predicted-column",
            "human",
        ],
    );
    assert_eq!(v["matched"], 10);
    assert_eq!(v["exact_agreement"], 1.0);
    assert_eq!(v["kappa"], 1.0);
    assert_eq!(v["quadratic_kappa"], 1.0);
    for score in ["alpha", "beta", "gamma"] {
        assert_eq!(v["scores"][score]["pearson"], 1.0, "{score}");
        assert_eq!(v["scores"][score]["agreement"], 1.0, "{score}");
    }
    assert_eq!(v["occupations"]["beta_pearson"], 1.0);
    assert_eq!(v["occupations"]["beta_pearson_core_weighted"], 1.0);
}

// negative-gold.csv (CSV, levels named directly, no SOC) against
// negative-predicted.tsv. Gold ids 1-7, predicted 1-5 and 8: 5 matched, 2 gold only
// (6, 7), 1 predicted only (8). Pairs: 1 HL, 2 ML, 3 LM, 4 LH, 5 MM.
// po = 1/5; marginals L M H: gold 2 2 1, predicted 2 2 1; chance = 4 + 4 + 1 = 9;
// kappa = (5*1 - 9) / (25 - 9) = -4/16 = -0.25.
// quadratic: observed HL 4 + ML 1 + LM 1 + LH 4 = 10; expected 2*(1*2*2) + 2*(4*2*1)
// + 2*(1*2*1) = 28; 1 - 5*10/28 = -0.7857.
// alpha: gold (1 0 0 0 0), predicted (0 0 0 1 0): equal on 3 of 5 (0.6); sxy = 0 -
// 5*.04 = -.2, sxx = syy = 1 - .2 = .8; r = -0.25.
// beta: equal on 1 (0.2); r = -.55/.7 = -0.7857 (see the unit test).
// gamma: gold (1 1 0 0 1), predicted (0 0 1 1 1): equal on 1 (0.2); sxy = 1 - 5*.36
// = -.8, sxx = syy = 3 - 1.8 = 1.2; r = -0.6667.
#[test]
fn a_negative_kappa_and_unmatched_ids_on_both_sides() {
    let p = with_fixtures(&["negative-gold.csv", "negative-predicted.tsv"]);
    let args = [
        "--gold",
        "negative-gold.csv",
        "--gold-column",
        "label",
        "--predicted",
        "negative-predicted.tsv",
        "--predicted-column",
        "predicted",
    ];
    let v = eval_json(&p, &args);
    assert_eq!(
        (&v["matched"], &v["gold_only"], &v["predicted_only"]),
        (&json!(5), &json!(2), &json!(1))
    );
    assert_eq!(v["exact_agreement"], 0.2);
    assert_eq!(v["kappa"], -0.25);
    assert_eq!(v["quadratic_kappa"], -0.7857);
    assert_eq!(
        v["scores"]["alpha"],
        json!({"gold_mean": 0.2, "predicted_mean": 0.2, "agreement": 0.6, "pearson": -0.25})
    );
    assert_eq!(v["scores"]["beta"]["pearson"], -0.7857);
    assert_eq!(
        v["scores"]["gamma"],
        json!({"gold_mean": 0.6, "predicted_mean": 0.6, "agreement": 0.2, "pearson": -0.6667})
    );
    // No O*NET-SOC Code on either side: no occupation statistics.
    assert_eq!(
        v["occupations"],
        json!({"count": 0, "tasks_without_soc": 5, "beta_pearson": null, "beta_pearson_core_weighted": null})
    );
    let r = eval(&p, &args, 0);
    assert!(
        r.stdout.contains("Cohen's kappa    -0.2500\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("undefined (no O*NET-SOC Code: neither side names the occupations)"),
        "{}",
        r.stdout
    );
}

// constant.tsv: gold E0 E0 E0, predicted E0 E0 E1, one occupation.
// Gold vs predicted: po = 2/3; rows L 3, cols L 2 H 1; chance = 6;
// kappa = (3*2 - 6) / (9 - 6) = 0; quadratic 1 - 3*4 / (4*3*1) = 0; Pearson has a
// constant gold side. Gold vs itself: chance = 9 = n^2, so kappa is undefined.
#[test]
fn constant_columns_make_undefined_statistics_not_nan() {
    let p = with_fixtures(&["constant.tsv"]);
    let base = [
        "--gold",
        "constant.tsv",
        "--gold-column",
        "gold",
        "--predicted",
        "constant.tsv",
    ];
    let v = eval_json(
        &p,
        &[&base[..], &["--predicted-column", "predicted"]].concat(),
    );
    assert_eq!(v["kappa"], 0.0);
    assert_eq!(v["quadratic_kappa"], 0.0);
    assert_eq!(v["exact_agreement"], 0.6667);
    for score in ["alpha", "beta", "gamma"] {
        assert_eq!(v["scores"][score]["pearson"], Value::Null, "{score}");
    }
    assert_eq!(v["scores"]["beta"]["predicted_mean"], 0.3333);
    assert_eq!(v["occupations"]["beta_pearson"], Value::Null);
    let r = eval(
        &p,
        &[&base[..], &["--predicted-column", "predicted"]].concat(),
        0,
    );
    assert!(
        r.stdout.contains("undefined (the gold side is constant)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("undefined (fewer than 2 occupations)"),
        "{}",
        r.stdout
    );

    let v = eval_json(&p, &[&base[..], &["--predicted-column", "gold"]].concat());
    assert_eq!(v["exact_agreement"], 1.0);
    assert_eq!(v["kappa"], Value::Null);
    assert_eq!(v["quadratic_kappa"], Value::Null);
    let r = eval(
        &p,
        &[&base[..], &["--predicted-column", "gold"]].concat(),
        0,
    );
    assert!(
        r.stdout
            .contains("Cohen's kappa    undefined (expected agreement is 1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("undefined (both sides are constant)"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("NaN") && !r.stdout.contains("nan"),
        "{}",
        r.stdout
    );
}

#[test]
fn nothing_matched_is_a_report_not_an_error() {
    let p = with_fixtures(&["constant.tsv", "small.tsv"]);
    let args = [
        "--gold",
        "constant.tsv",
        "--gold-column",
        "gold",
        "--predicted",
        "small.tsv",
        "--predicted-column",
        "model",
    ];
    let v = eval_json(&p, &args);
    assert_eq!((&v["matched"], &v["gold_only"]), (&json!(0), &json!(3)));
    assert_eq!(v["kappa"], Value::Null);
    assert_eq!(v["scores"]["beta"]["gold_mean"], Value::Null);
    let r = eval(&p, &args, 0);
    assert!(
        r.stdout
            .contains("no Task ID is on both sides: every statistic is undefined"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unmapped_label_names_the_label_the_file_and_the_line() {
    // Line 5, not record 3: the row before it spans two lines (a quoted newline).
    let p = with_fixtures(&["unmapped.tsv"]);
    let r = eval(
        &p,
        &[
            "--gold",
            "unmapped.tsv",
            "--gold-column",
            "label",
            "--predicted",
            "unmapped.tsv",
            "--predicted-column",
            "label",
        ],
        2,
    );
    assert!(
        r.stderr.contains(
            "unmapped.tsv:5: label \"E3\" in column \"label\" is not in --map E0=LOW,E1=HIGH,E2=MEDIUM: add it, e.g. --map E0=LOW,E1=HIGH,E2=MEDIUM,E3=LOW"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    // Mapped, it is fine.
    let v = eval_json(
        &p,
        &[
            "--gold",
            "unmapped.tsv",
            "--gold-column",
            "label",
            "--predicted",
            "unmapped.tsv",
            "--predicted-column",
            "label",
            "--map",
            "E0=LOW,E1=HIGH,E2=MEDIUM,E3=HIGH",
        ],
    );
    assert_eq!(v["confusion"]["HIGH"]["HIGH"], 2);
    assert_eq!(v["map"], "E0=LOW,E1=HIGH,E2=MEDIUM,E3=HIGH");
}

#[test]
fn input_and_usage_errors_exit_2_and_io_errors_exit_1() {
    let p = with_fixtures(&["small.tsv"]);
    // A missing column names the file and the columns it has.
    let r = eval(
        &p,
        &[
            "--gold",
            "small.tsv",
            "--gold-column",
            "gpt4",
            "--predicted",
            "small.tsv",
            "--predicted-column",
            "model",
        ],
        2,
    );
    assert!(
        r.stderr.contains(
            "small.tsv has no column \"gpt4\" (the label column); its columns are \"\", \"O*NET-SOC Code\", \"Task ID\", \"Task\", \"Task Type\", \"Title\", \"human\", \"model\": name one of them with --gold-column"
        ),
        "{}",
        r.stderr
    );
    // A malformed --map.
    let r = eval(
        &p,
        &[
            "--gold",
            "small.tsv",
            "--gold-column",
            "human",
            "--map",
            "E0=LOW,E1",
        ],
        2,
    );
    assert!(
        r.stderr.contains("--map \"E0=LOW,E1\": \"E1\" has no `=`"),
        "{}",
        r.stderr
    );
    // A file without a Task ID column; a duplicate Task ID; a bad Task ID.
    p.write("no-id.csv", "id,label\n1,E0\n");
    let r = eval(
        &p,
        &[
            "--gold",
            "no-id.csv",
            "--gold-column",
            "label",
            "--predicted",
            "no-id.csv",
            "--predicted-column",
            "label",
        ],
        2,
    );
    assert!(
        r.stderr.contains("no-id.csv has no column \"Task ID\" (tasks are matched by O*NET Task ID); its columns are \"id\", \"label\""),
        "{}",
        r.stderr
    );
    p.write("dup.csv", "Task ID,label\n7.0,E0\n8,E1\n7,E2\n");
    let r = eval(
        &p,
        &[
            "--gold",
            "dup.csv",
            "--gold-column",
            "label",
            "--predicted",
            "dup.csv",
            "--predicted-column",
            "label",
        ],
        2,
    );
    assert!(
        r.stderr.contains(
            "dup.csv:4: Task ID 7 appears again (first on line 2): keep one row per task"
        ),
        "{}",
        r.stderr
    );
    p.write("bad-id.csv", "Task ID,label\n7.5,E0\n");
    let r = eval(
        &p,
        &[
            "--gold",
            "bad-id.csv",
            "--gold-column",
            "label",
            "--predicted",
            "bad-id.csv",
            "--predicted-column",
            "label",
        ],
        2,
    );
    assert!(
        r.stderr
            .contains("bad-id.csv:2: Task ID \"7.5\" is not a task number"),
        "{}",
        r.stderr
    );
    // --predicted needs its column.
    eval(&p, &["--gold", "small.tsv", "--predicted", "small.tsv"], 2);
    // A file that is not there is an I/O error.
    let r = eval(
        &p,
        &[
            "--gold",
            "missing.tsv",
            "--predicted",
            "small.tsv",
            "--predicted-column",
            "model",
        ],
        1,
    );
    assert!(r.stderr.contains("cannot read missing.tsv"), "{}", r.stderr);
}

// The first 200 rows of full_labelset.tsv (openai/GPTs-are-GPTs), human labels
// against GPT-4's. Every constant below was computed independently by
// `python3 tests/fixtures/eval/expected.py tests/fixtures/eval/labelset-slice.tsv
// human_exposure_agg gpt4_exposure` (standard library only, exact fractions), which
// also checks that GPT-4's mean beta (0.48) equals the mean of the file's own `beta`
// column. The slice holds a quoted task statement (row 87: `""head counts""`).
#[test]
fn a_slice_of_the_real_labels_matches_an_independent_computation() {
    let p = with_fixtures(&["labelset-slice.tsv"]);
    let v = eval_json(
        &p,
        &[
            "--gold",
            "labelset-slice.tsv",
            "--predicted",
            "labelset-slice.tsv",
            "--predicted-column",
            "gpt4_exposure",
            "--by-occupation",
        ],
    );
    assert_eq!(v["gold"]["column"], "human_exposure_agg");
    assert_eq!(
        (
            &v["matched"],
            &v["agreed"],
            &v["gold_only"],
            &v["predicted_only"]
        ),
        (&json!(200), &json!(119), &json!(0), &json!(0))
    );
    assert_eq!(v["exact_agreement"], 0.595);
    assert_eq!(v["kappa"], 0.1662);
    assert_eq!(v["quadratic_kappa"], 0.2137);
    assert_eq!(
        v["confusion"],
        json!({
            "HIGH": {"HIGH": 3, "MEDIUM": 32, "LOW": 3},
            "MEDIUM": {"HIGH": 9, "MEDIUM": 102, "LOW": 4},
            "LOW": {"HIGH": 1, "MEDIUM": 32, "LOW": 14}
        })
    );
    assert_eq!(
        v["scores"],
        json!({
            "alpha": {"gold_mean": 0.19, "predicted_mean": 0.065, "agreement": 0.775, "pearson": 0.0274},
            "beta": {"gold_mean": 0.4775, "predicted_mean": 0.48, "agreement": 0.595, "pearson": 0.2368},
            "gamma": {"gold_mean": 0.765, "predicted_mean": 0.895, "agreement": 0.8, "pearson": 0.3487}
        })
    );
    assert_eq!(
        v["occupations"],
        json!({"count": 10, "tasks_without_soc": 0, "beta_pearson": 0.1154, "beta_pearson_core_weighted": 0.0724})
    );
    let by = v["by_occupation"].as_array().unwrap();
    assert_eq!(by.len(), 10);
    assert_eq!(
        by[0],
        json!({
            "soc": "11-2032.00", "title": "Public Relations Managers", "matched": 20,
            "agreed": 9, "exact_agreement": 0.45, "mean_beta_gold": 0.575,
            "mean_beta_predicted": 0.55
        })
    );
}

// A project whose catalog has O*NET task ids (tests/fixtures/eval/project: Eval Clerks,
// 43-9021.00, tasks 301-304 and 999, plus one task without an id) and a record of
// machine drafts: 301 LOW, 302 MEDIUM, 303 HIGH, 999 HIGH; 304 is not drafted; the
// task without an id has text an editor wrote (no machine provenance).
fn records_project() -> Project {
    let p = with_fixtures(&["records-gold.tsv"]);
    for rel in [
        "data/catalog/eval-clerks.json",
        "data/records/eval-clerks.json",
    ] {
        p.write(
            rel,
            &fs::read_to_string(repo().join("tests/fixtures/eval/project").join(rel)).unwrap(),
        );
    }
    p
}

fn approve(p: &Project, tasks: &[&str]) {
    let mut args = vec![
        "approve",
        "-p",
        "eval-clerks",
        "--reviewer",
        "Ann Editor",
        "--date",
        "2026-11-20",
        "--force",
    ];
    for t in tasks {
        args.extend(["--task", t]);
    }
    run_ok(p.willai().args(&args), 0);
}

fn set_task_field(p: &Project, task: usize, field: &str, value: &str) {
    let mut rec = p.record("eval-clerks");
    rec["tasks"][task][field] = json!(value);
    p.write(
        "data/records/eval-clerks.json",
        &serde_json::to_string_pretty(&rec).unwrap(),
    );
}

// Gold (records-gold.tsv): 301 LOW, 302 MEDIUM, 303 MEDIUM, 305 HIGH.
// Machine levels: 301 LOW, 302 MEDIUM, 303 HIGH, 999 HIGH: 3 matched (agreed 2), 1
// gold only (305), 1 predicted only (999), 1 O*NET task without a level (304).
// kappa: rows L 1 M 2, cols L 1 M 1 H 1; chance = 1 + 2 = 3; (3*2 - 3)/(9 - 3) = 0.5.
// quadratic: observed 1 (M,H); expected LM 1 + LH 4 + ML 2 + MH 2 = 9; 1 - 3/9 = 0.6667.
// The editor then approves 301, 303 (changed to MEDIUM), 999 and the task without an
// id; with --approved: 301 LOW and 303 MEDIUM match (both agree: kappa 1), 302 and 305
// are gold only, 999 predicted only, 302 and 304 have no approved level.
#[test]
fn records_as_predictions_machine_and_approved() {
    let p = records_project();
    let gold = ["--gold", "records-gold.tsv", "--gold-column", "human"];
    let v = eval_json(&p, &[&gold[..], &["--by-occupation"]].concat());
    assert_eq!(
        v["predicted"],
        json!({"source": "records", "file": null, "column": null, "level": "machine", "tasks": 4, "unlabelled": 1})
    );
    assert_eq!(
        (
            &v["matched"],
            &v["agreed"],
            &v["gold_only"],
            &v["predicted_only"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(v["kappa"], 0.5);
    assert_eq!(v["quadratic_kappa"], 0.6667);
    // The occupation is the catalog's, and so is the title.
    assert_eq!(
        v["by_occupation"],
        json!([{"soc": "43-9021.00", "title": "Data Entry Keyers", "matched": 3, "agreed": 2,
                "exact_agreement": 0.6667, "mean_beta_gold": 0.3333, "mean_beta_predicted": 0.5}])
    );
    // Nothing approved yet.
    let v = eval_json(&p, &[&gold[..], &["--approved"]].concat());
    assert_eq!(
        (&v["matched"], &v["predicted"]["tasks"]),
        (&json!(0), &json!(0))
    );

    set_task_field(&p, 2, "level", "MEDIUM");
    approve(
        &p,
        &[
            "read-documents",
            "check-entries",
            "store-documents",
            "greet-visitors",
        ],
    );
    let v = eval_json(&p, &[&gold[..], &["--approved"]].concat());
    assert_eq!(v["predicted"]["level"], "approved");
    assert_eq!(
        (
            &v["matched"],
            &v["agreed"],
            &v["gold_only"],
            &v["predicted_only"],
            &v["predicted"]["unlabelled"]
        ),
        (&json!(2), &json!(2), &json!(2), &json!(1), &json!(2))
    );
    assert_eq!(v["kappa"], 1.0);
    // The machine's level did not change.
    assert_eq!(eval_json(&p, &gold)["agreed"], 2);
    let r = eval(&p, &[&gold[..], &["--approved"]].concat(), 0);
    assert!(
        r.stdout.starts_with("gold:       records-gold.tsv, column human (4 tasks)\npredicted:  records, approved level (3 tasks, 2 O*NET tasks without a level)\n"),
        "{}",
        r.stdout
    );

    // Edited after approval: left out, with a note.
    set_task_field(&p, 0, "rationale", "Changed after approval.");
    let r = eval(&p, &[&gold[..], &["--approved", "--json"]].concat(), 0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["matched"], 1);
    assert!(
        r.stderr
            .contains("1 approved task(s) were edited after approval and are left out"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_o_net_task_id_on_two_catalog_tasks_is_refused() {
    let p = records_project();
    let catalog = p
        .read("data/catalog/eval-clerks.json")
        .replace("\"eval-clerks\"", "\"eval-keyers\"")
        .replace("\"Eval Clerks\"", "\"Eval Keyers\"");
    p.write("data/catalog/eval-keyers.json", &catalog);
    let r = eval(
        &p,
        &["--gold", "records-gold.tsv", "--gold-column", "human"],
        2,
    );
    assert!(
        r.all().contains(
            "O*NET Task ID 301 is in two catalog tasks (eval-clerks/read-documents and eval-keyers/read-documents)"
        ),
        "{}",
        r.all()
    );
}

#[test]
fn records_without_onet_ids_predict_nothing_and_say_so() {
    let p = with_fixtures(&["records-gold.tsv"]);
    let r = eval(
        &p,
        &["--gold", "records-gold.tsv", "--gold-column", "human"],
        0,
    );
    assert!(
        r.stderr.contains("no catalog task has an O*NET Task ID"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("tasks matched          0"),
        "{}",
        r.stdout
    );
}

// After the editor approves 301 (LOW kept), 303 (HIGH changed to MEDIUM), 999 (HIGH
// kept) and the task without machine provenance: 3 approved from a machine draft, 1
// changed; HIGH drafts 2 approved, 1 changed to MEDIUM; LOW drafts 1, none changed.
#[test]
fn overrides_count_how_often_editors_changed_the_level() {
    let p = records_project();
    set_task_field(&p, 2, "level", "MEDIUM");
    approve(
        &p,
        &[
            "read-documents",
            "check-entries",
            "store-documents",
            "greet-visitors",
        ],
    );
    let r = eval(&p, &["--overrides"], 0);
    assert_eq!(
        r.stdout,
        "editors' overrides: approved tasks whose level differs from the machine's draft\n\
         approved from a machine draft: 3, changed 1 (33.3%)\n  \
         HIGH drafts: 2 approved, 1 changed (50.0%): 1 to MEDIUM\n  \
         MEDIUM drafts: 0 approved\n  \
         LOW drafts: 1 approved, 0 changed (0.0%)\n\
         approved without machine provenance (written or imported by people, not counted): 1\n"
    );
    let v = eval_json(&p, &["--overrides"]);
    assert_eq!(
        v,
        json!({
            "approved": 3, "changed": 1, "changed_rate": 0.3333,
            "by_machine_level": [
                {"machine_level": "HIGH", "approved": 2, "changed": 1, "changed_rate": 0.5,
                 "approved_as": {"HIGH": 1, "MEDIUM": 1, "LOW": 0}},
                {"machine_level": "MEDIUM", "approved": 0, "changed": 0, "changed_rate": null,
                 "approved_as": {"HIGH": 0, "MEDIUM": 0, "LOW": 0}},
                {"machine_level": "LOW", "approved": 1, "changed": 0, "changed_rate": 0.0,
                 "approved_as": {"HIGH": 0, "MEDIUM": 0, "LOW": 1}}
            ],
            "without_provenance": 1, "edited_after_approval": 0
        })
    );
    // An approval edited afterwards is counted apart.
    set_task_field(&p, 0, "rationale", "Changed after approval.");
    let v = eval_json(&p, &["--overrides"]);
    assert_eq!(
        (&v["approved"], &v["edited_after_approval"]),
        (&json!(2), &json!(1))
    );
    // --overrides takes no gold file.
    eval(&p, &["--overrides", "--gold", "records-gold.tsv"], 2);
}

// Agreement by the machine's confidence (a made-up Band Clerks, tasks 401-410):
//
//   task  confidence  machine  gold    agrees   band
//   401   0.30        HIGH     LOW     no       below 0.5
//   402   0.45        MEDIUM   MEDIUM  yes      below 0.5
//   403   0.50        LOW      MEDIUM  no       0.5-0.7 (0.5 belongs to the band above)
//   404   0.65        HIGH     HIGH    yes      0.5-0.7
//   405   0.69        MEDIUM   LOW     no       0.5-0.7
//   406   0.70        LOW      LOW     yes      0.7-0.9
//   407   0.85        HIGH     MEDIUM  no       0.7-0.9
//   408   0.90        HIGH     HIGH    yes      0.9 and above
//   409   0.99        LOW      LOW     yes      0.9 and above
//   410   (none)      MEDIUM   HIGH    no       without confidence
//
// 10 matched, 5 disagreements (401, 403, 405, 407, 410). Per band: matched 2/3/2/2,
// agreed 1/1/1/2, agreement .5/.3333/.5/1, disagreed 1/2/1/0, share of the 5
// disagreements .2/.4/.2/0; cumulative share of the 10 tasks .2/.5/.7/.9, of the
// disagreements .2/.6/.8/.8; 410 (1 matched, 0 agreed) is without confidence.
const BANDED: [(u64, Option<f64>, &str, &str); 10] = [
    (401, Some(0.30), "HIGH", "E0"),
    (402, Some(0.45), "MEDIUM", "E2"),
    (403, Some(0.50), "LOW", "E2"),
    (404, Some(0.65), "HIGH", "E1"),
    (405, Some(0.69), "MEDIUM", "E0"),
    (406, Some(0.70), "LOW", "E0"),
    (407, Some(0.85), "HIGH", "E2"),
    (408, Some(0.90), "HIGH", "E1"),
    (409, Some(0.99), "LOW", "E0"),
    (410, None, "MEDIUM", "E1"),
];

fn banded_project() -> Project {
    let p = Project::new();
    let tasks: Vec<Value> = BANDED
        .iter()
        .map(|(id, ..)| json!({"id": format!("t{id}"), "text": format!("Task {id}"), "onet_task_id": id}))
        .collect();
    p.write(
        "data/catalog/band-clerks.json",
        &serde_json::to_string_pretty(&json!({
            "name": "Band Clerks", "slug": "band-clerks", "onet_soc": "43-9021.00",
            "tasks": tasks, "skills": []
        }))
        .unwrap(),
    );
    let entries: Vec<Value> = BANDED
        .iter()
        .map(|(id, confidence, level, _)| {
            let mut machine = json!({
                "model": "m", "template": "task.j2@0123456789ab", "input": "i",
                "cache_key": "k", "level": level, "rationale": "r"
            });
            if let Some(c) = confidence {
                machine["confidence"] = json!({"method": "logprobs", "value": c});
            }
            json!({"id": format!("t{id}"), "status": "draft", "level": level,
                   "rationale": "r", "machine": machine})
        })
        .collect();
    p.write(
        "data/records/band-clerks.json",
        &serde_json::to_string_pretty(&json!({"profession": "band-clerks", "tasks": entries}))
            .unwrap(),
    );
    let gold: String = BANDED
        .iter()
        .map(|(id, _, _, gold)| format!("{id}\t{gold}\n"))
        .collect();
    p.write("band-gold.tsv", &format!("Task ID\thuman\n{gold}"));
    p
}

#[test]
fn agreement_by_confidence_band_tells_whether_lowest_first_finds_the_wrong_levels() {
    let p = banded_project();
    let gold = ["--gold", "band-gold.tsv", "--gold-column", "human"];
    let v = eval_json(&p, &gold);
    assert_eq!((&v["matched"], &v["agreed"]), (&json!(10), &json!(5)));
    assert_eq!(
        v["confidence_bands"],
        json!({
            "with_confidence": 9,
            "bands": [
                {"band": "below 0.5", "from": 0.0, "to": 0.5, "matched": 2, "agreed": 1,
                 "exact_agreement": 0.5, "disagreed": 1, "share_of_disagreements": 0.2,
                 "cumulative_share_of_tasks": 0.2, "cumulative_share_of_disagreements": 0.2},
                {"band": "0.5-0.7", "from": 0.5, "to": 0.7, "matched": 3, "agreed": 1,
                 "exact_agreement": 0.3333, "disagreed": 2, "share_of_disagreements": 0.4,
                 "cumulative_share_of_tasks": 0.5, "cumulative_share_of_disagreements": 0.6},
                {"band": "0.7-0.9", "from": 0.7, "to": 0.9, "matched": 2, "agreed": 1,
                 "exact_agreement": 0.5, "disagreed": 1, "share_of_disagreements": 0.2,
                 "cumulative_share_of_tasks": 0.7, "cumulative_share_of_disagreements": 0.8},
                {"band": "0.9 and above", "from": 0.9, "to": null, "matched": 2, "agreed": 2,
                 "exact_agreement": 1.0, "disagreed": 0, "share_of_disagreements": 0.0,
                 "cumulative_share_of_tasks": 0.9, "cumulative_share_of_disagreements": 0.8}
            ],
            "without_confidence": {"matched": 1, "agreed": 0, "disagreed": 1}
        })
    );
    let r = eval(&p, &gold, 0);
    for line in [
        "by the machine's confidence (the review queue's order, lowest first)\n",
        "below 0.5           2     0.5000         1  0.2000     0.2000         0.2000\n",
        "0.5-0.7             3     0.3333         2  0.4000     0.5000         0.6000\n",
        "0.9 and above       2     1.0000         0  0.0000     0.9000         0.8000\n",
        "no confidence       1     0.0000         1   (last in the queue)\n",
        "below 0.7: 50.0% of the matched tasks hold 60.0% of the disagreements\n",
    ] {
        assert!(r.stdout.contains(line), "{line:?} in\n{}", r.stdout);
    }
}

#[test]
fn no_bands_without_confidence_or_from_a_file() {
    let p = records_project();
    let v = eval_json(
        &p,
        &["--gold", "records-gold.tsv", "--gold-column", "human"],
    );
    assert_eq!(v["matched"], 3);
    assert_eq!(v["confidence_bands"], Value::Null);
    let p = banded_project();
    let v = eval_json(
        &p,
        &[
            "--gold",
            "band-gold.tsv",
            "--gold-column",
            "human",
            "--predicted",
            "band-gold.tsv",
            "--predicted-column",
            "human",
        ],
    );
    assert_eq!(v["confidence_bands"], Value::Null);
    assert!(
        !eval(
            &p,
            &[
                "--gold",
                "band-gold.tsv",
                "--gold-column",
                "human",
                "--predicted",
                "band-gold.tsv",
                "--predicted-column",
                "human"
            ],
            0
        )
        .stdout
        .contains("by the machine's confidence")
    );
}

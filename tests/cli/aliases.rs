//! `willai import onet --alternate-titles FILE`: O*NET's alternate titles as aliases
//! (issue 23): what is added, what is left out because it could find another
//! profession, idempotence, a dry run, a file with the wrong header, and the aliases
//! reaching the site's search.

use std::collections::BTreeMap;

use crate::publish::{publish, site_project};
use crate::util::{Project, repo, run_ok};

fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/onet")
        .join(name)
        .display()
        .to_string()
}

fn aliases(p: &Project, slug: &str) -> Vec<String> {
    let occ: serde_json::Value =
        serde_json::from_str(&p.read(&format!("data/catalog/{slug}.json"))).unwrap();
    occ["aliases"]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Every catalog file, by name.
fn catalog(p: &Project) -> BTreeMap<String, String> {
    std::fs::read_dir(p.path("data/catalog"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn alternate_titles_become_aliases_unless_they_could_find_another_profession() {
    let p = Project::new();
    std::fs::remove_dir_all(p.path("data/catalog")).unwrap();
    let args = [
        "import",
        "onet",
        &fixture("slice.tsv"),
        "--alternate-titles",
        &fixture("alternate-titles.txt"),
    ];
    // A dry run says what it would do and writes nothing.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let r = run_ok(p.willai().args(&dry), 0);
    assert!(
        r.stdout
            .contains("dry run (nothing written): aliases: 9 added"),
        "{}",
        r.stdout
    );
    assert!(!p.exists("data/catalog/data-scientists.json"));
    let r = run_ok(p.willai().args(args), 0);
    assert!(
        r.stdout.contains("aliases: 9 added to 3 occupation(s), 1 already there, 3 left out (they could find another profession), 1 for O*NET-SOC codes not in the catalog; 1 bad row(s) skipped (13 rows read)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(":13: empty O*NET-SOC Code or Alternate Title"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("left out   \"Analyst\" (15-2051.00): O*NET gives it to proofreaders-and-copy-markers too"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "left out   \"Data Scientists\" (43-9081.00): it already names data-scientists"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        aliases(&p, "data-scientists"),
        [
            "Data Analytics Scientist",
            "Machine Learning Scientist (ML Scientist)",
            "ML Scientist",
            "Data Scientist"
        ]
    );
    // The short title too; whitespace runs made one space; a repeated title once.
    assert_eq!(
        aliases(&p, "paralegals-and-legal-assistants"),
        [
            "Paralegal",
            "Certified Paralegal (CP)",
            "CP",
            "Litigation Paralegal"
        ]
    );
    assert_eq!(
        aliases(&p, "proofreaders-and-copy-markers"),
        ["Copy Editor"]
    );
    // Every name still finds one profession.
    run_ok(p.willai().arg("schema"), 0);
    run_ok(p.willai().arg("validate"), 0);
    // Twice: nothing changes, and an editor's alias stays where it is.
    let rel = "data/catalog/proofreaders-and-copy-markers.json";
    p.write(
        rel,
        &p.read(rel)
            .replace("\"Copy Editor\"", "\"Copy Desk\", \"Copy Editor\""),
    );
    run_ok(p.willai().arg("fmt"), 0);
    let before = catalog(&p);
    let r = run_ok(p.willai().args(args), 0);
    assert!(
        r.stdout.contains("aliases: 0 added to 0 occupation(s)"),
        "{}",
        r.stdout
    );
    assert_eq!(catalog(&p), before);
    // The titles alone, on the catalog as it is.
    let r = run_ok(
        p.willai().args([
            "import",
            "onet",
            "--alternate-titles",
            &fixture("alternate-titles.txt"),
        ]),
        0,
    );
    assert!(r.stdout.contains("aliases: 0 added"), "{}", r.stdout);
    // --bad-rows refuse adds nothing when a row is bad.
    let r = run_ok(
        p.willai().args([
            "import",
            "onet",
            "--alternate-titles",
            &fixture("alternate-titles.txt"),
            "--bad-rows",
            "refuse",
        ]),
        1,
    );
    assert!(r.stderr.contains("no alias added"), "{}", r.stderr);
}

#[test]
fn a_file_without_the_alternate_title_column_is_refused() {
    let p = Project::new();
    p.write(
        "titles.txt",
        "O*NET-SOC Code\tTitle\tTask\n15-2051.00\tData Scientists\tx\n",
    );
    let before = catalog(&p);
    let r = run_ok(
        p.willai()
            .args(["import", "onet", "--alternate-titles"])
            .arg(p.path("titles.txt")),
        2,
    );
    assert!(r.stderr.contains("\"Alternate Title\""), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("it has \"O*NET-SOC Code\", \"Title\", \"Task\""),
        "{}",
        r.stderr
    );
    assert_eq!(catalog(&p), before);
    // Neither file: a usage error.
    run_ok(p.willai().args(["import", "onet"]), 2);
}

/// The aliases reach the site: the API and the search box's index.
#[test]
fn imported_aliases_are_found_by_the_search_box() {
    let p = site_project();
    run_ok(
        p.willai().args([
            "import",
            "onet",
            "--alternate-titles",
            &fixture("alternate-titles.txt"),
        ]),
        0,
    );
    let out = p.path("site");
    publish(&p, &out);
    let api: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("api/professions/paralegals-and-legal-assistants.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(api["aliases"][0], "Paralegal");
    let search: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("search.json")).unwrap()).unwrap();
    let para = search["professions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == "paralegals-and-legal-assistants")
        .unwrap();
    assert!(
        para[2]
            .as_str()
            .unwrap()
            .contains("Certified Paralegal (CP)|CP"),
        "{para}"
    );
    assert_eq!(para[3], "23-2011.00");
    assert_eq!(para[4], "Legal");
}

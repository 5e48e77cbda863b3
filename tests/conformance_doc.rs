//! docs/conformance.md stays honest: the counts its text states are the counts of its table,
//! every row has a known status, and every test a row names exists.

use std::collections::BTreeMap;

const DOC: &str = include_str!("../docs/conformance.md");

/// The rows of the "Ported" table: (our test, status).
fn ported_rows() -> Vec<(String, String)> {
    let start = DOC.find("## Ported").expect("a Ported section");
    let end = DOC.find("## Skipped").expect("a Skipped section");
    DOC[start..end]
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| Node test"))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            assert!(cells.len() >= 3, "a row with three cells: {line}");
            (cells[1].to_string(), cells[cells.len() - 1].to_string())
        })
        .collect()
}

fn status(cell: &str) -> &'static str {
    ["passes", "partial", "differs"]
        .into_iter()
        .find(|status| cell.starts_with(status))
        .unwrap_or_else(|| panic!("unknown status: {cell}"))
}

#[test]
fn the_stated_counts_are_the_table_counts() {
    let rows = ported_rows();
    let mut counts = BTreeMap::new();
    for (_, cell) in &rows {
        *counts.entry(status(cell)).or_insert(0) += 1;
    }
    let stated = format!(
        "The table below has {} rows: passes {}, partial {}, differs {}.",
        rows.len(),
        counts.get("passes").unwrap_or(&0),
        counts.get("partial").unwrap_or(&0),
        counts.get("differs").unwrap_or(&0),
    );
    assert!(DOC.contains(&stated), "the text should say: {stated}");
}

#[test]
fn every_named_test_exists() {
    for (test, _) in ported_rows() {
        let Some((file, name)) = test.split_once("::") else {
            continue; // a row naming a file or a group of tests, not one test
        };
        let name = name.split_whitespace().next().unwrap_or(name);
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} exists"));
        assert!(
            source.contains(&format!("fn {name}()")),
            "{file} has no test {name}"
        );
    }
}

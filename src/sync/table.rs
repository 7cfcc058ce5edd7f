//! The result table `sync` prints: one row per Credential.

use std::fmt::Write as _;

/// One Credential's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `namespace/name`.
    pub name: String,
    /// Segura's id, or `-`.
    pub id: String,
    /// The identifier Segura holds (or would be sent), or `-`.
    pub identifier: String,
    /// `True`, `False`, or `-` for a dry run.
    pub ready: String,
    /// The `Ready` reason.
    pub reason: String,
    /// The message (never a secret).
    pub message: String,
}

impl Row {
    /// Whether this row is a failure.
    pub fn failed(&self) -> bool {
        self.ready == "False"
    }
}

const HEADERS: [&str; 6] = ["NAME", "ID", "IDENTIFIER", "READY", "REASON", "MESSAGE"];

/// Renders rows as aligned columns, like `kubectl get`.
pub fn render(rows: &[Row]) -> String {
    let cells: Vec<[&str; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.as_str(),
                r.id.as_str(),
                r.identifier.as_str(),
                r.ready.as_str(),
                r.reason.as_str(),
                r.message.as_str(),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&HEADERS).chain(cells.iter()) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}   ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let row = Row {
            name: "default/a".into(),
            id: "1".into(),
            identifier: "x".into(),
            ready: "True".into(),
            reason: "Synced".into(),
            message: "Created".into(),
        };
        let text = render(&[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].find("ID"), lines[1].find('1'));
        assert!(lines[1].ends_with("Created"));
    }
}

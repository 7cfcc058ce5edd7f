//! Reading an operator instance's own HTTP endpoints: probes and the Prometheus text of
//! `/metrics`, parsed into samples.

use std::collections::BTreeMap;
use std::net::SocketAddr;

/// One sample of the exposition: metric name (with its `_total`/`_bucket`... suffix), labels,
/// value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Series name as exposed.
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its value.
    pub value: f64,
}

/// `GET http://addr{path}`: status and body.
pub async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let resp = reqwest::get(format!("http://{addr}{path}"))
        .await
        .unwrap_or_else(|e| panic!("GET {path} on {addr}: {e}"));
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("a text body"))
}

/// The `/metrics` text of an instance.
pub async fn scrape(addr: SocketAddr) -> String {
    let (status, body) = get(addr, "/metrics").await;
    assert_eq!(status, 200, "/metrics answers 200");
    body
}

/// Parses the text exposition (OpenMetrics as prometheus-client writes it).
pub fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let (name, labels) = match series.split_once('{') {
                Some((n, rest)) => (n, labels(rest.trim_end_matches('}'))),
                None => (series, BTreeMap::new()),
            };
            Sample {
                name: name.to_string(),
                labels,
                value: value.parse().expect("a numeric value"),
            }
        })
        .collect()
}

fn labels(s: &str) -> BTreeMap<String, String> {
    // Label values written by the operator never hold `,` or `"` (they are bounded words).
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("label=value");
            (k.to_string(), v.trim_matches('"').to_string())
        })
        .collect()
}

/// The value of the sample `name` whose labels include every pair of `with`; `None` if absent.
pub fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

/// The `segura_operator_leader` gauge of an instance.
pub async fn leader_gauge(addr: SocketAddr) -> Option<f64> {
    value(&parse(&scrape(addr).await), "segura_operator_leader", &[])
}

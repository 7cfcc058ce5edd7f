//! The resource types the loopback server serves, and how request paths map onto them.

use serde_json::Value;

/// Checks run on a whole object before it is stored (the CRD's schema and rules).
pub type Validator = fn(&Value, &mut Vec<super::errors::Cause>);

/// One served resource type, like an entry of the real server's discovery document.
#[derive(Clone, Copy, Debug)]
pub struct ResourceDef {
    /// API group, empty for the core group.
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// Plural, lowercase, as in paths.
    pub plural: &'static str,
    /// Kind of one object.
    pub kind: &'static str,
    /// Namespaced (true) or cluster-scoped.
    pub namespaced: bool,
    /// Has a `/status` subresource: status writes go there only.
    pub status_subresource: bool,
    /// Keeps `metadata.generation` (custom resources do; Secrets, Leases, Events do not).
    pub generation: bool,
    /// A PUT without `metadata.resourceVersion` is allowed (built-in types) or refused (custom).
    pub unconditional_update: bool,
    /// Custom resource (error messages name `Kind.group`).
    pub custom: bool,
    /// Admission checks on the whole object.
    pub validator: Option<Validator>,
}

impl ResourceDef {
    /// `apiVersion` of objects, `group/version` or `v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `plural.group` (or just `plural`), as messages name the resource.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Kind.group` for custom resources, `Kind` otherwise (as 422 messages do).
    pub fn qualified_kind(&self) -> String {
        if self.custom {
            format!("{}.{}", self.kind, self.group)
        } else {
            self.kind.to_string()
        }
    }
}

const fn builtin(
    group: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
) -> ResourceDef {
    ResourceDef {
        group,
        version: "v1",
        plural,
        kind,
        namespaced,
        status_subresource: false,
        generation: false,
        unconditional_update: true,
        custom: false,
        validator: None,
    }
}

/// Every resource type the server knows.
pub fn all() -> Vec<ResourceDef> {
    vec![
        builtin("", "secrets", "Secret", true),
        builtin("", "configmaps", "ConfigMap", true),
        builtin("", "namespaces", "Namespace", false),
        builtin("events.k8s.io", "events", "Event", true),
        builtin("coordination.k8s.io", "leases", "Lease", true),
        ResourceDef {
            group: "pam.segura.io",
            version: "v1alpha1",
            plural: "credentials",
            kind: "Credential",
            namespaced: true,
            status_subresource: true,
            generation: true,
            unconditional_update: false,
            custom: true,
            validator: Some(super::admission::validate_credential),
        },
    ]
}

/// A request path, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The resource type.
    pub res: ResourceDef,
    /// Namespace from the path; `None` for all namespaces or cluster scope.
    pub namespace: Option<String>,
    /// Object name, for single-object requests.
    pub name: Option<String>,
    /// Subresource (`status`).
    pub subresource: Option<String>,
}

impl PartialEq for ResourceDef {
    fn eq(&self, other: &Self) -> bool {
        self.group == other.group && self.plural == other.plural
    }
}

impl Eq for ResourceDef {}

/// Why a path is not served.
#[derive(Debug)]
pub enum PathError {
    /// No such path at all (404 with a plain body, like the real server).
    NotFound,
}

/// Parses `/api/v1/...` and `/apis/{group}/{version}/...` paths.
pub fn parse_path(defs: &[ResourceDef], path: &str) -> Result<Target, PathError> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Err(PathError::NotFound),
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(ns.to_string()), rest),
        _ => (None, rest),
    };
    let (plural, name, subresource) = match rest {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(name.to_string()), None),
        [plural, name, sub] => (*plural, Some(name.to_string()), Some(sub.to_string())),
        _ => return Err(PathError::NotFound),
    };
    let res = *defs
        .iter()
        .find(|d| d.group == group && d.version == version && d.plural == plural)
        .ok_or(PathError::NotFound)?;
    if namespace.is_some() && !res.namespaced {
        return Err(PathError::NotFound);
    }
    // A single namespaced object needs its namespace in the path.
    if res.namespaced && namespace.is_none() && name.is_some() {
        return Err(PathError::NotFound);
    }
    if let Some(sub) = &subresource
        && !(sub == "status" && res.status_subresource)
    {
        return Err(PathError::NotFound);
    }
    Ok(Target {
        res,
        namespace,
        name,
        subresource,
    })
}

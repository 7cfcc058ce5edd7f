//! Authentication (bearer tokens) and RBAC-like authorization, off by default.

use std::collections::HashMap;

use super::errors::ApiError;
use super::resources::ResourceDef;

/// One allowed rule: like an RBAC rule, without wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// API group ("" for core).
    pub api_group: String,
    /// Resource, with `/status` for the subresource (e.g. `credentials/status`).
    pub resource: String,
    /// Verbs: get, list, watch, create, update, patch, delete.
    pub verbs: Vec<String>,
    /// Namespace the rule holds in (a RoleBinding); `None` for all (a ClusterRoleBinding).
    pub namespace: Option<String>,
}

impl Rule {
    /// A rule in every namespace.
    pub fn new(api_group: &str, resource: &str, verbs: &[&str]) -> Self {
        Self {
            api_group: api_group.into(),
            resource: resource.into(),
            verbs: verbs.iter().map(|v| v.to_string()).collect(),
            namespace: None,
        }
    }

    /// The same rule, only in one namespace.
    pub fn in_namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.into());
        self
    }
}

/// A user known by token, with its rules.
#[derive(Clone, Debug, Default)]
pub struct User {
    /// User name, as 403 messages give it.
    pub name: String,
    /// What it may do.
    pub rules: Vec<Rule>,
}

/// The server's authentication/authorization settings.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// When false (the default) every request is allowed, token or not.
    pub enabled: bool,
    /// Bearer token → user.
    pub users: HashMap<String, User>,
}

/// A request to authorize.
#[derive(Clone, Debug)]
pub struct Attributes<'a> {
    /// Resource type.
    pub res: &'a ResourceDef,
    /// Verb.
    pub verb: &'a str,
    /// Subresource, if any.
    pub subresource: Option<&'a str>,
    /// Object name, if any.
    pub name: Option<&'a str>,
    /// Namespace, if any.
    pub namespace: Option<&'a str>,
}

impl Auth {
    /// Authenticates the `Authorization` header and authorizes the request; returns the user
    /// name ("" when authentication is off).
    pub fn check(
        &self,
        authorization: Option<&str>,
        a: &Attributes<'_>,
    ) -> Result<String, ApiError> {
        if !self.enabled {
            return Ok(String::new());
        }
        let resource = match a.subresource {
            Some(sub) => format!("{}/{sub}", a.res.plural),
            None => a.res.plural.to_string(),
        };
        let (name, rules): (&str, &[Rule]) = match authorization {
            None => ("system:anonymous", &[]),
            Some(h) => {
                let token = h
                    .strip_prefix("Bearer ")
                    .ok_or_else(ApiError::unauthorized)?;
                let user = self
                    .users
                    .get(token.trim())
                    .ok_or_else(ApiError::unauthorized)?;
                (&user.name, &user.rules)
            }
        };
        let allowed = rules.iter().any(|r| {
            r.api_group == a.res.group
                && r.resource == resource
                && r.verbs.iter().any(|v| v == a.verb)
                && r.namespace
                    .as_deref()
                    .is_none_or(|ns| Some(ns) == a.namespace)
        });
        if allowed {
            Ok(name.to_string())
        } else {
            Err(ApiError::forbidden(
                a.res,
                name,
                a.verb,
                &resource,
                a.name,
                a.namespace,
            ))
        }
    }
}

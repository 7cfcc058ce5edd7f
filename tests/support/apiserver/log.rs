//! The request log: one record per request, for assertions.

/// One request the server answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string ("" when none).
    pub query: String,
    /// `Content-Type` of the request, if any.
    pub content_type: Option<String>,
    /// `Accept` of the request, if any.
    pub accept: Option<String>,
    /// Kubernetes verb: get, list, watch, create, update, patch, delete ("" for unknown paths).
    pub verb: String,
    /// API group of the resource.
    pub group: String,
    /// Plural resource name.
    pub resource: String,
    /// Subresource (`status`), if any.
    pub subresource: Option<String>,
    /// Namespace from the path, if any.
    pub namespace: Option<String>,
    /// Object name from the path, if any.
    pub name: Option<String>,
    /// Response status code.
    pub status: u16,
    /// Authenticated user ("" when authentication is off).
    pub user: String,
}

impl RequestRecord {
    /// Whether this was `verb` on `resource`, with the given subresource (`None` for the main
    /// resource).
    pub fn is(&self, verb: &str, resource: &str, subresource: Option<&str>) -> bool {
        self.verb == verb && self.resource == resource && self.subresource.as_deref() == subresource
    }

    /// Whether this was a patch of that content type prefix (e.g. `application/apply-patch`).
    pub fn is_patch_of(&self, content_type_prefix: &str) -> bool {
        self.verb == "patch"
            && self
                .content_type
                .as_deref()
                .is_some_and(|c| c.starts_with(content_type_prefix))
    }
}

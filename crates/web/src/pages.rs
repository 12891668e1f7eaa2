//! The page layout shared by every page, the home page and the not-found page.

use crate::auth::{CurrentUser, MaybeUser};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cordon_domain::Marking;

/// One link in the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page's layout needs: its title, the highest marking of what it
/// shows (for the banners), and which navigation item is current.
pub struct Layout {
    pub title: String,
    pub marking: Marking,
    pub current: &'static str,
    /// The signed-in user's name, if any.
    pub user_name: Option<String>,
    pub is_admin: bool,
    /// Whether the user is an auditor (the retention review is theirs).
    pub is_auditor: bool,
    /// Whether they may read the police estate register.
    pub estate: bool,
    /// The session's CSRF token, for the sign-out button.
    pub csrf: String,
    /// Unread notifications, for the count in the header.
    pub unread: i64,
}

impl Layout {
    pub fn new(title: impl Into<String>, marking: Marking, current: &'static str) -> Self {
        Self {
            title: title.into(),
            marking,
            current,
            user_name: None,
            is_admin: false,
            is_auditor: false,
            estate: false,
            csrf: String::new(),
            unread: 0,
        }
    }

    /// The layout for a signed-in user (or a visitor when `None`).
    pub fn for_user(
        title: impl Into<String>,
        marking: Marking,
        current: &'static str,
        user: Option<&CurrentUser>,
    ) -> Self {
        let mut l = Self::new(title, marking, current);
        if let Some(u) = user {
            l.user_name = Some(u.user.name.clone());
            l.is_admin = u.is_admin();
            l.is_auditor = u.user.has_role(cordon_domain::identity::Role::Auditor);
            l.estate = u.viewer.may(cordon_domain::estate::READ);
            l.csrf = u.csrf();
            l.unread = u.unread;
        }
        l
    }

    pub fn marking_class(&self) -> &'static str {
        marking_class(self.marking)
    }

    pub fn nav(&self) -> Vec<NavItem> {
        let mut items = vec![("/", "Home"), ("/threat-levels", "Threat levels"), ("/martyns-law", "Martyn's Law")];
        if self.user_name.is_some() {
            items.push(("/events", "Events"));
            items.push(("/advice", "Advice"));
            items.push(("/seco", "SECO"));
            items.push(("/places", "Crowded places"));
            if self.estate {
                items.push(("/sites", "Police estate"));
            }
            items.push(("/account", "Account"));
        }
        if self.is_auditor {
            items.push(("/audit/retention", "Retention review"));
        }
        if self.is_admin {
            items.push(("/admin", "Administration"));
        }
        items.into_iter().map(|(href, label)| NavItem { href, label, current: href == self.current }).collect()
    }
}

/// The CSS class suffix for a marking's banner and tags.
pub fn marking_class(m: Marking) -> &'static str {
    match m {
        Marking::Official => "official",
        Marking::OfficialSensitive => "official-sensitive",
        Marking::Secret => "secret",
    }
}

/// Renders a template, or a plain 500 if rendering fails.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be shown").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
}

pub async fn not_found(MaybeUser(user): MaybeUser) -> Response {
    not_found_for(user.as_ref())
}

/// The not-found page in the layout of the signed-in user, if any.
pub fn not_found_for(user: Option<&CurrentUser>) -> Response {
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            layout: Layout::for_user("Page not found", Marking::Official, "", user),
            heading: "Page not found".into(),
            message: "If you typed the web address, check it is correct. If you followed a link, the page may have moved, or you may not have access to it.".into(),
        },
    )
}

/// Field errors for a form: an error summary at the top, and each message
/// beside its field.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub Vec<(String, String)>);

impl FormErrors {
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Self(vec![(field.to_string(), message.into())])
    }

    /// The message for `field` (a name, or one a template puts together).
    pub fn get(&self, field: impl std::fmt::Display) -> Option<&str> {
        let field = field.to_string();
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Turns a store error into a form error, or into an error response when
    /// it is not about the input.
    pub fn from_store(e: cordon_store::StoreError) -> Result<Self, Response> {
        match e {
            cordon_store::StoreError::Invalid { field, message } => Ok(Self::one(&field, message)),
            cordon_store::StoreError::Conflict(m)
            | cordon_store::StoreError::Stale(m)
            | cordon_store::StoreError::Forbidden(m) => Ok(Self::one("form", m)),
            other => Err(crate::error::ApiError::from(other).into_response()),
        }
    }
}

/// A wait in words: "1 second", "40 seconds", "2 minutes" (rounded up).
pub fn wait_words(secs: i64) -> String {
    match secs.max(1) {
        1 => "1 second".into(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", (s + 59) / 60),
    }
}

/// A page saying something could not be done.
pub fn message_page(status: StatusCode, heading: &str, message: &str, user: Option<&CurrentUser>) -> Response {
    render(
        status,
        &ErrorPage {
            layout: Layout::for_user(heading, Marking::Official, "", user),
            heading: heading.into(),
            message: message.into(),
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(super::wait_words(0), "1 second");
        assert_eq!(super::wait_words(1), "1 second");
        assert_eq!(super::wait_words(64), "64 seconds");
        assert_eq!(super::wait_words(128), "3 minutes");
        assert_eq!(super::wait_words(900), "15 minutes");
    }
}

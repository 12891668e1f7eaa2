//! The page layout shared by every page, the home page and the not-found page.

use crate::threat::LevelBadge;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cordon_domain::threat::Series;
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
}

impl Layout {
    pub fn new(title: impl Into<String>, marking: Marking, current: &'static str) -> Self {
        Self { title: title.into(), marking, current }
    }

    pub fn marking_class(&self) -> &'static str {
        match self.marking {
            Marking::Official => "official",
            Marking::OfficialSensitive => "official-sensitive",
            Marking::Secret => "secret",
        }
    }

    pub fn nav(&self) -> Vec<NavItem> {
        [("/", "Home"), ("/threat-levels", "Threat levels")]
            .into_iter()
            .map(|(href, label)| NavItem { href, label, current: href == self.current })
            .collect()
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
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    national: Option<LevelBadge>,
}

pub async fn home(State(state): State<AppState>) -> Response {
    let national = state.store.level_on(Series::National, None).await.ok().map(LevelBadge::from);
    render(
        StatusCode::OK,
        &Home {
            layout: Layout::new("Counter-terrorism protective security planning", Marking::Official, "/"),
            national,
        },
    )
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
}

pub async fn not_found() -> Response {
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            layout: Layout::new("Page not found", Marking::Official, ""),
            heading: "Page not found".into(),
            message: "If you typed the web address, check it is correct. If you followed a link, the page may have moved, or you may not have access to it.".into(),
        },
    )
}

//! `/a-faire`: each user's to-do list and notifications.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::format_date;
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{fr_date, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/a-faire", get(page)).route("/a-faire/lu", post(mark_read))
}

struct Item {
    category: &'static str,
    text: String,
    link: String,
    /// (ISO, French) due date.
    due: Option<(String, String)>,
    overdue: bool,
}

struct Note {
    message: String,
    /// Empty when the stored link is not one of ours.
    link: String,
    /// (ISO, French) day it was sent.
    sent: Option<(String, String)>,
    read: bool,
}

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    layout: Layout,
    items: Vec<Item>,
    overdue: usize,
    notes: Vec<Note>,
    unread: usize,
}

/// Links are the app's own paths; anything else is shown without a link.
fn local(link: &str) -> String {
    if link.starts_with('/') && !link.starts_with("//") {
        link.to_owned()
    } else {
        String::new()
    }
}

pub async fn page(State(state): State<AppState>, user: LoggedIn) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let items: Vec<Item> = state
        .app
        .todo(actor)
        .await?
        .into_iter()
        .map(|i| Item {
            category: i.category,
            link: local(&i.link),
            text: i.text,
            due: i.due.map(|d| (format_date(d), fr_date(d))),
            overdue: i.overdue,
        })
        .collect();
    let notes: Vec<Note> = state
        .app
        .notifications(actor)
        .await?
        .into_iter()
        .map(|n| Note {
            link: local(&n.link),
            // the territory's day and hour
            sent: domain::local_time::wall_clock_of(&n.created_at)
                .map(|w| (format_date(w.day), crate::views::fr_timestamp(&n.created_at))),
            message: n.message,
            read: n.read,
        })
        .collect();
    let body = TodoPage {
        layout: Layout::new(&user.session, "a-faire"),
        overdue: items.iter().filter(|i| i.overdue).count(),
        unread: notes.iter().filter(|n| !n.read).count(),
        items,
        notes,
    }
    .render()?;
    Ok(Html(body).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn mark_read(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    state.app.mark_notifications_read(&user.session.actor).await?;
    Ok(Redirect::to("/a-faire#notifications").into_response())
}

//! The integration tests: one binary with a module per area, all against the real PostgreSQL,
//! Redis, SMTP server and browser, sharing the helpers in `common`.
//!
//! Run one area with `bash tests/run --test api cases::`, one test by a part of its name.

mod common;

mod access;
mod api_foundation;
mod browser;
mod case_pages;
mod case_search;
mod cases;
mod cli;
mod councils;
mod faults;
mod figures;
mod form_language;
mod fuzz;
mod jobs;
mod language;
mod layers;
mod link_views;
mod meeting_records;
mod on_call;
mod overview;
mod plans;
mod reach;
mod recruitment;
mod registration;
mod replicas;
mod second_factor;
mod settings;
mod single_sign_on;
mod sms;
mod strict;
mod sturdy;
mod tenant_isolation;
mod web_shell;

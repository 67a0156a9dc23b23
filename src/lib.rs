//! Tillit: brings the adults a child trusts together around the child.
//!
//! One module per capability (`tenancy`, `access`, `audit`, …) owns its models, queries, rules and
//! HTTP handlers; `db`, `web` and `config` are the thin shared layer beneath them.

pub mod access;
pub mod app;
pub mod audit;
pub mod cases;
pub mod config;
pub mod councils;
pub mod db;
pub mod demo;
pub mod fields;
pub mod figures;
pub mod jobs;
pub mod mail;
pub mod onboarding;
pub mod oncall;
pub mod openapi;
pub mod overview;
pub mod plans;
pub mod recruitment;
pub mod registration;
pub mod sms;
pub mod telemetry;
pub mod tenancy;
pub mod time;
pub mod tokens;
pub mod vocabulary;
pub mod web;

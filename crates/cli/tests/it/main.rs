//! The one integration-test binary: every test runs the real application on SQLite, and on
//! PostgreSQL too when `TEST_DATABASE_URL` is set (always in CI).

mod access;
mod audit;
mod cca;
mod cca_referral_web;
mod cca_web;
mod ccapex_web;
mod demo;
mod duplicates;
mod hostile;
mod housing;
mod link_cli;
mod linkage_data;
mod linkage_run;
mod member_entry;
mod observatoire_web;
mod observatory;
mod pprl_cli;
mod protection_web;
mod publication;
mod retention;
mod rights;
mod schema;
mod sensitive;
mod web;
mod web_admin;

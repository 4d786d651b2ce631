//! # enishi-jobs — durable background work
//!
//! E-mail delivery, digests, reminders, imports and campaign fan-out will run
//! here as jobs stored in the application database (claimed with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL so several app nodes can share the
//! work). The queue itself arrives with the accounts issue, which is the
//! first capability that sends e-mail; until then this crate only fixes its
//! place in the workspace so the layers keep the shape ARCHITECTURE.md gives.

//! What a page is made of, for a scope: compositions over `db` and `domain` that more than one
//! handler (or a derived page) needs. No HTTP here; handlers read as: open the scope → call the
//! area's function → render.

pub mod checks;
pub mod consents;
pub mod done;
pub mod ledger;
pub mod legal;
pub mod login_limits;
pub mod material;
pub mod notify;
pub mod plans;
pub mod referrals;
pub mod reports;
pub mod timeline;

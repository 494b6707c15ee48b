//! The Try it calls each user has running, so that one user cannot hold the portal server's
//! connections and memory with calls to a slow API (`MAX_TRY_IN_FLIGHT` each).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::try_it::MAX_TRY_IN_FLIGHT;
use crate::error::{AppError, AppResult};

/// Calls running per user; a user is only in the map while a call of theirs runs.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashMap<String, usize>>);

/// One running call; the place is given back when it is dropped (the call ended, failed or
/// was cancelled by the browser going away).
#[derive(Debug)]
pub struct Slot<'a> {
    of: &'a InFlight,
    user: String,
}

impl InFlight {
    /// A place for one more call of `user`, or a field error at "send" when they have
    /// `MAX_TRY_IN_FLIGHT` running.
    pub fn enter(&self, user: &str) -> AppResult<Slot<'_>> {
        let mut running = self
            .0
            .lock()
            .map_err(|_| AppError::internal("try it", "in-flight table poisoned"))?;
        let n = running.entry(user.to_string()).or_insert(0);
        if *n >= MAX_TRY_IN_FLIGHT {
            return Err(AppError::field(
                "send",
                format!(
                    "You have {MAX_TRY_IN_FLIGHT} Try it calls waiting for an answer: wait for one to finish."
                ),
            ));
        }
        *n += 1;
        Ok(Slot {
            of: self,
            user: user.to_string(),
        })
    }

    /// Calls running for `user` now.
    pub fn running(&self, user: &str) -> usize {
        self.0
            .lock()
            .map_or(0, |r| r.get(user).copied().unwrap_or(0))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let Ok(mut running) = self.of.0.lock() else {
            return;
        };
        if let Some(n) = running.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                running.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_user_has_their_own_places_given_back_on_drop() {
        let table = InFlight::default();
        let held: Vec<Slot> = (0..MAX_TRY_IN_FLIGHT)
            .map(|_| table.enter("ann").expect("place"))
            .collect();
        let e = table.enter("ann").expect_err("one too many");
        assert!(
            matches!(&e, AppError::Field(f) if f.field == "send"),
            "{e:?}"
        );
        assert!(table.enter("bob").is_ok(), "another user is not held up");
        assert_eq!(table.running("bob"), 0, "bob's place was given back");
        drop(held);
        assert_eq!(table.running("ann"), 0);
        assert!(
            table.0.lock().expect("lock").is_empty(),
            "no user left behind"
        );
        assert!(table.enter("ann").is_ok());
    }
}

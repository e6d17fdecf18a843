//! `[access]`: which local users and groups may use a house's endpoints.
//!
//! `user` is the account the controller runs as (`homesec` on a Pi under
//! systemd); other processes trust endpoints that it, root or they
//! themselves own. `group` may write the FIFO and the message queue and read
//! the status segment; without it, only the owner can. Names are resolved
//! when a process starts, not when the file is read, so that a config
//! checked on a laptop is valid on the Pi it is meant for.

use homesec_ipc::endpoint::{Trust, gid_of, uid_of};

/// `[access]`, as names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// The user the controller runs as, if not the user running each process.
    pub user: Option<String>,
    /// The group that may use the endpoints besides their owner.
    pub group: Option<String>,
}

/// A name in `[access]` that this machine does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// No such user.
    #[error(
        "[access] user '{0}' does not exist on this machine: create it (the Debian package's sysusers file does) or change the config"
    )]
    NoUser(String),
    /// No such group.
    #[error(
        "[access] group '{0}' does not exist on this machine: create it (the Debian package's sysusers file does) or change the config"
    )]
    NoGroup(String),
}

impl Access {
    /// The controller's rule: it owns its endpoints and lets `group` use them.
    pub fn controller_trust(&self) -> Result<Trust, AccessError> {
        Ok(Trust::controller(self.gid()?))
    }

    /// The rule of every other process: trust endpoints owned by `user`,
    /// root or itself, open to `group`.
    pub fn client_trust(&self) -> Result<Trust, AccessError> {
        let user = match &self.user {
            Some(name) => Some(uid_of(name).ok_or_else(|| AccessError::NoUser(name.clone()))?),
            None => None,
        };
        Ok(Trust::client(user, self.gid()?))
    }

    fn gid(&self) -> Result<Option<u32>, AccessError> {
        match &self.group {
            Some(name) => gid_of(name)
                .map(Some)
                .ok_or_else(|| AccessError::NoGroup(name.clone())),
            None => Ok(None),
        }
    }
}

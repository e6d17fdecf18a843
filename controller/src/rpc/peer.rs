//! Who may use the control socket: root, the controller's own uid, and the
//! `[access]` user and group of the config. The kernel says who the peer is
//! (`SO_PEERCRED`), so nothing the peer sends can change the answer.

use homesec_ipc::command::{Caller, Via};
use homesec_ipc::endpoint;
use tokio::net::unix::UCred;

/// The uids and group allowed to connect.
#[derive(Debug, Clone)]
pub struct Allowed {
    uids: Vec<u32>,
    group: Option<u32>,
}

impl Allowed {
    /// Root, `own`, the config's `[access]` user (if any) and members of
    /// its group (if any).
    pub fn new(own: u32, access_user: Option<u32>, group: Option<u32>) -> Allowed {
        let mut uids = vec![0, own];
        uids.extend(access_user);
        uids.dedup();
        Allowed { uids, group }
    }

    /// Whether the peer `cred` may connect; the error says why not.
    pub fn check(&self, cred: &UCred) -> Result<(), String> {
        let uid = cred.uid();
        if self.uids.contains(&uid) {
            return Ok(());
        }
        if let Some(group) = self.group {
            if cred.gid() == group || in_group(uid, group) {
                return Ok(());
            }
        }
        let name = endpoint::user_name(uid).map_or_else(String::new, |n| format!(" ({n})"));
        Err(format!(
            "uid {uid}{name} may not use the control socket: it is neither the controller's user, root, nor in the [access] group"
        ))
    }
}

/// Whether `uid`'s user is a member of `group` (its supplementary groups).
fn in_group(uid: u32, group: u32) -> bool {
    let Ok(Some(user)) = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) else {
        return false;
    };
    let Ok(name) = std::ffi::CString::new(user.name) else {
        return false;
    };
    // The list always holds the gid passed in: pass the user's own.
    nix::unistd::getgrouplist(&name, user.gid)
        .is_ok_and(|groups| groups.iter().any(|g| g.as_raw() == group))
}

/// The caller a connection's peer is, for the records.
pub fn caller(cred: &UCred) -> Caller {
    let uid = cred.uid();
    Caller {
        via: Via::Rpc,
        source: "rpc".into(),
        pid: cred.pid(),
        uid: Some(uid),
        user: endpoint::user_name(uid),
    }
}

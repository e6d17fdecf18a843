//! Keypad code checks, with a memory of codes already proven.
//!
//! A code is checked against every user's argon2id hash, which is slow on
//! purpose (milliseconds to tens of milliseconds). Once a code has matched
//! a user, the checker remembers it — as a salted SHA-256, never the code
//! itself — so the resident's next disarm costs microseconds. That matters
//! most in a simulation, where ten milliseconds of hashing are fourteen
//! house seconds of an entry delay at 1440×. Wrong codes are never
//! remembered, so guessing still pays the full hash every time; a config
//! reload (new users, new hashes) forgets everything. While the house has
//! locked code entry, codes are not hashed at all (the house refuses them
//! as locked whatever they are).

use crate::house::CodeCheck;
use crate::ingest::{CommandInput, Input, Reply};
use homesec_config::{CodeMatch, Config};
use homesec_ipc::command::{ArmOptions, Caller, Command};
use homesec_ipc::line::Control;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tokio::sync::watch;

/// Checks codes, remembering the ones that matched.
pub struct CodeChecker {
    salt: [u8; 16],
    memory: Mutex<Memory>,
}

/// Proven codes of one config.
#[derive(Default)]
struct Memory {
    config: Option<Arc<Config>>,
    proven: HashMap<[u8; 32], CodeCheck>,
}

impl Default for CodeChecker {
    fn default() -> Self {
        CodeChecker::new()
    }
}

impl CodeChecker {
    /// A checker with a fresh random salt.
    pub fn new() -> CodeChecker {
        let mut salt = [0u8; 16];
        // Without a random source the salt stays zero: the memory is then
        // only as private as the process, which it is anyway.
        if let Err(e) = getrandom::fill(&mut salt) {
            tracing::warn!(error = %e, "no random salt for remembered codes");
        }
        CodeChecker {
            salt,
            memory: Mutex::new(Memory::default()),
        }
    }

    /// Whose code this is under `config`, if anyone's. Blocking: call it on
    /// the blocking pool.
    pub fn check(&self, config: &Arc<Config>, code: &str) -> CodeCheck {
        let key: [u8; 32] = Sha256::new()
            .chain_update(self.salt)
            .chain_update(code)
            .finalize()
            .into();
        {
            let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
            if !memory
                .config
                .as_ref()
                .is_some_and(|c| Arc::ptr_eq(c, config))
            {
                *memory = Memory {
                    config: Some(Arc::clone(config)),
                    proven: HashMap::new(),
                };
            }
            if let Some(known) = memory.proven.get(&key) {
                return known.clone();
            }
        }
        let check = match config.check_code(code) {
            Some((user, CodeMatch::User)) => CodeCheck::User(user),
            Some((user, CodeMatch::Duress)) => CodeCheck::Duress(user),
            None => return CodeCheck::Wrong,
        };
        let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
        if memory
            .config
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(c, config))
        {
            memory.proven.insert(key, check.clone());
        }
        check
    }
}

/// The keypad functions every input source shares: the config in force
/// and the code checker.
#[derive(Clone)]
pub struct Keypad {
    config: watch::Receiver<Arc<Config>>,
    checker: Arc<CodeChecker>,
    /// Until when the house has locked code entry (monotonic).
    locked_until: watch::Receiver<Option<Instant>>,
}

impl Keypad {
    /// A keypad following the config in force and the house's lockout.
    pub fn new(
        config: watch::Receiver<Arc<Config>>,
        locked_until: watch::Receiver<Option<Instant>>,
    ) -> Keypad {
        Keypad {
            config,
            checker: Arc::new(CodeChecker::new()),
            locked_until,
        }
    }

    /// The config in force now.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config.borrow())
    }

    /// A keypad line (FIFO, pipe, queue) as an input.
    pub async fn line(&self, control: Control, caller: Caller) -> Input {
        let (command, code) = match control {
            Control::Arm { mode, code, force } => {
                let options = ArmOptions {
                    force,
                    skip_delay: false,
                };
                (Command::Arm { mode, options }, code)
            }
            Control::Disarm { code } => (Command::Disarm, code),
            Control::Bypass { sensor, code } => (
                Command::Bypass {
                    sensors: vec![sensor],
                    on: true,
                },
                code,
            ),
        };
        self.command(command, Some(code), caller, None, None).await
    }

    /// A command as an input, its code checked on the blocking pool if it
    /// needs one (a first check hashes, which is deliberately slow).
    pub async fn command(
        &self,
        command: Command,
        code: Option<String>,
        caller: Caller,
        reply: Option<Reply>,
        deadline: Option<Instant>,
    ) -> Input {
        let code = match code {
            Some(code) if command.needs_code() => self.check(code, &caller).await,
            _ => CodeCheck::NotChecked,
        };
        Input::Command(CommandInput {
            command,
            code,
            caller,
            reply,
            deadline,
        })
    }

    async fn check(&self, code: String, caller: &Caller) -> CodeCheck {
        // While code entry is locked the house refuses every code anyway:
        // guessing then costs the guesser time, not us a hash each.
        let locked = (*self.locked_until.borrow()).is_some_and(|until| until > Instant::now());
        if locked {
            tracing::debug!(%caller, "code entry is locked: code not checked");
            return CodeCheck::NotChecked;
        }
        let (config, checker) = (self.config(), Arc::clone(&self.checker));
        let check = tokio::task::spawn_blocking(move || checker.check(&config, &code)).await;
        // A panicking hash check is a bug, not a valid code: treat it as wrong.
        check.unwrap_or(CodeCheck::Wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proven_codes_are_remembered_per_config_and_wrong_ones_never() {
        let config = Arc::new(homesec_config::default_house());
        let checker = CodeChecker::new();
        assert_eq!(
            checker.check(&config, "1234"),
            CodeCheck::User("resident".into())
        );
        assert_eq!(
            checker.check(&config, "9999"),
            CodeCheck::Duress("resident".into())
        );
        assert_eq!(checker.check(&config, "0000"), CodeCheck::Wrong);
        {
            let memory = checker.memory.lock().unwrap();
            assert_eq!(memory.proven.len(), 2, "wrong codes are not remembered");
        }
        // The remembered answer is the same answer.
        assert_eq!(
            checker.check(&config, "1234"),
            CodeCheck::User("resident".into())
        );
        // A reloaded config starts over.
        let reloaded = Arc::new(homesec_config::default_house());
        assert_eq!(
            checker.check(&reloaded, "2580"),
            CodeCheck::User("guest".into())
        );
        assert_eq!(checker.memory.lock().unwrap().proven.len(), 1);
    }
}

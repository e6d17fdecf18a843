//! User codes: the digit format a keypad can send, hashing with argon2id into
//! a PHC string for the house description, and verification against one.
//!
//! Parameters: argon2id with m = 8192 KiB, t = 2, p = 1. A 4 to 12 digit code
//! has too few possibilities for any hash cost to stop an offline search once
//! the file leaks (10^4 codes times even 100 ms is under 20 minutes), so the
//! hash is there to keep codes out of plain sight, while the file's permissions
//! and the lockout after wrong codes do the real protecting. Light parameters
//! keep a check (one hash a user, two with a duress code) in the tens of
//! milliseconds on a Raspberry Pi; verification reads the parameters from the
//! stored string, so a house may use stronger ones, within bounds.
//!
//! Bounds: a house file may ask for at most `m` = 32768 KiB, `p` = 4 and a
//! cost `m × t` of 32768 KiB-passes (twice the default's). Verification is
//! memory-bound: about 1 ms per MiB-pass on a desktop core, roughly ten
//! times that on a Pi Zero 2, so the most a house file may ask for stays
//! near a third of a second there. Without bounds one line of the file
//! could stall every keypad check for seconds or abort the daemon on an
//! allocation of terabytes (`m=4294967295`); strings beyond them are
//! refused when the file is read, and never verified.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub use homesec_ipc::line::{MAX_CODE_LEN, MIN_CODE_LEN, valid_code};

/// Memory cost in KiB of new hashes (see the module doc).
const MEMORY_KIB: u32 = 8192;
/// Passes over the memory of new hashes.
const ITERATIONS: u32 = 2;
/// Lanes of new hashes: one, as a keypad check uses one core.
const LANES: u32 = 1;

/// The most memory a stored hash may ask for, KiB.
pub const MAX_MEMORY_KIB: u32 = 32_768;
/// The most work a stored hash may ask for: memory × passes, KiB-passes.
pub const MAX_COST_KIB_PASSES: u64 = 32_768;
/// The most lanes a stored hash may ask for.
pub const MAX_LANES: u32 = 4;

/// Why a code could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// The code is not 4 to 12 ASCII digits.
    #[error("a code must be {MIN_CODE_LEN} to {MAX_CODE_LEN} digits (0-9)")]
    Format,
    /// argon2 refused the input or its parameters.
    #[error("cannot hash the code: {0}")]
    Hash(#[from] argon2::password_hash::Error),
}

/// Hashes a code into an argon2id PHC string with a fresh random salt.
pub fn hash_code(code: &str) -> Result<String, CodeError> {
    if !valid_code(code) {
        return Err(CodeError::Format);
    }
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(argon2::password_hash::Error::from)?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher.hash_password(code.as_bytes(), &salt)?.to_string())
}

/// Whether `code` matches the PHC string `phc`. A malformed code or string
/// never matches.
pub fn verify_code(code: &str, phc: &str) -> bool {
    if !valid_code(code) {
        return false;
    }
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    // A string the config check would refuse is never hashed against.
    if Params::try_from(&hash).map_or(true, |params| check_cost(&params).is_err()) {
        return false;
    }
    // verify_password takes algorithm, version and parameters from the hash.
    Argon2::default()
        .verify_password(code.as_bytes(), &hash)
        .is_ok()
}

/// Whether `params` stay within the bounds of the module doc.
fn check_cost(params: &Params) -> Result<(), String> {
    let (m, t, p) = (params.m_cost(), params.t_cost(), params.p_cost());
    let cost = u64::from(m) * u64::from(t);
    if m > MAX_MEMORY_KIB || p > MAX_LANES || cost > MAX_COST_KIB_PASSES {
        return Err(format!(
            "m={m},t={t},p={p} would take too long to check on a Raspberry Pi: \
             at most m={MAX_MEMORY_KIB} (KiB), p={MAX_LANES}, and m × t up to \
             {MAX_COST_KIB_PASSES} (the default is m={MEMORY_KIB},t={ITERATIONS},p={LANES})"
        ));
    }
    Ok(())
}

/// Checks that `phc` is an argon2 PHC string that [`verify_code`] can use,
/// saying what is wrong otherwise.
pub(crate) fn check_phc(phc: &str) -> Result<(), String> {
    let hash = PasswordHash::new(phc).map_err(|e| format!("not a PHC string: {e}"))?;
    Algorithm::try_from(hash.algorithm)
        .map_err(|_| format!("algorithm '{}' is not argon2", hash.algorithm))?;
    let params = Params::try_from(&hash).map_err(|e| format!("bad argon2 parameters: {e}"))?;
    check_cost(&params)?;
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err("the salt or the hash output is missing".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_format() {
        assert!(valid_code("1234"));
        assert!(valid_code("123456789012"));
        assert!(!valid_code("123"));
        assert!(!valid_code("1234567890123"));
        assert!(!valid_code("12a4"));
        assert!(!valid_code("１２３４"));
        assert!(!valid_code(""));
    }

    #[test]
    fn hash_then_verify() {
        let phc = hash_code("2580").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8192,t=2,p=1$"), "{phc}");
        assert!(verify_code("2580", &phc));
        assert!(!verify_code("2581", &phc));
        assert!(!verify_code("25800", &phc));
        assert!(check_phc(&phc).is_ok());
    }

    #[test]
    fn salts_differ() {
        assert_ne!(hash_code("1234").unwrap(), hash_code("1234").unwrap());
    }

    #[test]
    fn refuses_bad_codes() {
        assert!(matches!(hash_code("12"), Err(CodeError::Format)));
        assert!(matches!(hash_code("abcd"), Err(CodeError::Format)));
    }

    #[test]
    fn malformed_hashes_never_match() {
        assert!(!verify_code("1234", ""));
        assert!(!verify_code("1234", "1234"));
        assert!(!verify_code(
            "1234",
            "$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ"
        ));
    }

    #[test]
    fn check_phc_explains() {
        assert!(check_phc("plain").unwrap_err().contains("not a PHC string"));
        let scrypt = "$scrypt$ln=4,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
        assert!(check_phc(scrypt).unwrap_err().contains("not argon2"));
        let no_output = "$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ";
        assert!(check_phc(no_output).unwrap_err().contains("missing"));
        let bad_params = "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
        assert!(check_phc(bad_params).unwrap_err().contains("parameters"));
    }

    /// Issue #15 finding 4: these parsed, then took seconds, a gigabyte, or
    /// the whole process (an allocation of 4 TiB) at the first keypad press.
    #[test]
    fn regression_argon2_parameters_that_stall_or_kill_the_daemon() {
        let with =
            |params: &str| format!("$argon2id$v=19${params}$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA");
        for params in [
            "m=4294967295,t=4294967295,p=1",
            "m=8,t=1000000,p=1",
            "m=1048576,t=1,p=1",
            "m=32769,t=1,p=1",
            "m=16384,t=3,p=1",
            "m=64,t=1,p=5",
        ] {
            let phc = with(params);
            let why = check_phc(&phc).unwrap_err();
            assert!(
                why.contains("too long") && why.contains(params),
                "{params}: {why}"
            );
            // Not even a direct call hashes with them.
            assert!(!verify_code("1234", &phc));
        }
        for params in ["m=32768,t=1,p=1", "m=16384,t=2,p=4", "m=8,t=4096,p=1"] {
            assert_eq!(check_phc(&with(params)), Ok(()), "{params}");
        }
    }
}

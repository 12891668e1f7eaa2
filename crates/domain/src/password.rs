//! Password rules after NCSC guidance: at least 12 characters, no composition
//! rules, and a deny-list of common and guessable passwords.

/// The shortest password accepted.
pub const MIN_LEN: usize = 12;
/// The longest password accepted (hashing cost stays bounded).
pub const MAX_LEN: usize = 256;

/// Common passwords and fragments that make a password guessable. A password
/// is refused when, lower-cased with digits and symbols removed from its ends,
/// it equals one of these or is one repeated.
const DENY: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "administrator",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "starwars",
    "trustno1",
    "abc123",
    "abcdef",
    "abcdefgh",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "123123",
    "111111",
    "000000",
    "654321",
    "changeme",
    "secret",
    "master",
    "shadow",
    "superman",
    "batman",
    "whatever",
    "freedom",
    "login",
    "default",
    "guest",
    "test",
    "police",
    "policing",
    "cordon",
    "security",
    "counterterrorism",
    "terrorism",
    "london",
    "england",
    "britain",
    "summer",
    "winter",
    "autumn",
    "spring",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "friday",
    "liverpool",
    "arsenal",
    "chelsea",
    "manchester",
    "qazwsx",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "opensesame",
    "letmein123",
    "password123",
    "welcome123",
];

/// Checks a new password, naming what is wrong. `context` holds words the user
/// is known by (e-mail, name) that must not be the password.
pub fn check(password: &str, context: &[&str]) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("the password must be at least {MIN_LEN} characters long; this one has {n}"));
    }
    if n > MAX_LEN {
        return Err(format!("the password must be at most {MAX_LEN} characters long"));
    }
    let lower = password.to_lowercase();
    let core: String = lower.trim_matches(|c: char| !c.is_alphabetic()).to_string();
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err("the password repeats too few characters to be hard to guess".into());
    }
    let chars: Vec<char> = lower.chars().collect();
    let steps = chars.windows(2).filter(|w| (w[1] as i64 - w[0] as i64).abs() == 1).count();
    if steps * 4 >= (chars.len() - 1) * 3 {
        return Err(
            "the password is a run of neighbouring characters; choose another, such as three random words".into()
        );
    }
    for word in DENY {
        if core == *word
            || lower == *word
            || (!core.is_empty()
                && core.len().is_multiple_of(word.len())
                && core == word.repeat(core.len() / word.len()))
        {
            return Err(
                "the password is on the list of common passwords; choose another, such as three random words".into()
            );
        }
    }
    for c in context {
        let c = c.trim().to_lowercase();
        let local = c.split('@').next().unwrap_or("");
        if (c.len() >= 4 && lower.contains(&c)) || (local.len() >= 4 && lower.contains(local)) {
            return Err("the password must not contain your e-mail address or name".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_long_passphrases_without_composition_rules() {
        assert!(check("correct horse battery staple", &[]).is_ok());
        assert!(check("tangerine kettle harbour", &["jo@police.uk"]).is_ok());
    }

    #[test]
    fn refuses_short_common_and_personal_passwords() {
        assert!(check("short", &[]).unwrap_err().contains("12"));
        assert!(check("Password123!", &[]).unwrap_err().contains("common"));
        assert!(check("passwordpassword", &[]).is_err());
        assert!(check("123456789012", &[]).is_err());
        assert!(check("aaaaaaaaaaaaaa", &[]).is_err());
        assert!(check("abcdefghijklmn", &[]).is_err());
        assert!(check("jo.bloggs-is-here", &["jo.bloggs@police.uk"]).unwrap_err().contains("e-mail"));
    }
}

//! Characters refused in submitted text: control characters other than a new
//! line, a carriage return and a tab (NUL among them), and the characters that
//! override or isolate the direction of text (U+202A–U+202E, U+2066–U+2069),
//! with which a name can be made to read differently from what it holds.
//! Forms (`forms::CheckedForm`, sign-in) and JSON bodies (`json::JsonBody`)
//! refuse them with a 422 naming the field; nothing is changed.

/// Whether `c` is refused in submitted text.
pub fn refused(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether any character of `s` is refused.
pub fn holds_refused(s: &str) -> bool {
    s.chars().any(refused)
}

/// What is wrong, for the API's error message (the field is named beside it).
pub fn api_message(field: &str) -> String {
    format!(
        "{field} contains a character that cannot be accepted (a control character such as NUL, or one that \
         changes the direction of text); remove it"
    )
}

/// The first string in a JSON value holding a refused character, by its path
/// as the API names fields (`venues[0].name`; `.` for the body itself).
pub fn refused_in_json(v: &serde_json::Value) -> Option<String> {
    fn walk(v: &serde_json::Value, path: &mut String) -> Option<String> {
        match v {
            serde_json::Value::String(s) if holds_refused(s) => {
                Some(if path.is_empty() { ".".to_string() } else { path.clone() })
            }
            serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            _ => None,
        }
    }
    walk(v, &mut String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_and_direction_characters_are_refused_and_line_breaks_are_not() {
        for c in ['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}'] {
            assert!(refused(c), "{c:?}");
        }
        for c in ['\n', '\r', '\t', ' ', 'é', '\u{200f}', '\u{2070}', '\u{202f}', 'ا'] {
            assert!(!refused(c), "{c:?}");
        }
    }

    #[test]
    fn the_json_path_names_the_field() {
        assert_eq!(refused_in_json(&json!({"name": "Fine\nline", "n": 3})), None);
        assert_eq!(refused_in_json(&json!({"name": "a\u{0}b"})).as_deref(), Some("name"));
        assert_eq!(
            refused_in_json(&json!({"venues": [{"name": "ok"}, {"name": "gpj.\u{202e}exe"}]})).as_deref(),
            Some("venues[1].name")
        );
        assert_eq!(refused_in_json(&json!(["x", "\u{2066}"])).as_deref(), Some("[1]"));
        assert_eq!(refused_in_json(&json!("\u{0}")).as_deref(), Some("."));
    }
}

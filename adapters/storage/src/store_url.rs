//! Store URLs and their passwords: a password never stays in the settings file or reaches a
//! message. The settings keep the URL without it; the secret store keeps the password under
//! that URL.

use url::Url;

/// `url` with any password replaced by `***`, for messages.
pub fn without_password(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string().replace("%2A%2A%2A", "***")
        }
        Ok(_) => url.to_owned(),
        // Not a URL we can read: hide everything that could be credentials.
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(start), Some(at)) if at > start => {
                format!("{}://***{}", &url[..start], &url[at..])
            }
            _ => url.to_owned(),
        },
    }
}

/// Splits the password out of `url`: the URL without it, and the password (decoded).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Ok(mut parsed) = Url::parse(url) else {
        return (url.to_owned(), None);
    };
    let Some(password) = parsed.password().map(str::to_owned) else {
        return (url.to_owned(), None);
    };
    let _ = parsed.set_password(None);
    let password = percent_encoding::percent_decode_str(&password)
        .decode_utf8_lossy()
        .into_owned();
    (parsed.to_string(), Some(password))
}

/// `url` with `password` put in (encoded as a URL needs it).
pub fn with_password(url: &str, password: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_owned();
    };
    if parsed.set_password(Some(password)).is_err() {
        return url.to_owned();
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            without_password("postgres://wink:s3cret@db.example.com:5432/wink"),
            "postgres://wink:***@db.example.com:5432/wink"
        );
        assert_eq!(
            without_password("postgres://wink@127.0.0.1/wink"),
            "postgres://wink@127.0.0.1/wink"
        );
        assert_eq!(
            without_password("postgres://wink:p@ss word@[bad/x"),
            "postgres://***@[bad/x"
        );
        assert_eq!(without_password("not a url"), "not a url");
    }

    #[test]
    fn a_password_is_split_out_and_put_back_whole() {
        let url = with_password("postgres://wink@db.example.com/wink", "p@ss:wörd/%");
        let (bare, password) = split_password(&url);
        assert_eq!(bare, "postgres://wink@db.example.com/wink");
        assert_eq!(password.as_deref(), Some("p@ss:wörd/%"));
        assert_eq!(
            split_password("postgres://wink@db/wink"),
            ("postgres://wink@db/wink".to_owned(), None)
        );
    }
}

//! Is-composing (RFC 3994): the `application/im-iscomposing+xml` document a chat sends when
//! its user starts or stops typing. An `active` state holds for its `refresh` seconds
//! unless renewed; a line that arrives ends it.

/// The content type of the document.
pub const CONTENT_TYPE: &str = "application/im-iscomposing+xml";

/// How long an `active` state we send holds, in seconds: frontends renew it sooner while
/// the user types.
pub const REFRESH_SECS: u32 = 60;

/// The document for typing (`true`) or stopped.
#[must_use]
pub fn document(active: bool) -> String {
    let (state, refresh) = if active {
        ("active", format!("<refresh>{REFRESH_SECS}</refresh>\r\n"))
    } else {
        ("idle", String::new())
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
         <isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\r\n\
         <state>{state}</state>\r\n{refresh}\
         <contenttype>text/plain</contenttype>\r\n\
         </isComposing>\r\n"
    )
}

/// Reads a document: whether it says `active` (else `idle`); `None` when it says neither.
#[must_use]
pub fn read(xml: &str) -> Option<bool> {
    let open = xml.find("<state")?;
    let start = open + xml[open..].find('>')? + 1;
    let end = start + xml[start..].find("</state>")?;
    match xml[start..end].trim() {
        "active" => Some(true),
        "idle" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_states_read_back_and_other_documents_do_not() {
        assert_eq!(read(&document(true)), Some(true));
        assert!(document(true).contains("<refresh>60</refresh>"));
        assert_eq!(read(&document(false)), Some(false));
        assert_eq!(
            read("<isComposing><state>sleepy</state></isComposing>"),
            None
        );
        assert_eq!(read("garbage"), None);
    }
}

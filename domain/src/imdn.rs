//! Delivery notifications (IMDN, RFC 5438): the `message/imdn+xml` document that tells a
//! sender its message was delivered, written when a received line asks for one and read
//! when one comes back for a line of ours. Only delivery is handled (not display).

use wink_ports::UnixMillis;

/// The content type of a notification.
pub const CONTENT_TYPE: &str = "message/imdn+xml";

/// The notification that the message `message_id` (the sender's `imdn.Message-ID`) was
/// delivered at `at`.
#[must_use]
pub fn delivered(message_id: &str, at: UnixMillis) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
         <imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n\
         <message-id>{}</message-id>\r\n\
         <datetime>{}</datetime>\r\n\
         <delivery-notification><status><delivered/></status></delivery-notification>\r\n\
         </imdn>\r\n",
        escape(message_id),
        crate::cpim::rfc3339(at)
    )
}

/// Reads a delivery notification: the message it is about, and whether it was delivered
/// (`false`: failed, or an error). `None` for a document that is no delivery notification
/// (a display notification, or nothing readable).
#[must_use]
pub fn read_notification(xml: &str) -> Option<(String, bool)> {
    let message_id = between(xml, "message-id")?.trim();
    if message_id.is_empty() {
        return None;
    }
    let status = between(xml, "delivery-notification")?;
    let delivered = status.contains("<delivered");
    let failed = status.contains("<failed") || status.contains("<error");
    (delivered || failed).then(|| (unescape(message_id), delivered))
}

/// The text between `<name…>` and `</name>` (no namespace prefixes: what clients send).
fn between<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = xml.find(&format!("<{name}"))?;
    let start = open + xml[open..].find('>')? + 1;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(&xml[start..end])
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_we_write_reads_back_as_delivered() {
        let xml = delivered("m<1>", UnixMillis(0));
        assert!(xml.contains("<message-id>m&lt;1&gt;</message-id>"), "{xml}");
        assert_eq!(read_notification(&xml), Some(("m<1>".to_owned(), true)));
    }

    #[test]
    fn a_failed_delivery_reads_as_not_delivered_and_display_is_ignored() {
        // RFC 5438 §7.2.1.2's shape, as Blink sends it.
        let failed = "<?xml version=\"1.0\"?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\
            <message-id>34jk324j</message-id><datetime>2008-04-04T12:16:49-05:00</datetime>\
            <delivery-notification><status><failed/></status></delivery-notification></imdn>";
        assert_eq!(
            read_notification(failed),
            Some(("34jk324j".to_owned(), false))
        );
        let displayed = "<imdn><message-id>x</message-id>\
            <display-notification><status><displayed/></status></display-notification></imdn>";
        assert_eq!(read_notification(displayed), None);
        assert_eq!(read_notification("not xml at all"), None);
        assert_eq!(read_notification("<message-id></message-id>"), None);
    }
}

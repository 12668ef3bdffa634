//! Contacts and groups from the command line, kept in the settings file.

mod common;

use common::{Sandbox, wink_err, wink_ok};

#[test]
fn add_move_search_and_remove_contacts_and_groups() {
    let sandbox = Sandbox::new();
    wink_ok(&sandbox, &["contacts", "group", "add", "Work"], "");
    wink_ok(&sandbox, &["contacts", "group", "add", "Family"], "");
    assert!(
        wink_err(&sandbox, &["contacts", "group", "add", "work"], "").contains("already exists")
    );
    wink_ok(
        &sandbox,
        &[
            "contacts",
            "add",
            "Ann Lee",
            "--address",
            "ann@example.com",
            "--group",
            "Work",
        ],
        "",
    );
    wink_ok(
        &sandbox,
        &[
            "contacts",
            "add",
            "Bob",
            "--phone",
            "+44 20 7946 0000",
            "--alias",
            "bobby",
            "--group",
            "Work",
        ],
        "",
    );
    wink_ok(
        &sandbox,
        &["contacts", "add", "Carol", "--address", "carol@example.com"],
        "",
    );

    let listing = wink_ok(&sandbox, &["contacts", "list"], "");
    let order: Vec<&str> = listing.lines().map(str::trim).collect();
    assert_eq!(order[0], "Work");
    assert!(
        order[1].contains("Ann Lee") && order[2].contains("Bob"),
        "{listing}"
    );
    assert_eq!(order[3], "Family");
    assert_eq!(
        order[4], "Contacts",
        "the default group is created on demand"
    );

    wink_ok(&sandbox, &["contacts", "move", "bob", "--to", "Family"], "");
    wink_ok(
        &sandbox,
        &[
            "contacts",
            "move",
            "Carol",
            "--to",
            "Work",
            "--position",
            "0",
        ],
        "",
    );
    let listing = wink_ok(&sandbox, &["contacts", "list"], "");
    let lines: Vec<&str> = listing.lines().collect();
    assert!(
        lines[1].contains("Carol") && lines[2].contains("Ann Lee"),
        "{listing}"
    );
    assert!(lines[4].contains("Bob"), "{listing}");

    assert!(
        wink_ok(
            &sandbox,
            &["contacts", "list", "--search", "0044 20 7946"],
            ""
        )
        .contains("Bob")
    );
    assert!(wink_ok(&sandbox, &["contacts", "list", "--search", "bobby"], "").contains("Bob"));
    let by_domain = wink_ok(
        &sandbox,
        &["contacts", "list", "--search", "example.com"],
        "",
    );
    assert_eq!(by_domain.lines().count(), 2, "{by_domain}");

    assert!(
        wink_err(&sandbox, &["contacts", "group", "remove", "Family"], "")
            .contains("still has contacts")
    );
    wink_ok(
        &sandbox,
        &["contacts", "group", "rename", "Family", "Home"],
        "",
    );
    wink_ok(&sandbox, &["contacts", "remove", "Bob"], "");
    wink_ok(&sandbox, &["contacts", "group", "remove", "Home"], "");
    let listing = wink_ok(&sandbox, &["contacts", "list"], "");
    assert!(
        !listing.contains("Home") && !listing.contains("Bob"),
        "{listing}"
    );
}

"""100,000 contacts, driven through AT-SPI: the list shows the groups with their counts,
search finds a contact by name, by part of a number and by address as you type, a group
folds, and every control is named.

Environment: WINK_BIN, WINK_HOME (a profile with the contacts already in the store and an
account at the test kamailio), WINK_SCREENSHOTS (optional)."""

import os
import sys

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wink_atspi import Failure, log, run_scenario  # noqa: E402

env = os.environ


def run(app):
    app.wait_label("Registered", timeout=30)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group 0, 10,000 contacts", timeout=60)
    log("the list shows 100,000 contacts in ten groups")
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name: " + "; ".join(missing))
    app.screenshot("8-hundred-thousand-contacts", dark_too=False)
    search = app.find(pyatspi.ROLE_ENTRY, "Search or call")
    for query, wanted in (
        ("Person 99999", "Person 99999"),
        ("20 04242", "Person 4242"),
        ("p77777@", "Person 77777"),
    ):
        app.type_into(search, query)
        app.find(pyatspi.ROLE_LIST_ITEM, contains=wanted, timeout=10)
        log(f"found {wanted!r} by typing {query!r}")
        if query == "20 04242":
            # The places of the previous results now show these (rebound, not remade).
            app.screenshot("8-search-by-number", dark_too=False)
    app.type_into(search, "")
    header = app.find(pyatspi.ROLE_LIST_ITEM, contains="Group 0, 10,000 contacts")
    app.key_on(header, "Return")
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group 0, 10,000 contacts, folded", timeout=10)
    log("a group folds")


if __name__ == "__main__":
    run_scenario(run)

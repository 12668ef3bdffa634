"""From first start to finished calls, driven through AT-SPI:

1. Wink starts on an empty profile and shows the Add Account dialog; the test fills in
   address, password and (under Advanced) the test kamailio as outbound proxy, presses
   Add, and sees the account "Registered" in the account selector.
2. Every control of the main window and the dialog has an accessible name.
3. It types a baresip's address in the search bar, presses Enter, sees "Connected" (and
   baresip's log says the call is established), then hangs up.
4. A second baresip calls in: the alert shows, Accept answers it, Hold puts it on hold,
   Resume takes it back.
4b. A call to the first baresip too, merged with the caller's into a conference; the
   caller muted for everyone and back; the first baresip hung up on.
5. Transfer sends that caller to the first baresip: our call ends, baresip's log shows
   the new call established.

Environment: WINK_BIN, WINK_HOME, WINK_ACCOUNT (user@wink.test), WINK_PASSWORD,
WINK_PROXY (host:port), WINK_CALLEE (address of an auto-answering baresip) and
WINK_CALLEE_LOG, WINK_CALLER_NAME (baresip instance that will call us), WINK_CTL (path of
baresip-ctl.py), WINK_SCREENSHOTS (folder for screenshots, optional)."""

import os
import subprocess
import sys
import time

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wink_atspi import Failure, log, run_scenario, text_of, wait_for  # noqa: E402

env = os.environ


def baresip_log_contains(path, text):
    try:
        with open(path) as handle:
            return text in handle.read()
    except OSError:
        return False


def app_nodes(app):
    from wink_atspi import walk

    return walk(app.root)


def baresip_log_count(path, text):
    try:
        with open(path) as handle:
            return handle.read().count(text)
    except OSError:
        return 0


def run(app):
    # 1. First start: the Add Account dialog.
    app.find(pyatspi.ROLE_FRAME, "Welcome to Wink")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "SIP address (user@example.com)"), env["WINK_ACCOUNT"])
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Password"), env["WINK_PASSWORD"])
    app.press("Advanced", pyatspi.ROLE_LIST_ITEM)
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Outbound proxy (sip.example.com:5060)"), env["WINK_PROXY"])
    app.screenshot("1-add-account")
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name in the Add Account dialog: " + "; ".join(missing))
    app.press("Add")
    app.wait_label("Registered", timeout=30)
    app.wait_closed("Welcome to Wink")

    # 2. Every control of the main window is named.
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name: " + "; ".join(missing))
    log("every control has a name")
    app.screenshot("2-main-registered")

    # 3. Call the callee from the search bar.
    search = app.find(pyatspi.ROLE_ENTRY, "Search or call")
    app.type_into(search, env["WINK_CALLEE"])
    app.find(pyatspi.ROLE_LIST_ITEM, contains=f"Call {env['WINK_CALLEE']}")
    app.activate(search)  # Enter
    app.wait_label("Connected", timeout=20)
    wait_for("baresip to report the call established",
             lambda: baresip_log_contains(env["WINK_CALLEE_LOG"], "Call established"), timeout=10)
    log("baresip: call established")
    app.wait_label("jitter", timeout=10)  # statistics arrived: codec, encryption, quality
    app.screenshot("3-calls-pane-with-a-call")
    # DTMF from the dial pad reaches baresip (RFC 4733 events in the audio stream).
    watcher = subprocess.Popen(
        [sys.executable, env["WINK_CTL"], "--name", env["WINK_CALLEE_NAME"], "--wait", "CALL_DTMF_START",
         "--timeout", "20"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    app.press("Dial pad")
    app.screenshot("3-dial-pad-in-a-call", dark_too=False)
    app.press("4")
    event, _ = watcher.communicate(timeout=25)
    if watcher.returncode != 0 or '"param": "4"' not in event:
        raise Failure(f"baresip did not hear the DTMF key 4: {event!r}")
    log("baresip: DTMF 4 received")
    app.press("Dial pad")
    app.press("Hang up")
    app.wait_label("Call ended", timeout=10)
    log("hung up")
    app.wait_no_label("Call ended")  # the ended call leaves the pane after a moment

    # 4. The second baresip calls us: accept, hold, hang up.
    subprocess.run([sys.executable, env["WINK_CTL"], "--name", env["WINK_CALLER_NAME"],
                    "dial", f"sip:{env['WINK_ACCOUNT']}"], check=True, timeout=15)
    app.find(pyatspi.ROLE_FRAME, contains="Incoming call from", timeout=20)
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name in the incoming-call alert: " + "; ".join(missing))
    app.screenshot("4-incoming-call")
    app.press("Accept")
    app.wait_label("Connected", timeout=20)
    app.press("Hold")  # a toggle: GTK 4.8 reports it as a push button
    app.wait_label("On hold", timeout=15)
    app.press("Resume")
    app.wait_label("Connected", timeout=15)
    log("incoming call accepted, held and resumed")

    # 4b. A conference: call the first baresip too (the caller goes on hold), merge the two
    # calls, mute the caller for everyone and back, then hang up on the first baresip: the
    # caller's call is an ordinary call again.
    established_before = baresip_log_count(env["WINK_CALLEE_LOG"], "Call established")
    search = app.find(pyatspi.ROLE_ENTRY, "Search or call")
    app.type_into(search, env["WINK_CALLEE"])
    app.find(pyatspi.ROLE_LIST_ITEM, contains=f"Call {env['WINK_CALLEE']}")
    app.activate(search)
    wait_for("the second call to reach baresip",
             lambda: baresip_log_count(env["WINK_CALLEE_LOG"], "Call established") > established_before,
             timeout=15)
    app.wait_label("On hold", timeout=15)
    app.type_into(search, "")
    app.press("Merge Calls")
    wait_for("both calls in the conference",
             lambda: len([n for n in app_nodes(app) if n.getRole() == pyatspi.ROLE_LABEL
                          and text_of(n) == "In conference"]) == 2, timeout=15)
    app.press("Mute for everyone")
    app.wait_label("In conference, muted for everyone", timeout=10)
    app.screenshot("4-conference")
    app.press("Unmute for everyone")
    app.wait_no_label("muted for everyone", timeout=10)
    hang_ups = app.find_all(pyatspi.ROLE_PUSH_BUTTON, "Hang up")
    if len(hang_ups) != 2:
        raise Failure(f"two calls should show, found {len(hang_ups)} Hang up buttons")
    app.press_node(hang_ups[1], "Hang up (the first baresip)")
    app.wait_no_label("In conference", timeout=15)
    app.wait_no_label("Call ended", timeout=15)
    app.wait_label("Connected", timeout=10)
    log("conference: merged, a participant muted for everyone and back, ended by a hang-up")

    # 5. Blind transfer of the caller to the first baresip: our call ends, theirs starts.
    established_before = baresip_log_count(env["WINK_CALLEE_LOG"], "Call established")
    app.press("Transfer call")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Transfer to"), env["WINK_CALLEE"])
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name in the transfer popover: " + "; ".join(missing))
    app.screenshot("5-transfer", dark_too=False)
    app.press("Transfer")
    app.wait_label("Call ended", timeout=20)
    wait_for("the transferred call to reach baresip",
             lambda: baresip_log_count(env["WINK_CALLEE_LOG"], "Call established") > established_before,
             timeout=15)
    log("transferred: the caller is now talking to the first baresip")
    app.wait_no_label("Call ended")

    # 6. Compact view and back (Ctrl+Shift+C), then the dial pad types into the search bar.
    search = app.find(pyatspi.ROLE_ENTRY, "Search or call")
    app.key_on(search, "ctrl+shift+c")
    app.screenshot("5-compact", dark_too=False)
    app.key_on(search, "ctrl+shift+c")
    app.press("Dial pad")
    for key in ("0", "1", "2"):
        app.press(key)
    wait_for("the dial pad to type 012", lambda: text_of(search) == "012", timeout=5)
    app.press("Dial pad")
    app.type_into(search, "")
    log("compact view and the dial pad work")

    # 7. Contacts: add one (Ctrl+N), find it and call it, edit it from its menu, delete it.
    search = app.find(pyatspi.ROLE_ENTRY, "Search or call")
    app.key_on(search, "ctrl+n")
    app.find(pyatspi.ROLE_FRAME, "New Contact")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Name"), "Bob Eighty")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "SIP addresses (commas between them)"), env["WINK_CALLEE"])
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Phone numbers (commas between them)"), "+44 20 7946 0081")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Group"), "Friends")
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name in the contact editor: " + "; ".join(missing))
    app.screenshot("6-contact-editor")
    app.press("Save")
    app.wait_closed("New Contact")
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group Friends, 1 contact")
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Bob Eighty")
    app.screenshot("7-main-with-contacts")
    app.type_into(search, "7946 008")
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Bob Eighty")
    app.type_into(search, "eighty")
    row = app.find(pyatspi.ROLE_LIST_ITEM, contains="Bob Eighty")
    app.activate(search)
    app.wait_label("Connected", timeout=20)
    app.press("Hang up")
    app.wait_label("Call ended", timeout=10)
    log("the contact was found by name and by number, and called")
    app.wait_no_label("Call ended")
    row = app.find(pyatspi.ROLE_LIST_ITEM, contains="Bob Eighty")
    app.right_click(row)
    app.press("Edit…", pyatspi.ROLE_MENU_ITEM)
    app.find(pyatspi.ROLE_FRAME, "Edit Contact")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Name"), "Robert Eighty")
    app.press("Save")
    app.wait_closed("Edit Contact")
    # Drag and drop: a second contact in Work; Robert is dragged onto the Work header.
    app.type_into(search, "")
    app.key_on(search, "ctrl+n")
    app.find(pyatspi.ROLE_FRAME, "New Contact")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Name"), "Ann Eighty")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "SIP addresses (commas between them)"), "ann80@wink.test")
    app.type_into(app.find(pyatspi.ROLE_TEXT, "Group"), "Work")
    app.press("Save")
    app.wait_closed("New Contact")
    work = app.find(pyatspi.ROLE_LIST_ITEM, contains="Group Work, 1 contact")
    app.drag(app.find(pyatspi.ROLE_LIST_ITEM, contains="Robert Eighty"), work)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group Work, 2 contacts", timeout=10)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group Friends, empty", timeout=10)
    log("a contact was dragged to another group")
    app.right_click(app.find(pyatspi.ROLE_LIST_ITEM, contains="Ann Eighty"))
    app.press("Add to Favorites", pyatspi.ROLE_MENU_ITEM)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group Favorites, 1 contact", timeout=10)
    log("a contact became a favorite: the Favorites group shows first")
    row = app.find(pyatspi.ROLE_LIST_ITEM, contains="Robert Eighty")
    app.right_click(row)
    app.press("Delete…", pyatspi.ROLE_MENU_ITEM)
    # libadwaita 1.2 names a message dialog's buttons twice ("Delete Delete").
    dialog = app.find(pyatspi.ROLE_DIALOG, "Delete Robert Eighty?")
    app.press(None, contains="Delete", within=dialog)
    app.wait_for_no_item("Robert Eighty")
    log("the contact was edited and deleted")


if __name__ == "__main__":
    run_scenario(run)

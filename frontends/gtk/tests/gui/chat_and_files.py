"""Chats and files with a second party, a wink-cli process (its own account on the test
kamailio), driven through AT-SPI:

1. Send Message in a contact's menu opens the chat window with the contact's tab; Start
   Chat Session connects to `wink-cli listen --auto-answer`; a line typed and sent with
   Enter (a second one with Shift+Enter inside) arrives there and shows Delivered; the
   peer's answer (`say`) shows in the tab. Typing tells the peer we type, and sending the
   line that we stopped; the peer's typing (the phone's event, caused through a test hook:
   wink-cli never types) shows under the conversation until their next line. Once the
   peer is gone a line fails with the phone's reason (480: not reachable now); with the
   peer back, Resend sends that same line (one row, no copy) and it arrives.
2. Send File… in the contact's menu, a 200 MB file picked in the file chooser: the
   transfers window shows its row, the progress seen moving (speed and time left), then
   Sent; `wink-cli accept-files` saved it byte for byte.
3. `wink-cli send-file` offers us a file: the alert says who sends which file and its
   size; Accept saves it in the profile's downloads folder (byte for byte) and its row
   offers Open and Show in Folder.
4. `wink-cli chat` invites us: the alert says it is a chat (not a call: no devices, no
   Busy, no answering machine); accepted, the line typed before shows in its own tab.
Every control of the chat window, the transfers window and both alerts has a name;
screenshots of the chat window, the transfers window and both alerts, light and dark.

Environment: WINK_BIN, WINK_HOME, WINK_ACCOUNT, WINK_CLI, WINK_PEER (address),
WINK_PEER_NAME (its contact's name), WINK_PEER_ROOT, WINK_PEER_CONFIG, WINK_PEER_DATA (its
sandbox), WINK_OUR_FILE, WINK_THEIR_FILE, WINK_DOWNLOADS (the app's downloads folder), WINK_PART (outgoing: 1 and 2; incoming: 3 and 4),
WINK_SCREENSHOTS (optional)."""

import filecmp
import os
import signal
import subprocess
import sys
import time

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wink_atspi import Failure, log, name, role, run_scenario, showing, text_of, wait_for, walk  # noqa: E402

env = os.environ
peers = []


class Peer:
    """A wink-cli process of the second party, its output in a file."""

    def __init__(self, label, *args, stdin=None):
        self.out_path = os.path.join(env["WINK_PEER_ROOT"], f"{label}.out")
        peer_env = dict(os.environ)
        peer_env.update(
            HOME=env["WINK_PEER_ROOT"],
            XDG_CONFIG_HOME=env["WINK_PEER_CONFIG"],
            XDG_DATA_HOME=env["WINK_PEER_DATA"],
            XDG_STATE_HOME=os.path.join(env["WINK_PEER_ROOT"], "state"),
        )
        self.process = subprocess.Popen(
            [env["WINK_CLI"], *args], env=peer_env, stdin=subprocess.PIPE if stdin is None else stdin,
            stdout=open(self.out_path, "w"), stderr=subprocess.STDOUT, text=True,
        )
        self.label = label
        peers.append(self)

    def count(self, text):
        return self.said().count(text)

    def said(self):
        try:
            with open(self.out_path) as handle:
                return handle.read()
        except OSError:
            return ""

    def wait_for(self, text, timeout=20):
        def seen():
            if text in self.said():
                return True
            if self.process.poll() is not None:
                raise Failure(f"wink-cli {self.label} exited ({self.process.returncode}): {self.said()}")
            return False

        try:
            wait_for(f"wink-cli {self.label} to print {text!r}", seen, timeout)
        except Failure as failure:
            raise Failure(f"{failure}\nwink-cli {self.label} printed:\n{self.said()}") from None
        log(f"peer ({self.label}): {text!r}")

    def say(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self):
        """Ctrl-C: it unregisters and ends."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def listening(label, *args):
    peer = Peer(label, *args, "--bind", "127.0.0.1:0", "--audio", "none", "--duration", "300")
    peer.wait_for("listening", timeout=20)
    return peer


def key(*keys):
    subprocess.run(["xdotool", "key", *keys], check=True, timeout=10)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "20", text], check=True, timeout=30)


def check_named(app, where):
    missing = app.unnamed_controls()
    if missing:
        raise Failure(f"controls without an accessible name ({where}): " + "; ".join(missing))
    log(f"every control is named: {where}")


def contact_menu(app, item):
    row = app.find(pyatspi.ROLE_LIST_ITEM, contains=env["WINK_PEER_NAME"], timeout=20)
    app.right_click(row)
    app.press(item, pyatspi.ROLE_MENU_ITEM)


def chat(app):
    peer_name, account = env["WINK_PEER_NAME"], env["WINK_ACCOUNT"]
    listener = listening("listen", "listen", "--auto-answer")
    contact_menu(app, "Send Message")
    app.find(pyatspi.ROLE_FRAME, "Chats")
    entry = app.find(pyatspi.ROLE_TEXT, f"Message to {peer_name}")
    app.wait_label("Short messages")
    check_named(app, "the chat window")
    app.press("Start Chat Session")
    app.wait_label("Chat session connected", timeout=20)
    app.click(entry)
    type_text("hello bob")
    listener.wait_for("the other side is typing")
    key("Return")
    app.find(pyatspi.ROLE_LIST_ITEM, contains="hello bob. Delivered", timeout=20)
    listener.wait_for(f"message from {account}: hello bob")
    # Stopped right after the line, not before it.
    listener.wait_for("the other side stopped typing")
    said = listener.said()
    if said.index(f"message from {account}: hello bob") > said.index("the other side stopped typing"):
        raise Failure(f"'stopped typing' reached the peer before the line:\n{said}")
    log("typing reached the peer, and stopped typing after the line")
    # Shift+Enter starts a new line inside the same message.
    app.click(entry)
    type_text("two")
    key("shift+Return")
    type_text("lines")
    key("Return")
    row = app.find(pyatspi.ROLE_LIST_ITEM, contains="lines. Delivered", timeout=20)
    if "two\nlines" not in name(row):
        raise Failure(f"Shift+Enter did not make one message of two lines: {name(row)!r}")
    listener.wait_for(f"message from {account}: two")
    log("sent with Enter, a new line with Shift+Enter, both delivered")
    # Typing again, then emptying the entry: stopped without a line.
    typing_before = listener.count("the other side is typing")
    app.click(entry)
    type_text("oops")
    wait_for("the peer to hear typing again", lambda: listener.count("the other side is typing") > typing_before)
    stopped_before = listener.count("the other side stopped typing")
    key("ctrl+a", "BackSpace")
    wait_for("the peer to hear we stopped", lambda: listener.count("the other side stopped typing") > stopped_before)
    log("an emptied entry says stopped typing")
    listener.say("say hi alice")
    app.find(pyatspi.ROLE_LIST_ITEM, contains=": hi alice", timeout=20)
    log("the peer's line shows in the tab")
    app.screenshot("20-chat")
    their_typing(app, listener)
    listener.stop()
    app.wait_label("Short messages", timeout=20)
    log("the chat ended with the peer: lines go as short messages again")
    failed_line_and_resend(app, entry)
    close_window(app, "Chats")


def their_typing(app, listener):
    """The peer's typing under the conversation, until their line."""
    typing = f"{env['WINK_PEER_NAME']} is typing…"
    app._app_action("peer-typing", env["WINK_PEER"])
    app.wait_label(typing, timeout=10)
    check_named(app, "the chat window, the peer typing")
    app.screenshot("26-typing")
    listener.say("say almost done")
    app.find(pyatspi.ROLE_LIST_ITEM, contains=": almost done", timeout=20)
    app.wait_no_label(typing, timeout=10)
    log("the peer's typing showed, and their line ended it")


def failed_line_and_resend(app, entry):
    """The peer is gone: a short message fails with the phone's reason; with the peer back,
    Resend sends that same line."""
    account = env["WINK_ACCOUNT"]
    app.click(entry)
    type_text("are you there")
    key("Return")
    failed = "are you there. Not delivered: the other side is not reachable now"
    app.find(pyatspi.ROLE_LIST_ITEM, contains=failed, timeout=30)
    resend = app.find(pyatspi.ROLE_PUSH_BUTTON, "Resend “are you there”", timeout=10)
    check_named(app, "the chat window, a failed line")
    app.screenshot("27-failed-line")
    log("the failed line says why, with Resend beside it")
    back = listening("listen-again", "listen")
    app.press_node(resend, "Resend “are you there”")
    back.wait_for(f"message from {account}: are you there", timeout=30)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="are you there. Delivered", timeout=20)
    rows = [node for node in walk(app.root)
            if role(node) == pyatspi.ROLE_LIST_ITEM and showing(node) and "are you there" in name(node)]
    if len(rows) != 1:
        raise Failure(f"Resend made another copy of the line: {[name(r) for r in rows]}")
    log("Resend sent the same line again, and it arrived")
    back.stop()


def top_level(app, containing, timeout=20):
    """A window whose name holds `containing`, whatever role GTK 4.8 gives it (its file
    chooser dialog reads as "filler")."""
    def probe():
        for index in range(app.root.childCount):
            window = app.root.getChildAtIndex(index)
            if window is not None and containing in name(window) and showing(window):
                return window
        return None

    return wait_for(f"the window {containing!r}", probe, timeout)


def close_window(app, title):
    """Closes a window with its own Close button (without a window manager every window
    sits at the screen's origin, over the main window)."""
    window = app.find(pyatspi.ROLE_FRAME, title)
    app.press("Close", within=window)
    app.wait_closed(title)


def progress_seen(app, file_name):
    """The texts under the row's bar while it runs, until it says Sent."""
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for node in walk(app.root):
            if role(node) == pyatspi.ROLE_LABEL and showing(node):
                text = text_of(node)
                if (" of " in text and "/s" in text) and text not in seen:
                    seen.append(text)
                if text.startswith("Sent:"):
                    return seen
                if text.startswith("Failed") or "declined" in text:
                    raise Failure(f"the transfer of {file_name} failed: {text}")
        time.sleep(0.05)
    raise Failure(f"the transfer of {file_name} did not end; progress seen: {seen}")


def send_file(app):
    ours = env["WINK_OUR_FILE"]
    file_name = os.path.basename(ours)
    downloads = os.path.join(env["WINK_PEER_ROOT"], "incoming")
    receiver = listening("accept-files", "accept-files", downloads)
    contact_menu(app, "Send File…")
    chooser = top_level(app, "Send Files to")
    log(f"file chooser: {name(chooser)!r}")
    key("ctrl+l")
    time.sleep(0.5)
    type_text(ours)
    time.sleep(0.5)
    key("Return")
    app.find(pyatspi.ROLE_FRAME, "File Transfers", timeout=20)
    app.find(pyatspi.ROLE_PUSH_BUTTON, f"Cancel {file_name}", timeout=20)
    check_named(app, "the transfers window, a transfer running")
    seen = progress_seen(app, file_name)
    if len(seen) < 2:
        raise Failure(f"the progress was not seen moving: {seen}")
    log(f"progress seen moving: {seen[0]!r} … {seen[-1]!r} ({len(seen)} steps)")
    # The file takes its name only once whole and its SHA-1 checked.
    saved = os.path.join(downloads, file_name)
    wait_for(f"{saved} to be saved", lambda: os.path.exists(saved), timeout=60)
    if not filecmp.cmp(ours, saved, shallow=False):
        raise Failure(f"{saved} differs from {ours}")
    log("the file arrived byte for byte")
    app.find(pyatspi.ROLE_PUSH_BUTTON, f"Show {file_name} in Folder", timeout=10)
    check_named(app, "the transfers window, the transfer over")
    app.screenshot("21-transfers")
    receiver.stop()
    close_window(app, "File Transfers")


def receive_file(app):
    theirs = env["WINK_THEIR_FILE"]
    file_name = os.path.basename(theirs)
    sender = Peer("send-file", "send-file", "--bind", "127.0.0.1:0", "--timeout", "10", env["WINK_ACCOUNT"], theirs,
                  stdin=subprocess.DEVNULL)
    # The sender is a contact: the alert names them as the address book does.
    alert = app.find(pyatspi.ROLE_FRAME, f"Incoming file from {env['WINK_PEER_NAME']}", timeout=30)
    log(f"alert: {name(alert)!r}")
    app.find(pyatspi.ROLE_LABEL, contains=f"wants to send you {file_name}, 3.1 MB", timeout=10)
    check_named(app, "the incoming file alert")
    not_a_call(app, alert)
    app.screenshot("22-incoming-file")
    app.press("Accept", within=alert)
    app.find(pyatspi.ROLE_LABEL, contains="Saved to", timeout=30)
    saved = os.path.join(env["WINK_DOWNLOADS"], file_name)
    wait_for(f"{saved}", lambda: os.path.exists(saved), timeout=10)
    if not filecmp.cmp(theirs, saved, shallow=False):
        raise Failure(f"{saved} differs from {theirs}")
    log("the offered file was accepted and saved byte for byte")
    app.find(pyatspi.ROLE_PUSH_BUTTON, f"Open {file_name}", timeout=10)
    app.find(pyatspi.ROLE_PUSH_BUTTON, f"Show {file_name} in Folder", timeout=10)
    check_named(app, "the transfers window, a received file")
    app.screenshot("23-received-file", dark_too=False)
    sender.wait_for("the file arrived at", timeout=30)


def not_a_call(app, alert):
    """A file or chat alert has none of a call's: its wording, Busy, the audio devices,
    the answering machine's countdown."""
    for node in walk(alert):
        if not showing(node):
            continue
        said = name(node) if role(node) != pyatspi.ROLE_LABEL else text_of(node)
        for call_only in ("Incoming call", "answering machine", "Microphone", "Busy"):
            if call_only in said:
                raise Failure(f"the alert {name(alert)!r} reads as a call: {said!r}")


def incoming_chat(app):
    peer = env["WINK_PEER"]
    inviter = Peer("chat", "chat", "--bind", "127.0.0.1:0", "--timeout", "10", env["WINK_ACCOUNT"])
    inviter.say("a line before you accept")
    alert = app.find(pyatspi.ROLE_FRAME, f"Incoming chat from {env['WINK_PEER_NAME']}", timeout=30)
    log(f"alert: {name(alert)!r}")
    app.find(pyatspi.ROLE_LABEL, contains=peer, within=alert, timeout=10)
    app.find(pyatspi.ROLE_LABEL, contains="wants to chat", within=alert, timeout=10)
    app.find(pyatspi.ROLE_PUSH_BUTTON, "Decline", within=alert, timeout=10)
    check_named(app, "the chat invitation")
    not_a_call(app, alert)
    app.screenshot("24-incoming-chat")
    app.press("Accept", within=alert)
    app.find(pyatspi.ROLE_FRAME, "Chats", timeout=20)
    app.find(pyatspi.ROLE_LIST_ITEM, contains=": a line before you accept", timeout=20)
    app.wait_label("Chat session connected", timeout=10)
    inviter.wait_for("line 1: delivered", timeout=20)
    app.find(pyatspi.ROLE_FRAME, "Chats")
    app.screenshot("25-accepted-chat", dark_too=False)
    inviter.process.stdin.close()
    log("an incoming chat, accepted, shows in its own tab")


def run(app):
    """WINK_PART=outgoing: 1 and 2; incoming: 3 and 4."""
    app.wait_label("Registered", timeout=30)
    if env.get("WINK_PART", "outgoing") == "outgoing":
        chat(app)
        send_file(app)
    else:
        receive_file(app)
        incoming_chat(app)


def stop_peers():
    for peer in peers:
        peer.stop()
        log(f"wink-cli {peer.label} printed (end):\n{peer.said()[-1500:]}")


if __name__ == "__main__":
    run_scenario(run, after=stop_peers)

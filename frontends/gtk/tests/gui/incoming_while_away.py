"""A call that comes while the user is away from the window:

1. the desktop is told (a notification with Accept and Reject, through a test
   notification server), the account's incoming-call web page opens in the browser
   with the caller filled in, and the ring tone plays on the ringing device (a WAV file
   here);
2. Accept on the notification answers the call, and the ringing stops;
3. a call that rings out unanswered is said as missed: a notification and the count in
   the header bar;
4. Preferences hides the Missed Calls group and switches the answering machine on.

Environment: WINK_BIN, WINK_HOME, WINK_ACCOUNT, WINK_CALLER_NAME, WINK_CALLER_LOG,
WINK_OPENED_URLS, WINK_RING (the ringing device's WAV file), WINK_CTL,
WINK_SCREENSHOTS (optional)."""

import array
import json
import os
import subprocess
import sys
import time

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wink_atspi import Failure, log, run_scenario, wait_for  # noqa: E402

env = os.environ
here = os.path.dirname(os.path.abspath(__file__))


def notifications(path):
    try:
        with open(path) as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except OSError:
        return []


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def loudest_ring():
    """The loudest sample of the ringing device's WAV file so far (0 when there is none)."""
    try:
        with open(env["WINK_RING"], "rb") as handle:
            data = handle.read()[44:]
    except OSError:
        return 0
    samples = array.array("h", data[:len(data) // 2 * 2])
    return max((abs(s) for s in samples), default=0)


def ring_size():
    try:
        return os.path.getsize(env["WINK_RING"])
    except OSError:
        return 0


def wait_ring_stopped():
    """Waits until the ring file stops growing (the tone writes every 20 ms)."""
    last = [ring_size(), time.monotonic()]

    def still():
        size = ring_size()
        if size != last[0]:
            last[:] = [size, time.monotonic()]
            return False
        return time.monotonic() - last[1] >= 1.0

    wait_for("the ring tone to stop", still, timeout=10)


def minimize():
    """Away from the window: it is minimized (by the window manager), so not in front."""
    windows = subprocess.run(["xdotool", "search", "--name", "^Wink$"], capture_output=True, text=True,
                             timeout=10).stdout.split()
    for window in windows:
        subprocess.run(["xdotool", "windowminimize", window], check=True, timeout=10)
    time.sleep(1)
    log("the window is minimized")


def baresip(*command):
    subprocess.run([sys.executable, env["WINK_CTL"], "--name", env["WINK_CALLER_NAME"], *command],
                   check=True, timeout=15, capture_output=True)


def main():
    log_path = os.path.join(env["WINK_HOME"], "notifications.jsonl")
    helpers = []

    def start_helpers():
        helpers.append(subprocess.Popen([sys.executable, os.path.join(here, "fake_notifications.py"),
                                         log_path, "--press", "Accept"]))
        # A window manager, so the window can be minimized as a person would.
        helpers.append(subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for("the test notification server",
                 lambda: any(n.get("ready") for n in notifications(log_path)))

    def stop_helpers():
        log("the caller's log (end):\n" + read(env["WINK_CALLER_LOG"])[-1500:])
        for helper in helpers:
            helper.terminate()

    run_scenario(lambda app: run(app, log_path), start_helpers, stop_helpers)


def run(app, log_path):
    app.wait_label("Registered", timeout=30)
    minimize()

    baresip("dial", f"sip:{env['WINK_ACCOUNT']}")
    incoming = wait_for("the incoming-call notification", lambda: next(
        (n for n in notifications(log_path) if n.get("summary", "").startswith("Incoming call from")), None))
    log(f"notified: {incoming['summary']} ({incoming['body']}) buttons {incoming['buttons']}")
    if incoming["buttons"] != ["Accept", "Reject"] or "carol83@wink.test" not in incoming["summary"]:
        raise Failure(f"unexpected notification: {incoming}")
    urls = wait_for("the incoming-call web page", lambda: read(env["WINK_OPENED_URLS"]), timeout=10)
    if "caller=carol83%40wink.test" not in urls or "user=carol83" not in urls:
        raise Failure(f"the web page was opened without the caller: {urls!r}")
    log(f"web page opened: {urls.strip()}")
    wait_for("the ring tone", lambda: loudest_ring() > 5000, timeout=10)
    log(f"ringing: the ring file has {ring_size()} bytes, loudest sample {loudest_ring()}")
    wait_for("Accept to be pressed on the notification",
             lambda: any(n.get("pressed") == "Accept" for n in notifications(log_path)))
    app.wait_label("Connected", timeout=20)
    wait_ring_stopped()
    log("the ringing stopped when the call was answered")
    wait_for("baresip to see the call answered",
             lambda: "Call established" in read(env["WINK_CALLER_LOG"]), timeout=10)
    log("answered from the notification")
    baresip("hangup")
    app.wait_label("Call ended", timeout=15)
    app.wait_no_label("Call ended")

    # A call nobody answers: missed, said on the desktop and in the header bar.
    minimize()
    baresip("dial", f"sip:{env['WINK_ACCOUNT']}")
    app.find(pyatspi.ROLE_FRAME, contains="Incoming call from", timeout=20)
    time.sleep(1)
    baresip("hangup")
    missed = wait_for("the missed-call notification", lambda: next(
        (n for n in notifications(log_path) if n.get("summary", "").startswith("Missed call from")), None))
    log(f"notified: {missed['summary']}")
    wait_ring_stopped()
    log("the ringing stopped when the caller gave up")
    app._app_action("show-window")  # a click on the notification brings the window back
    app.find(pyatspi.ROLE_PUSH_BUTTON, "1 missed call", timeout=10)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="Group Missed Calls, 1 caller", timeout=10)
    app.find(pyatspi.ROLE_LIST_ITEM, contains="carol83@wink.test, Missed at", timeout=10)
    log("the Missed Calls group lists the caller")
    app.screenshot("9-missed-call", dark_too=False)
    app.press("1 missed call")
    wait_for("the missed-call count to clear", lambda: not any(
        pyatspi.ROLE_PUSH_BUTTON == n.getRole() and n.name == "1 missed call"
        and n.getState().contains(pyatspi.STATE_VISIBLE) for n in app_nodes(app)), timeout=10)
    log("the missed call was counted and cleared")

    # 4. Preferences: the Missed Calls group switched off leaves the list; the answering
    # machine switched on is saved.
    app.key_on(app.find(pyatspi.ROLE_ENTRY, "Search or call"), "ctrl+comma")
    app.find(pyatspi.ROLE_FRAME, "Preferences")
    missing = app.unnamed_controls()
    if missing:
        raise Failure("controls without an accessible name in Preferences: " + "; ".join(missing))
    app.screenshot("11-preferences")
    app.press("Missed Calls group", pyatspi.ROLE_CHECK_BOX)  # GTK 4.8: a switch is a check box
    app.wait_for_no_item("Group Missed Calls", timeout=10)
    app.press("Answering machine", pyatspi.ROLE_CHECK_BOX)
    settings = os.path.join(env["WINK_HOME"], ".config", "wink", "config.toml")
    wait_for("the preferences in the settings file", lambda: (
        "missed_calls = false" in read(settings)
        and "[answering_machine]\nenabled = true" in read(settings)), timeout=10)
    log("preferences: the Missed Calls group hidden, the answering machine on, both saved")


def app_nodes(app):
    from wink_atspi import walk

    return walk(app.root)


if __name__ == "__main__":
    main()

"""The incoming-call web page of an account set to open it once a call is answered
(`web_alert_when = "answered"`): nothing opens while the call rings; Accept opens it, with
the caller filled in.

Environment: WINK_BIN, WINK_HOME, WINK_ACCOUNT, WINK_CALLER_NAME, WINK_OPENED_URLS,
WINK_CTL."""

import os
import subprocess
import sys
import time

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wink_atspi import Failure, log, run_scenario, wait_for  # noqa: E402

env = os.environ


def opened_urls():
    try:
        with open(env["WINK_OPENED_URLS"]) as handle:
            return handle.read()
    except OSError:
        return ""


def caller(*command):
    subprocess.run([sys.executable, env["WINK_CTL"], "--name", env["WINK_CALLER_NAME"], *command],
                   check=True, timeout=15, capture_output=True)


def run(app):
    app.wait_label("Registered", timeout=30)
    caller("dial", f"sip:{env['WINK_ACCOUNT']}")
    app.find(pyatspi.ROLE_FRAME, contains="Incoming call from", timeout=20)
    # A page for a ringing call is launched with the alert (the same event brings both);
    # the browser stand-in writes it within a few hundred milliseconds: give it a second.
    time.sleep(1)
    if opened_urls():
        raise Failure(f"the web page opened while the call rang: {opened_urls()!r}")
    log("no web page while the call rings")
    app.press("Accept")
    app.wait_label("Connected", timeout=20)
    urls = wait_for("the web page once the call is answered", opened_urls, timeout=10)
    if urls.count("http") != 1 or "caller=carol85%40wink.test" not in urls:
        raise Failure(f"the web page was opened without the caller: {urls!r}")
    log(f"web page opened once answered: {urls.strip()}")
    caller("hangup")
    app.wait_label("Call ended", timeout=15)


if __name__ == "__main__":
    run_scenario(run)

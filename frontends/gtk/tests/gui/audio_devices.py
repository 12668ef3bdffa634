"""Audio devices, driven through AT-SPI:

1. the header bar's Audio devices menu lists, for the microphone, the speaker and the
   ringing, the system default first (chosen) and the sound cards;
2. a headset plugged in (a sound card that appears in ALSA's list: the test adds one to
   the profile's .asoundrc, which ALSA reads again) brings the question
   "“Wink Test Headset” was plugged in" with Use It; Use It makes it the microphone and
   the speaker, in the settings file and in the menu;
3. choosing it in the menu's Ringing section makes it the ringing device;
4. unplugged, the user is told calls use the system default.

Environment: WINK_BIN, WINK_HOME (a profile with an account at the test kamailio),
WINK_SCREENSHOTS (optional)."""

import os
import subprocess
import sys

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wink_atspi import Failure, checked, log, run_scenario, wait_for  # noqa: E402

env = os.environ
HEADSET = 'pcm.winktest {\n    type null\n    hint { show on description "Wink Test Headset" }\n}\n'
ITEM = pyatspi.ROLE_MENU_ITEM  # GTK 4.8 gives radio items this role, and CHECKED when on


def asoundrc():
    return os.path.join(env["WINK_HOME"], ".asoundrc")


def settings():
    try:
        with open(os.path.join(env["WINK_HOME"], ".config", "wink", "config.toml")) as handle:
            return handle.read()
    except OSError:
        return ""


def close_menu():
    subprocess.run(["xdotool", "key", "Escape"], check=True, timeout=10)


def run(app):
    app.wait_label("Registered", timeout=30)

    # 1. The menu: the default is chosen for each role.
    app.press("Audio devices")
    defaults = app.find_all(ITEM, "System Default (Default Audio Device)")
    same = app.find(ITEM, "Same as Speaker")
    if len(defaults) != 2 or not all(checked(d) for d in defaults) or not checked(same):
        states = [(d.name, d.getState().getStates()) for d in defaults + [same]]
        raise Failure(f"the menu does not show the defaults chosen: {states}")
    log("the menu lists the defaults, chosen")
    app.screenshot("10-audio-devices-menu")
    close_menu()

    # 2. A headset is plugged in: the question, then Use It.
    with open(asoundrc(), "a") as handle:
        handle.write(HEADSET)
    app.wait_label("“Wink Test Headset” was plugged in", timeout=20)
    app.screenshot("10-headset-plugged-in", dark_too=False)
    app.press("Use It")
    wait_for("the settings to name the headset for microphone and speaker", lambda: (
        'input_device = "alsa:winktest"' in settings() and 'output_device = "alsa:winktest"' in settings()))
    app.press("Audio devices")
    headset = wait_for("the headset chosen in the menu", lambda: (
        lambda items: items if len(items) == 3 and checked(items[0]) and checked(items[1]) else None)(
        app.find_all(ITEM, "Wink Test Headset")))
    if checked(headset[2]):
        raise Failure("the headset rings too, though only the microphone and speaker were asked for")
    log("Use It made the headset the microphone and the speaker")

    # 3. The ringing device, chosen in the menu.
    app.press_node(headset[2], "Wink Test Headset (Ringing)")
    wait_for("the settings to name the headset for ringing",
             lambda: 'alert_device = "alsa:winktest"' in settings())
    log("the headset rings, chosen in the menu")

    # 4. Unplugged.
    with open(asoundrc()) as handle:
        kept = handle.read().replace(HEADSET, "")
    with open(asoundrc(), "w") as handle:
        handle.write(kept)
    app.wait_label("“Wink Test Headset” was unplugged: calls use the system default", timeout=20)
    log("unplugging is said")


if __name__ == "__main__":
    run_scenario(run)

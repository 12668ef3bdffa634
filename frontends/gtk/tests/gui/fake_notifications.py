"""A desktop notification server for the tests (org.freedesktop.Notifications on the
session bus): it writes every notification to a file as one JSON line, and, when told,
presses one of its buttons as a person would (the ActionInvoked signal), on the first
notification that has it.

    fake_notifications.py LOG [--press LABEL]"""

import json
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

INTERFACE = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  </interface>
</node>
"""

log_path = sys.argv[1]
press = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--press" else None
next_id = [0]
pressed_once = []  # a button is pressed on the first notification that has it, once


def record(entry):
    with open(log_path, "a") as handle:
        handle.write(json.dumps(entry) + "\n")


def on_call(connection, sender, path, interface, method, params, invocation):
    if method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["actions", "body"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("fake", "wink-tests", "1", "1.2")))
    elif method == "CloseNotification":
        (number,) = params.unpack()
        record({"closed": number})
        invocation.return_value(None)
    elif method == "Notify":
        app, _replaces, _icon, summary, body, actions, _hints, _timeout = params.unpack()
        next_id[0] += 1
        number = next_id[0]
        labels = dict(zip(actions[1::2], actions[0::2]))
        buttons = sorted(label for label in labels if label)  # "" is the default action
        record({"id": number, "app": app, "summary": summary, "body": body, "buttons": buttons})
        invocation.return_value(GLib.Variant("(u)", (number,)))
        if press and press in labels and not pressed_once:
            pressed_once.append(number)
            def invoke():
                connection.emit_signal(None, "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "ActionInvoked",
                                       GLib.Variant("(us)", (number, labels[press])))
                record({"pressed": press, "id": number})
                return False
            GLib.timeout_add(1000, invoke)


def on_bus(connection, _name):
    info = Gio.DBusNodeInfo.new_for_xml(INTERFACE).interfaces[0]
    connection.register_object("/org/freedesktop/Notifications", info, on_call, None, None)


def on_name(_connection, _name):
    record({"ready": True})


def on_lost(_connection, _name):
    record({"error": "the name org.freedesktop.Notifications is taken"})
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE,
                 on_bus, on_name, on_lost)
loop = GLib.MainLoop()
GLib.timeout_add_seconds(600, loop.quit)  # never outlives a test
loop.run()

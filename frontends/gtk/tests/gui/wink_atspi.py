"""Driving the running Wink desktop app from outside, as a screen reader or a person would:
through the accessibility tree (AT-SPI). Used by the desktop app's end-to-end tests.

Every wait is bounded; every failure raises with what was seen, never hangs."""

import os
import subprocess
import sys
import time

import pyatspi

#: Roles a person can act on: each must carry a name (a screen reader reads it).
CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON,
    pyatspi.ROLE_TOGGLE_BUTTON,
    pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON,
    pyatspi.ROLE_ENTRY,
    pyatspi.ROLE_TEXT,
    pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_COMBO_BOX,
    pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_SLIDER,
    pyatspi.ROLE_LINK,
    pyatspi.ROLE_LIST_ITEM,
    pyatspi.ROLE_MENU_ITEM,
}


class Failure(Exception):
    """A step that did not happen in time, with what was on screen."""


def log(*parts):
    print(*parts, flush=True)


def wait_for(what, probe, timeout=20.0, interval=0.2):
    """Polls `probe` until it returns something truthy; raises Failure after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            found = probe()
            if found:
                return found
        except Exception as error:  # the tree changes under us while we walk it
            last_error = error
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}" + (f" ({last_error})" if last_error else ""))


def walk(node, depth=0, limit=60):
    """Every accessible under `node` (depth-first), skipping defunct ones."""
    if node is None or depth > limit:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for index in range(count):
        try:
            child = node.getChildAtIndex(index)
        except Exception:
            continue
        yield from walk(child, depth + 1, limit)


def role(node):
    try:
        return node.getRole()
    except Exception:
        return None


def name(node):
    try:
        return node.name or ""
    except Exception:
        return ""


def showing(node):
    """GTK 4.8 never sets SHOWING; VISIBLE is what it reports for a mapped widget."""
    try:
        state = node.getState()
        return state.contains(pyatspi.STATE_SHOWING) or state.contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def checked(node):
    """Whether a check or radio item is on."""
    try:
        return node.getState().contains(pyatspi.STATE_CHECKED)
    except Exception:  # gone meanwhile
        return False


def text_of(node):
    """The text an accessible shows (labels, entries)."""
    try:
        text = node.queryText()
        return text.getText(0, text.characterCount)
    except Exception:
        return ""


def dump(node, depth=0, out=None):
    """The tree as indented lines, for failure messages."""
    out = out if out is not None else []
    if node is None or depth > 40:
        return out
    out.append("  " * depth + f"[{node.getRoleName()}] {name(node)!r} {text_of(node)[:60]!r}")
    for index in range(node.childCount):
        try:
            dump(node.getChildAtIndex(index), depth + 1, out)
        except Exception:
            pass
    return out


def check_not_blank(path):
    """Fails unless the PNG at `path` has more than one colour (read from outside the app)."""
    import gi

    gi.require_version("GdkPixbuf", "2.0")
    from gi.repository import GdkPixbuf

    pixbuf = GdkPixbuf.Pixbuf.new_from_file(path)
    pixels = pixbuf.get_pixels()
    step = pixbuf.get_n_channels()
    if len(set(pixels[i:i + 3] for i in range(0, len(pixels), step * 97))) < 2:
        raise Failure(f"the screenshot {path} is blank")


class App:
    """A running `wink` and its accessibility tree."""

    def __init__(self, binary, home, extra_env=None, args=()):
        self.home = home
        env = dict(os.environ)
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=os.path.join(home, ".config"),
            XDG_DATA_HOME=os.path.join(home, ".local", "share"),
            XDG_STATE_HOME=os.path.join(home, ".local", "state"),
            GSK_RENDERER="cairo",
            GSETTINGS_BACKEND="memory",
            GTK_A11Y="atspi",
            NO_AT_BRIDGE="0",
            RUST_BACKTRACE="0",
        )
        env.update(extra_env or {})
        self.env = env
        self.log_path = os.path.join(home, "wink.log")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [binary, *args], env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT
        )
        self.root = wait_for("the wink application on the accessibility bus", self._find_app, timeout=30)

    def _find_app(self):
        if self.process.poll() is not None:
            raise Failure(f"wink exited with {self.process.returncode}: {self.output()}")
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and name(app) == "wink":
                return app
        return None

    def output(self):
        try:
            with open(self.log_path) as handle:
                text = handle.read()
            if len(text) < 8000:
                return text
            # The app's own lines, warnings and panics in full; the SIP trace cut.
            own = [line for line in text.splitlines()
                   if "wink::" in line or "WARN" in line or "ERROR" in line or "panicked" in line]
            return text[:3000] + "\n…\n" + "\n".join(own) + "\n…\n" + text[-2000:]
        except OSError:
            return ""

    def find(self, wanted_role, wanted_name=None, timeout=20.0, within=None, contains=None):
        """The first showing accessible with this role and name (or name containing)."""

        def probe():
            for node in walk(within or self.root):
                if role(node) != wanted_role or not showing(node):
                    continue
                n = name(node)
                if wanted_name is not None and n != wanted_name:
                    continue
                if contains is not None and contains not in n and contains not in text_of(node):
                    continue
                return node
            return None

        what = f"{pyatspi.Accessible.getRoleName if False else wanted_role} {wanted_name or contains or ''}"
        try:
            return wait_for(what, probe, timeout)
        except Failure as failure:
            raise Failure(f"{failure}\n{self.tree()}") from None

    def find_all(self, wanted_role, wanted_name, timeout=20.0):
        """Every showing accessible with this role and name, in tree order (at least one)."""

        def probe():
            return [node for node in walk(self.root)
                    if role(node) == wanted_role and showing(node) and name(node) == wanted_name] or None

        try:
            return wait_for(f"{wanted_role} {wanted_name}", probe, timeout)
        except Failure as failure:
            raise Failure(f"{failure}\n{self.tree()}") from None

    def wait_closed(self, title, timeout=20.0):
        """Waits until no visible window is titled `title`."""

        def closed():
            for index in range(self.root.childCount):
                window = self.root.getChildAtIndex(index)
                if window is not None and name(window) == title and showing(window):
                    return False
            return True

        wait_for(f"the window {title!r} to close", closed, timeout)
        log(f"closed: {title!r}")

    def find_label(self, containing, timeout=20.0):
        """A label whose text contains `containing`."""
        return self.find(pyatspi.ROLE_LABEL, contains=containing, timeout=timeout)

    def _wait_gone(self, what, wanted_role, text, timeout):
        """Waits until no visible `wanted_role` shows `containing` (its text or name)."""

        def gone():
            return not any(
                role(n) == wanted_role and showing(n) and text(n) for n in walk(self.root)
            )

        wait_for(f"{what} to go away", gone, timeout)
        log(f"gone: {what}")

    def wait_no_label(self, containing, timeout=20.0):
        """Waits until no visible label contains `containing`."""
        self._wait_gone(repr(containing), pyatspi.ROLE_LABEL, lambda n: containing in text_of(n), timeout)

    def wait_for_no_item(self, containing, timeout=20.0):
        """Waits until no visible list item's name contains `containing`."""
        self._wait_gone(f"the row {containing!r}", pyatspi.ROLE_LIST_ITEM, lambda n: containing in name(n),
                        timeout)

    def wait_label(self, containing, timeout=20.0):
        self.find_label(containing, timeout)
        log(f"seen: {containing!r}")

    def press(self, button_name, wanted_role=pyatspi.ROLE_PUSH_BUTTON, timeout=20.0, contains=None,
              within=None):
        node = self.find(wanted_role, button_name, timeout, contains=contains, within=within)
        self.press_node(node, button_name or contains)

    def press_node(self, node, button_name):
        """Presses `node` with its own action (a click, when it has none)."""
        try:
            action = node.queryAction()
            count = action.nActions
        except Exception:  # no Action interface (GLib.Error or NotImplementedError)
            count = 0
        if count == 0:
            # Rows without an action (GTK 4.8 list rows): the mouse, as a person would.
            self.click(node)
            log(f"clicked: {button_name}")
            return
        names = [action.getName(i) for i in range(count)]
        for wanted in ("click", "press", "activate", "toggle"):
            if wanted in names:
                action.doAction(names.index(wanted))
                break
        else:
            action.doAction(0)
        log(f"pressed: {button_name}")

    def activate(self, node):
        """Presses Enter in an entry, on the real keyboard path (GTK 4.8's `activate`
        action over AT-SPI does not reach GtkSearchEntry)."""
        self.key_on(node, "Return")
        log(f"pressed Enter in: {name(node)}")

    def right_click(self, node):
        """A real right click in the middle of `node` (a context menu)."""
        extents = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        x, y = extents.x + extents.width // 2, extents.y + extents.height // 2
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "3"], check=True, timeout=10)
        time.sleep(0.3)

    def drag(self, source, target):
        """A real drag with the mouse (XTest) from the middle of `source` to the middle of
        `target`, in small steps as a hand moves."""
        def middle(node):
            extents = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            return extents.x + extents.width // 2, extents.y + extents.height // 2

        (x1, y1), (x2, y2) = middle(source), middle(target)
        subprocess.run(["xdotool", "mousemove", str(x1), str(y1), "mousedown", "1"], check=True, timeout=10)
        for step in range(1, 11):
            x, y = x1 + (x2 - x1) * step // 10, y1 + (y2 - y1) * step // 10
            subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=True, timeout=10)
            time.sleep(0.05)
        time.sleep(0.3)
        subprocess.run(["xdotool", "mouseup", "1"], check=True, timeout=10)
        time.sleep(0.3)

    def click(self, node):
        """A real mouse click (XTest) in the middle of `node` (GTK 4.8 has no GrabFocus
        over AT-SPI; without a window manager every window sits at the screen's origin)."""
        extents = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        x, y = extents.x + extents.width // 2, extents.y + extents.height // 2
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True, timeout=10)
        time.sleep(0.3)

    def key_on(self, node, key):
        """Clicks into `node` and presses one key (an xdotool key name, e.g. Return)."""
        self.click(node)
        subprocess.run(["xdotool", "key", key], check=True, timeout=10)

    def type_into(self, node, text):
        """Sets an entry's text through the EditableText interface."""
        editable = node.queryEditableText()
        editable.setTextContents(text)

    def tree(self):
        return "\n".join(dump(self.root))

    def unnamed_controls(self):
        """Showing controls without a name (GTK 4.8 names some after their type: those
        count as unnamed too)."""
        missing = []
        for node in walk(self.root):
            if role(node) not in CONTROL_ROLES or not showing(node):
                continue
            n = name(node).strip()
            if role(node) == pyatspi.ROLE_LIST_ITEM and not n:
                # A list item is read by its content: named when a label inside has text.
                if any(role(c) == pyatspi.ROLE_LABEL and text_of(c).strip() for c in walk(node)):
                    continue
            if not n or n.startswith("Gtk") or n.startswith("Adw"):
                missing.append(f"{node.getRoleName()} {n!r} in {name(node.parent)!r}")
        return missing

    def _app_action(self, action, argument=None):
        """Activates one of the app's actions over D-Bus (as a notification's click does)."""
        parameter = "[]" if argument is None else f"[<'{argument}'>]"
        subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.wink.Wink", "--object-path", "/org/wink/Wink",
             "--method", "org.gtk.Actions.Activate", action, parameter, "{}"],
            check=True, timeout=10, capture_output=True,
        )

    def screenshot(self, label, dark_too=True):
        """Saves every visible window to PNG (inside the app: WidgetPaintable → texture),
        in the light style and, with `dark_too`, the dark one; fails on a blank image."""
        folder = self.env.get("WINK_SCREENSHOTS")
        if not folder:
            return []
        saved = []
        for scheme in ("light", "dark") if dark_too else ("light",):
            self._app_action("color-scheme", scheme)
            prefix = os.path.join(folder, f"{label}-{scheme}")
            for stale in (prefix + ".done", prefix + ".failed"):
                if os.path.exists(stale):
                    os.remove(stale)
            self._app_action("screenshot", prefix)
            wait_for(f"the screenshot {prefix}", lambda: os.path.exists(prefix + ".done")
                     or os.path.exists(prefix + ".failed"), timeout=15)
            if os.path.exists(prefix + ".failed"):
                with open(prefix + ".failed") as handle:
                    raise Failure(f"screenshot {prefix}: {handle.read()}")
            with open(prefix + ".done") as handle:
                paths = [line for line in handle.read().splitlines() if line]
            for path in paths:
                check_not_blank(path)
                log(f"screenshot: {path}")
            saved += paths
        self._app_action("color-scheme", "light")
        return saved

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def run_scenario(run, before=None, after=None):
    """Starts wink on $WINK_BIN/$WINK_HOME, runs `run(app)`, prints PASSED, or FAILED with
    the trace and wink's output (exit 1). `before()` runs first (a helper process to start),
    `after()` last, whatever happened."""
    app = None
    try:
        if before:
            before()
        app = App(os.environ["WINK_BIN"], os.environ["WINK_HOME"])
        run(app)
    except Exception as failure:  # any failure: say what and show wink's output
        import traceback

        log(f"FAILED: {failure!r}\n{traceback.format_exc()}")
        if app:
            log("wink's output:\n" + app.output())
            app.stop()
        if after:
            after()
        sys.exit(1)
    app.stop()
    if after:
        after()
    log("PASSED")

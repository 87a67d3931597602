"""A headless Chromium for tests, driven over the DevTools protocol (one browser, many pages).

``with Browser() as b: dom, dialogs = b.visit(path)`` loads a page, answers and counts every
JavaScript dialog (``alert``, ``confirm``, ``prompt``) it opens, and returns the DOM after the
load event (scripts and image error handlers have run). One browser start (~2 s) serves every
page, instead of one start per page with ``--dump-dom``.

Uses ``websocket-client`` (installed with JupyterLab's server, a dependency of the package).
:func:`chromium` is ``None`` when no browser is installed: tests skip then (CI installs it).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

START_TIMEOUT = 60.0   # seconds for the browser to come up (a loaded CI machine)
PAGE_TIMEOUT = 120.0   # seconds for one page to load


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class Browser:
    def __init__(self):
        import websocket  # websocket-client

        self.profile = tempfile.mkdtemp(prefix="balance-chromium-")
        self.proc = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(self.profile) / "DevToolsActivePort"
            deadline = time.monotonic() + START_TIMEOUT
            lines: list[str] = []
            while time.monotonic() < deadline and self.proc.poll() is None:
                if port_file.is_file():
                    lines = port_file.read_text().split()
                    if len(lines) >= 2:
                        break
                time.sleep(0.05)
            if len(lines) < 2:
                raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
            self.ws = websocket.create_connection(f"ws://127.0.0.1:{lines[0]}{lines[1]}", timeout=PAGE_TIMEOUT,
                                                  suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self._id = 0
        self._replies: dict[int, dict] = {}
        self._events: list[dict] = []
        self.dialogs: list[str] = []

    # -- protocol ------------------------------------------------------------------------------
    def _post(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        return self._id

    def _pump(self) -> None:
        msg = json.loads(self.ws.recv())
        if "id" in msg:
            self._replies[msg["id"]] = msg
            return
        if msg.get("method") == "Page.javascriptDialogOpening":  # answer at once, or the page blocks
            self.dialogs.append(msg["params"].get("message", ""))
            self._post("Page.handleJavaScriptDialog", {"accept": True}, msg.get("sessionId"))
        self._events.append(msg)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        i = self._post(method, params, session)
        deadline = time.monotonic() + PAGE_TIMEOUT
        while i not in self._replies:
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            self._pump()
        reply = self._replies.pop(i)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _wait_event(self, method: str, session: str) -> None:
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            for k, e in enumerate(self._events):
                if e.get("method") == method and e.get("sessionId") == session:
                    del self._events[k]
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            self._pump()

    # -- use -----------------------------------------------------------------------------------
    def visit(self, page: Path) -> tuple[str, int]:
        """(DOM after the load event, number of JavaScript dialogs the page opened)."""
        before = len(self.dialogs)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            self.call("Page.enable", session=session)
            self.call("Page.navigate", {"url": Path(page).resolve().as_uri()}, session=session)
            self._wait_event("Page.loadEventFired", session)
            # let timers and handlers queued during load run too
            self.call("Runtime.evaluate", {"expression": "new Promise(r => setTimeout(r, 100))",
                                           "awaitPromise": True}, session=session)
            dom = self.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                                 "returnByValue": True}, session=session)["result"]["value"]
        finally:
            self.call("Target.closeTarget", {"targetId": target})
        self._events = [e for e in self._events if e.get("sessionId") != session]
        return dom, len(self.dialogs) - before

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

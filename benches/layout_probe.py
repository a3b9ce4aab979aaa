#!/usr/bin/env python3
"""Where things land on a phone: opens pages in headless Chromium (driven over the
DevTools protocol on a pipe, as tests/cli/browser.rs does, so no package is needed) at a
given width and prints, per page, the height of the page and the distance from the top
of the first task row of its task table.

usage: layout_probe.py CHROMIUM WIDTH FILE...
"""
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    chromium, width, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    profile = tempfile.mkdtemp()

    def fds():
        # Chromium reads commands on 3 and writes replies on 4: copies above 10 first,
        # so the two cannot overwrite each other.
        r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.dup2(r, 3)
        os.dup2(w, 4)

    child = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--remote-debugging-pipe", f"--user-data-dir={profile}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        close_fds=False, preexec_fn=fds)
    os.close(to_child_r)
    os.close(from_child_w)
    out = os.fdopen(to_child_w, "wb")
    inp = os.fdopen(from_child_r, "rb")
    buf = b""
    next_id = [0]

    def call(method, params=None, session=None):
        nonlocal buf
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        out.write(json.dumps(msg).encode() + b"\0")
        out.flush()
        while True:
            while b"\0" not in buf:
                chunk = inp.read1(65536)
                if not chunk:
                    raise SystemExit(f"chromium closed its pipe during {method}")
                buf += chunk
            raw, buf = buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == next_id[0]:
                if "error" in reply:
                    raise SystemExit(f"{method}: {reply['error']}")
                return reply["result"]

    try:
        for f in files:
            target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            call("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}, session)
            url = "file://" + os.path.abspath(f)
            call("Page.navigate", {"url": url}, session)
            for _ in range(500):
                r = call("Runtime.evaluate", {"expression": "document.readyState", "returnByValue": True}, session)
                if r["result"].get("value") == "complete":
                    break
                time.sleep(0.02)
            probe = ("JSON.stringify({height: document.documentElement.scrollHeight, "
                     "first: (r => r ? Math.round(r.getBoundingClientRect().top + scrollY) : null)"
                     "(document.querySelector('.tasks tbody tr')), "
                     "rows: document.querySelectorAll('.tasks tbody tr').length})")
            r = call("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session)
            v = json.loads(r["result"]["value"])
            print(f"{f}: at {width} px, {v['rows']} task rows, the first at {v['first']} px, page {v['height']} px")
            call("Target.closeTarget", {"targetId": target})
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()

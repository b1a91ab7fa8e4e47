#!/usr/bin/env python3
"""Opens every page of a generated lessons folder in headless Chromium (Debian's `chromium`) and fails on a console
error, an uncaught exception, a failed resource, or a figure (top-level <svg>) that renders with zero size.
Takes a full-page screenshot of each page. Standard library only: the DevTools protocol over a minimal WebSocket.

usage: browser_check.py LESSONS_DIR [SCREENSHOT_DIR]
"""
import base64, glob, json, os, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--mute-audio"]


class WebSocket:
    """A client WebSocket (RFC 6455) good enough for the DevTools protocol: text frames, client masking, no extensions."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=120)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            response += chunk
        if b" 101 " not in response.split(b"\r\n", 1)[0]:
            raise RuntimeError("websocket handshake failed: " + response.split(b"\r\n", 1)[0].decode())
        self.buffer = response.split(b"\r\n\r\n", 1)[1]

    def send(self, text):
        data = text.encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise RuntimeError("websocket closed by the browser")
            if opcode in (9, 10):
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class DevTools:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    del self.events[i]
                    return e
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
        raise RuntimeError(f"timed out waiting for {method}")


FIGURES_JS = """JSON.stringify(Array.from(document.querySelectorAll('svg')).filter(s => !s.parentElement.closest('svg')).map(s => {
  const r = s.getBoundingClientRect();
  return {w: r.width, h: r.height, drawn: s.querySelectorAll('line,polyline,path,rect,circle,text,image').length,
          title: (s.querySelector('text') || {}).textContent || ''};
}))"""
IMAGES_JS = """JSON.stringify(Array.from(document.querySelectorAll('svg image')).map(i => { const b = i.getBBox(); return [b.width, b.height]; }))"""


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = os.path.abspath(sys.argv[1])
    shots = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    pages = sorted(glob.glob(os.path.join(folder, "*.html")))
    if not pages:
        print(f"lessons browser check: no pages in {folder}", file=sys.stderr)
        return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("lessons browser check: chromium not found", file=sys.stderr)
        return 1
    if shots:
        os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="lessons-chromium-")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
                             "--window-size=1280,900", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    errors, figures = [], 0
    try:
        targets = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not targets:
            raise RuntimeError("chromium did not open its DevTools port")
        dt = DevTools(WebSocket(targets[0]["webSocketDebuggerUrl"]))
        for domain in ("Page", "Runtime", "Log", "Network"):
            dt.call(f"{domain}.enable")
        for page in pages:
            name = os.path.basename(page)
            dt.events.clear()
            dt.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            dt.call("Page.navigate", url="file://" + page)
            dt.wait_for("Page.loadEventFired")
            time.sleep(0.3)
            dt.call("Runtime.evaluate", expression="1")  # drains pending events into dt.events
            for e in dt.events:
                m, p = e["method"], e.get("params", {})
                if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                    errors.append(f"{name}: console {p['type']}: {' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', []))}")
                elif m == "Runtime.exceptionThrown":
                    errors.append(f"{name}: exception: {p.get('exceptionDetails', {}).get('text')}")
                elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                    errors.append(f"{name}: {p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
                elif m == "Network.loadingFailed":
                    errors.append(f"{name}: failed resource: {p.get('errorText')} ({p.get('type')})")
                elif m == "Network.requestWillBeSent":
                    url = p.get("request", {}).get("url", "")
                    if not (url.startswith("file://" + folder + "/") or url.startswith("data:")):
                        errors.append(f"{name}: request outside the folder: {url[:120]}")
            figs = json.loads(dt.call("Runtime.evaluate", expression=FIGURES_JS, returnByValue=True)["result"]["value"])
            for i, f in enumerate(figs):
                if f["w"] <= 0 or f["h"] <= 0 or f["drawn"] == 0:
                    errors.append(f"{name}: figure {i + 1} ('{f['title'][:60]}') renders {f['w']}x{f['h']} with {f['drawn']} drawn elements")
            for i, (w, h) in enumerate(json.loads(dt.call("Runtime.evaluate", expression=IMAGES_JS, returnByValue=True)["result"]["value"])):
                if w <= 0 or h <= 0:
                    errors.append(f"{name}: embedded image {i + 1} has zero size")
            if name != "index.html" and not figs:
                errors.append(f"{name}: no figures")
            figures += len(figs)
            if shots:
                metrics = dt.call("Page.getLayoutMetrics")
                height = min(int(metrics["cssContentSize"]["height"]) + 1, 16000)
                dt.call("Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1, mobile=False)
                png = dt.call("Page.captureScreenshot", format="png")["data"]
                with open(os.path.join(shots, name.replace(".html", ".png")), "wb") as fh:
                    fh.write(base64.b64decode(png))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    for e in errors:
        print(f"  {e}", file=sys.stderr)
    print(f"lessons browser check: {len(pages)} pages, {figures} figures, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

"""Checks of rendered HTML shared by the report and resource-pack tests: an accessibility audit in Python
(WCAG 2.2 AA basics, instead of axe-core), CSS colour pairs for contrast, and headless Chromium."""

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

#: Debian's headless Chromium, or ``None`` (the browser tests skip then).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.ths: list[dict] = []
        self.tables = 0
        self.captions = 0
        self.first_link = None
        self.ids: set[str] = set()
        self.scripts = 0
        self.style = ""
        self._in_style = False
        self._last_tag = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(a)
        elif tag == "th":
            self.ths.append(a)
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            assert self._last_tag == "table", "a caption must be the table's first child"
            self.captions += 1
        elif tag == "a" and self.first_link is None:
            self.first_link = a
        elif tag == "script":
            self.scripts += 1
        elif tag == "style":
            self._in_style = True
        self._last_tag = tag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def audit(html: str) -> Audit:
    parser = Audit()
    parser.feed(html)
    return parser


def css_pairs(css: str) -> list[tuple[str, str, str]]:
    """(selector, text colour, background colour) for every rule that sets a colour or a background."""
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    decls = [(sel.strip(), dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))) for sel, body in rules]
    body = next(d for sel, d in decls if sel == "body" and "color" in d)
    pairs = []
    for sel, d in decls:
        if "color" in d or "background-color" in d:
            fg = d.get("color", body["color"]).strip()
            bg = d.get("background-color", body["background-color"]).strip()
            pairs.append((sel, fg, bg))
    return pairs


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *extra, url], capture_output=True, text=True, timeout=120, check=False
    )


def console_messages(stderr: str) -> list[str]:
    """Lines where the page wrote to the console (errors, uncaught exceptions); the report has no scripts."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]

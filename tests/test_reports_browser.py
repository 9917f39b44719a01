"""Open the theme report in headless Chromium: it renders with its charts, without console messages.

Needs Debian's `chromium` (`apt-get install -y chromium`); skips with a clear message where it is absent.
Saves a screenshot to tests/artifacts/theme_report.png (gitignored).
"""

import re
from pathlib import Path

import pytest
from testkit.html_checks import CHROMIUM, chromium, console_messages
from testkit.reports import build_context, write_processed

from pipeline.reports import theme_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium)"
    ),
]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    ctx = build_context(write_processed(tmp_path_factory.mktemp("processed")))
    path = tmp_path_factory.mktemp("report") / "theme_report.html"
    path.write_text(theme_report.render_html(ctx), encoding="utf-8")
    return path


def test_console_scan_catches_a_page_with_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>throw new Error("boom")</script></body></html>', encoding="utf-8")
    result = chromium(bad.as_uri(), tmp_path / "profile", "--dump-dom")
    assert any("boom" in line for line in console_messages(result.stderr))


def test_report_renders_with_its_charts_and_no_console_messages(report, tmp_path):
    result = chromium(report.as_uri(), tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    images = re.findall(r"<img [^>]*>", dom)
    # the overview charts, the equality ratios and one chart per priority area: all of them in the page
    assert len(images) == report.read_text(encoding="utf-8").count("<img ") >= 4
    for img in images:
        assert 'src="data:image/png;base64,' in img
        alt = re.search(r'alt="([^"]*)"', img)
        assert alt and len(alt.group(1)) > 40
    assert "Summary of headline findings" in dom
    assert console_messages(result.stderr) == []


def test_screenshot_is_not_blank(report, tmp_path):
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "theme_report.png"
    shot.unlink(missing_ok=True)
    result = chromium(
        report.as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,4000"
    )
    assert shot.exists(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 4000)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text and charts, not a blank page
    assert console_messages(result.stderr) == []

"""Headless Chromium (Debian's `chromium`) for the report's tests: the rendered DOM and a screenshot."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def render(page: Path, screenshot: Path, width: int = 1400, height: int = 1800) -> str:
    """Open `page` (after its scripts ran), save a screenshot, return the DOM as rendered."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("no chromium: `make browser` installs it (apt-get install chromium fonts-noto-cjk)")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--window-size={width},{height}", "--virtual-time-budget=4000", f"--screenshot={screenshot}",
         "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not screenshot.exists():
        raise RuntimeError(f"chromium failed on {page}: {done.stderr[-2000:]}")
    return done.stdout

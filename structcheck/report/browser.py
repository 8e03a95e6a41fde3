"""Open a report in a real headless Chromium (Debian's ``chromium`` + ``chromium-driver``) through Selenium.

Used by the tests (does the report render offline, without console errors, and does a click
highlight atoms?) and to take the screenshots in docs/img. Nothing is downloaded: the
browser and driver are the system's, Selenium Manager is told to stay offline, and every
network request is sent to a closed local port.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = ("chromium", "chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # WebGL on the CPU (SwiftShader) without the "automatic fallback is deprecated" warning
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
         # any network request fails at once: the report must not need one
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")


def missing() -> str | None:
    """Why a browser cannot be started here (None when it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install structcheck[test])"
    if not any(shutil.which(c) for c in CHROMIUM):
        return "no chromium on PATH (Debian: apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "no chromedriver on PATH (Debian: apt-get install chromium-driver)"
    return None


@contextmanager
def chromium(width: int = 1200, height: int = 900):
    """A Selenium WebDriver on a fresh headless Chromium profile; quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = next(shutil.which(c) for c in CHROMIUM if shutil.which(c))
    profile = tempfile.mkdtemp(prefix="structcheck-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.add_argument(f"--window-size={width},{height}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    old = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never download a driver or browser
    try:
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    finally:
        if old is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = old
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_report(driver, path, timeout: float = 30.0) -> None:
    """Load a report file and wait until its viewer script has run."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(Path(path).resolve().as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.ready === '1'"))


def console_errors(driver) -> list[str]:
    """Console messages at error level (SEVERE) since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(html_path, png_path, *, click: int | None = None, width: int = 1200, height: int = 900) -> Path:
    """A PNG of the report as Chromium shows it; ``click``: the finding to select first."""
    import time

    with chromium(width, height) as driver:
        open_report(driver, html_path)
        if click is not None:
            driver.find_elements("css selector", "li.sc-finding")[click].click()
        time.sleep(0.5)  # let the WebGL frame finish
        driver.save_screenshot(str(png_path))
    return Path(png_path)

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from servers import running_classifier, running_generator

ROOT = Path(__file__).resolve().parents[4]
CHROMIUM = "/usr/bin/chromium"
# Flags for a root user in a sandboxed machine with no network beyond localhost.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    assert Path(CHROMIUM).exists(), "run scripts/install_browser.sh (make test does)"
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium):
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield chromium
        await chromium.close()


UPDATING = os.environ.get("UPDATE_SCREENSHOTS") == "1"


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """docs/screenshots with UPDATE_SCREENSHOTS=1 (to commit them), else a temp dir."""
    if UPDATING:
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


@pytest.fixture(scope="module")
async def showcase(tiny_model_dir):
    """Classifier and generator for the screenshots: the embedded demo model when they are
    being updated for the README (its emotions read true), the tiny test model otherwise."""
    model = tiny_model_dir
    if UPDATING:
        from classifier_service.demo import ensure_demo_model

        model = await ensure_demo_model()
    async with running_classifier(model) as classifier, running_generator() as generator:
        yield classifier.target, generator.target

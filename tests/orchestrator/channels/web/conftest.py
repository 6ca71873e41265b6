import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from servers import running_classifier, running_generator, running_recommender

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
async def showcase(tiny_model_dir, music_index_dir):
    """Classifier, generator and recommender targets for the screenshots: the embedded demo
    model and music catalogue when they are being updated for the README (its emotions read
    true), the tiny test model and test catalogue otherwise."""
    model, index = tiny_model_dir, music_index_dir
    if UPDATING:
        from classifier_service.demo import ensure_demo_model
        from music.build import ensure_default

        model, index = await ensure_demo_model(), ensure_default(quiet=True)
    async with running_classifier(model) as classifier, running_generator() as generator, \
            running_recommender(index) as recommender:
        yield classifier.target, generator.target, recommender.target

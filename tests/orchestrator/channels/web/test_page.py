"""The web chat page in a real browser (Debian's Chromium driven by Playwright) against the
real stack on free ports."""

import contextlib
import re

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect
from servers import running_generator, running_orchestrator

DESKTOP = {"width": 1100, "height": 800}
MOBILE = {"width": 360, "height": 740}


@contextlib.asynccontextmanager
async def opened(browser, url: str, accept: bool = True, viewport=None):
    context: BrowserContext = await browser.new_context(viewport=viewport or DESKTOP,
                                                        locale="ko-KR")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    await page.goto(url)
    if accept:
        await page.click("#privacy-accept")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    try:
        yield page
    finally:
        await context.close()
    assert not errors, errors
    assert all(r.startswith(url.rstrip("/")) or r.startswith("data:") for r in requests), \
        requests  # offline: nothing fetched from elsewhere


async def say(page: Page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")
    await expect(page.locator("body")).to_have_attribute("data-busy", "false")


async def conversation_of(page: Page) -> str:
    return await page.evaluate("localStorage.getItem('emotion-chat.conversation')")


async def stored(base: str, conversation: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base) as http:
        return await http.get(f"/v1/conversations/{conversation}")


async def test_the_notice_comes_first_and_only_once(browser, orch) -> None:
    async with opened(browser, orch.http_url, accept=False) as page:
        notice = page.locator("#privacy-dialog")
        await expect(notice).to_have_attribute("open", "")
        await expect(notice).to_contain_text("7일")  # the server's TTL, from /v1/info
        await expect(notice).to_contain_text("대화 삭제")
        await page.click("#privacy-accept")
        await expect(notice).not_to_have_attribute("open", "")
        await page.reload()
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        await expect(notice).not_to_have_attribute("open", "")


async def test_a_message_streams_its_reply_with_the_emotion(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await say(page, "내일 면접인데 너무 떨려서 잠이 안 와")
        user = page.locator(".row.user").last
        badge = user.locator(".emotion")
        await expect(badge).to_have_attribute("data-core", re.compile("."))
        assert re.search(r"\d+%", await badge.get_attribute("title"))
        bot = page.locator(".row.bot").last
        assert int(await bot.get_attribute("data-deltas")) > 1  # streamed, not in one piece
        reply = (await bot.locator(".bubble").inner_text()).strip()
        turns = (await stored(orch.http_url, await conversation_of(page))).json()["turns"]
        assert turns[-1]["text"] == reply and turns[-2]["emotion_core"] == \
            await badge.get_attribute("data-core")
        await expect(bot.locator(".regenerate")).to_be_visible()


async def test_the_persona_choice_sticks(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await page.click("#persona-button")
        options = page.locator("#persona-list button")
        await expect(options).to_have_count(5)
        await page.click("#persona-list button[data-persona='sadness']")
        await expect(page.locator("#persona-name")).to_have_text("슬픔이")
        await say(page, "요즘 너무 외로워")
        await expect(page.locator(".row.bot").last).to_have_attribute("data-persona", "sadness")
        conversation = (await stored(orch.http_url, await conversation_of(page))).json()
        assert conversation["persona"] == "sadness"
        await page.reload()
        await expect(page.locator("#persona-name")).to_have_text("슬픔이")


async def test_reload_restores_the_history(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await say(page, "안녕!")
        await say(page, "오늘 시험 끝나서 너무 행복해")
        before = await page.locator(".bubble").all_inner_texts()
        await page.reload()
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        await expect(page.locator(".bubble")).to_have_count(4)
        assert await page.locator(".bubble").all_inner_texts() == before
        await expect(page.locator(".row.user").last.locator(".emotion")).to_be_visible()


async def test_regenerate_replaces_the_last_reply(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await say(page, "회사에서 하루 종일 혼나서 너무 지쳐")
        bubble = page.locator(".row.bot").last.locator(".bubble")
        first = await bubble.inner_text()
        await page.click(".regenerate")
        await expect(page.locator("body")).to_have_attribute("data-busy", "false")
        await expect(bubble).not_to_have_text(first)
        turns = (await stored(orch.http_url, await conversation_of(page))).json()["turns"]
        assert len(turns) == 2 and turns[-1]["text"] == (await bubble.inner_text()).strip()


async def test_erase_clears_the_conversation_on_the_server(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await say(page, "이건 지워 줘")
        old = await conversation_of(page)
        assert (await stored(orch.http_url, old)).status_code == 200
        await page.click("#erase-button")
        await expect(page.locator("#erase-dialog")).to_have_attribute("open", "")
        await page.click("#erase-confirm")
        await expect(page.locator(".row")).to_have_count(0)
        assert (await stored(orch.http_url, old)).status_code == 404
        assert await conversation_of(page) != old


async def test_enter_while_composing_hangul_does_not_send(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        box = page.locator("#input")
        await box.fill("안녕하세")
        await box.dispatch_event("compositionstart", {"data": ""})
        await page.evaluate("""() => document.getElementById('input').dispatchEvent(
            new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', keyCode: 229,
                                          isComposing: true, bubbles: true, cancelable: true}))""")
        await page.wait_for_timeout(300)
        await expect(page.locator(".row.user")).to_have_count(0)
        await box.dispatch_event("compositionend", {"data": "세"})
        await box.press("Shift+Enter")
        await box.type("요")
        assert await box.input_value() == "안녕하세\n요"
        await expect(page.locator(".row.user")).to_have_count(0)
        await box.press("Enter")
        await expect(page.locator(".row.user")).to_have_count(1)
        await expect(page.locator("body")).to_have_attribute("data-busy", "false")
        assert await box.input_value() == ""


async def test_the_confirm_question_offers_yes_and_no(browser, downstream) -> None:
    async with running_orchestrator(*downstream, answer_threshold=1.0,
                                    confirm_threshold=0.0) as orch, \
            opened(browser, orch.http_url) as page:
        await say(page, "요즘 잠을 잘 못 자")
        question = page.locator(".row.bot").nth(0)
        await expect(question).to_have_class(re.compile("confirm"))
        await expect(question.locator(".choices button")).to_have_text(["응", "아니"])
        await question.locator(".choices button", has_text="응").click()
        await expect(page.locator("body")).to_have_attribute("data-busy", "false")
        answer = page.locator(".row.bot").last
        await expect(answer).to_have_attribute("data-kind", "generated")
        await expect(question.locator(".choices button")).to_have_count(0)


async def test_a_stopped_generator_gives_a_marked_degraded_reply(browser, downstream) -> None:
    classifier, _ = downstream
    generator = running_generator()
    started = await generator.__aenter__()
    try:
        async with running_orchestrator(classifier, started.target, answer_threshold=0.0,
                                        confirm_threshold=0.0, downstream_retries=1) as orch, \
                opened(browser, orch.http_url) as page:
            await say(page, "오늘 좋은 일이 있었어")
            assert not await page.locator(".row.bot.degraded").count()
            await generator.__aexit__(None, None, None)
            generator = None
            await say(page, "근데 갑자기 또 걱정돼")
            degraded = page.locator(".row.bot").last
            await expect(degraded).to_have_class(re.compile("degraded"))
            await expect(degraded.locator(".note")).to_be_visible()
            assert (await degraded.locator(".bubble").inner_text()).strip()
    finally:
        if generator is not None:
            await generator.__aexit__(None, None, None)


async def test_a_stopped_orchestrator_keeps_the_typed_text(browser, downstream) -> None:
    orchestrator = running_orchestrator(*downstream, answer_threshold=0.0,
                                        confirm_threshold=0.0)
    orch = await orchestrator.__aenter__()
    stopped = False
    try:
        async with opened(browser, orch.http_url) as page:
            await say(page, "잘 되나?")
            await orchestrator.__aexit__(None, None, None)
            stopped = True
            await page.fill("#input", "서버가 꺼져도 이 말은 남아 있어야 해")
            await page.press("#input", "Enter")
            error = page.locator("#error")
            await expect(error).to_be_visible()
            await expect(error).to_have_attribute("data-status", "0")
            await expect(page.locator("#error-text")).to_contain_text("연결할 수 없어요")
            assert await page.input_value("#input") == "서버가 꺼져도 이 말은 남아 있어야 해"
            await expect(page.locator("#retry-button")).to_be_visible()
            await expect(page.locator(".row.user")).to_have_count(1)
    finally:
        if not stopped:
            await orchestrator.__aexit__(None, None, None)


@pytest.mark.parametrize(("status", "code", "shown"), [
    (429, "resource_exhausted", "요청이 많아요"), (503, "unavailable", "응답하지 않아요")])
async def test_busy_and_unavailable_are_shown_and_retried(browser, orch, status, code,
                                                          shown) -> None:
    async with opened(browser, orch.http_url) as page:
        failing = True

        async def once(route) -> None:
            if failing:
                await route.fulfill(status=status, json={"error": {"code": code,
                                                                   "message": "no"}})
            else:
                await route.continue_()

        await page.route("**/messages", once)
        await page.fill("#input", "지금 보내도 될까")
        await page.press("#input", "Enter")
        await expect(page.locator("#error-text")).to_contain_text(shown)
        assert await page.input_value("#input") == "지금 보내도 될까"
        failing = False
        await page.click("#retry-button")
        await expect(page.locator("#error")).to_be_hidden()
        await expect(page.locator(".row.bot")).to_have_count(1)
        await expect(page.locator("body")).to_have_attribute("data-busy", "false")


async def test_keyboard_labels_and_live_region(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")
        await expect(page.get_by_label("메시지")).to_be_visible()
        await page.focus("#input")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "send-button"
        await page.focus("#persona-button")
        await page.keyboard.press("Enter")
        await expect(page.locator("#persona-dialog")).to_have_attribute("open", "")
        await page.keyboard.press("Escape")
        await expect(page.locator("#persona-dialog")).not_to_have_attribute("open", "")


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("mobile", MOBILE)])
async def test_screenshots(browser, showcase, screenshots, name, viewport) -> None:
    classifier, generator, recommender = showcase
    async with running_orchestrator(classifier, generator,
                                    recommender_target=recommender) as orch, \
            opened(browser, orch.http_url, viewport=viewport) as page:
        for text in ("안녕!", "오늘 드디어 합격 통보 받았어! 너무 좋아",
                     "근데 내일 첫 출근이라 잘할 수 있을지 떨려",
                     "친구가 내 생일을 또 잊어버렸어. 서운하다"):
            await say(page, text)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]  # nothing overflows sideways
        await page.screenshot(path=str(screenshots / f"web-{name}.png"))


async def test_a_crisis_reply_offers_the_crisis_lines_to_call(browser, orch) -> None:
    async with opened(browser, orch.http_url) as page:
        await say(page, "그냥 다 끝내고 싶어. 살기 싫어")
        reply = page.locator(".row.bot").last
        await expect(reply).to_have_attribute("data-kind", "crisis")
        calls = reply.locator(".calls a")
        await expect(calls).to_have_count(3)
        assert await calls.first.get_attribute("href") == "tel:109"
        await expect(reply.locator(".regenerate")).to_have_count(0)


async def test_songs_under_a_reply_play_and_similar_ones_open(browser, downstream,
                                                              music_index_dir) -> None:
    from servers import running_recommender

    async with running_recommender(music_index_dir) as recommender, \
            running_orchestrator(*downstream, answer_threshold=0.0, confirm_threshold=0.0,
                                 recommender_target=recommender.target) as orch, \
            opened(browser, orch.http_url) as page:
        await say(page, "오늘 드디어 합격했어! 너무 좋아")
        reply = page.locator(".row.bot").last
        cards = reply.locator(".tracks .track")
        await expect(cards).to_have_count(4)
        await cards.first.locator(".play").click()
        player = page.locator("#player")
        await expect(player).to_be_visible()
        await expect(player).to_have_attribute("data-playing", "true")
        title = await cards.first.locator("strong").inner_text()
        await expect(player.locator(".player-title")).to_contain_text(title)
        played = await page.evaluate("""() => new Promise((resolve) => {
            const started = performance.now();
            const check = () => {
              const audio = window.__player?.audio;
              if (audio && audio.currentTime > 0.3) resolve(audio.currentTime);
              else if (performance.now() - started > 8000) resolve(audio ? audio.currentTime : -1);
              else setTimeout(check, 100);
            };
            check();
        })""")
        assert played > 0.3, played  # the audio element's clock advances: it plays
        await player.locator(".player-toggle").click()
        await expect(player).to_have_attribute("data-playing", "false")
        await cards.nth(1).locator(".similar").click()
        similar = reply.locator(".similar-list .track")
        await expect(similar).to_have_count(5)

// The chat page's controller: conversation state, sending and streaming turns, persona
// choice, regenerate, erase, the privacy notice, errors and retries.

import { Api, ApiError } from "./api.js";
import { Player, trackList } from "./music.js";
import {
  appendText, botRow, button, dayDivider, finishBot, personaOption, setEmotion, setText,
  userRow,
} from "./view.js";

const KEYS = {
  conversation: "emotion-chat.conversation",
  persona: "emotion-chat.persona",
  privacy: "emotion-chat.privacy-accepted",
};

const $ = (id) => document.getElementById(id);
const ui = {
  messages: $("messages"), input: $("input"), send: $("send-button"), form: $("composer"),
  error: $("error"), errorText: $("error-text"), retry: $("retry-button"),
  dismiss: $("dismiss-error"), personaButton: $("persona-button"),
  personaAvatar: $("persona-avatar"), personaName: $("persona-name"),
  personaTagline: $("persona-tagline"), personaDialog: $("persona-dialog"),
  personaList: $("persona-list"), privacyDialog: $("privacy-dialog"),
  privacyTtl: $("privacy-ttl"), privacyAccept: $("privacy-accept"),
  erase: $("erase-button"), eraseDialog: $("erase-dialog"), tokenDialog: $("token-dialog"),
  tokenInput: $("token-input"), player: $("player"),
};

const api = new Api();
const player = new Player(api, ui.player);
window.__player = player; // for the browser tests and the console
const state = {
  conversation: localStorage.getItem(KEYS.conversation) || newConversationId(),
  persona: localStorage.getItem(KEYS.persona) || "",
  personas: [],
  byId: new Map(),
  info: null,
  busy: false,
  lastBot: null,
  lastDay: "",
  retry: null,
};
localStorage.setItem(KEYS.conversation, state.conversation);

function newConversationId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12)); // randomUUID needs https
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function persona() {
  return state.byId.get(state.persona) || state.byId.get(state.defaultPersona) || state.personas[0];
}

// -- errors ------------------------------------------------------------------------------

function describe(error) {
  if (!(error instanceof ApiError)) return `문제가 생겼어요: ${error.message || error}`;
  switch (error.status) {
    case 0: return "서버에 연결할 수 없어요. 연결을 확인하고 다시 시도해 주세요.";
    case 429: return "지금 요청이 많아요. 잠시 후 다시 시도해 주세요.";
    case 503: return "서비스가 잠시 응답하지 않아요. 잠시 후 다시 시도해 주세요.";
    case 504: return "답이 너무 오래 걸렸어요. 다시 시도해 주세요.";
    case 409:
      return error.code === "aborted"
        ? "앞의 메시지에 아직 답하는 중이에요. 잠시 후 다시 보내 주세요." : error.message;
    default: return `문제가 생겼어요: ${error.message}`;
  }
}

function showError(error, retry) {
  if (error instanceof ApiError && error.status === 401) {
    askToken(retry);
    return;
  }
  state.retry = retry;
  ui.errorText.textContent = describe(error);
  ui.error.dataset.status = error instanceof ApiError ? String(error.status) : "";
  ui.retry.hidden = !retry;
  ui.error.hidden = false;
}

function hideError() {
  ui.error.hidden = true;
  state.retry = null;
}

function askToken(retry) {
  ui.tokenInput.value = "";
  ui.tokenDialog.showModal();
  ui.tokenDialog.addEventListener("close", () => {
    if (ui.tokenDialog.returnValue === "ok" && ui.tokenInput.value.trim()) {
      api.setToken(ui.tokenInput.value.trim());
      retry?.();
    }
  }, { once: true });
}

// -- rendering helpers ---------------------------------------------------------------------

function scrollDown() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

function addRow(row, at) {
  const day = new Date(at).toDateString();
  if (day !== state.lastDay) {
    ui.messages.append(dayDivider(at));
    state.lastDay = day;
  }
  ui.messages.append(row);
  scrollDown();
}

function showPersona() {
  const p = persona();
  if (!p) return;
  ui.personaAvatar.textContent = p.emoji;
  ui.personaAvatar.style.background = p.color;
  ui.personaName.textContent = p.name;
  ui.personaTagline.textContent = p.tagline;
  document.documentElement.style.setProperty("--persona", p.color);
}

// Only the latest bot reply offers actions: yes/no for a confirm question, regenerate after
// a reply.
function offerActions(bot, kind) {
  for (const old of ui.messages.querySelectorAll(".row.bot .choices")) old.replaceChildren();
  state.lastBot = bot;
  if (kind === "confirm_question") {
    bot.actions.append(
      button("응", () => send("응")),
      button("아니", () => send("아니")));
  } else if (kind === "generated" || kind === "fallback") {
    bot.actions.append(button("다시 답해줘", () => regenerate(), "regenerate"));
  }
}

function setBusy(busy) {
  state.busy = busy;
  document.body.dataset.busy = String(busy);
  ui.send.disabled = busy;
  for (const b of ui.messages.querySelectorAll(".choices button")) b.disabled = busy;
}

// -- turns -------------------------------------------------------------------------------

async function send(text) {
  text = text.trim();
  if (!text || state.busy) return;
  if (!localStorage.getItem(KEYS.privacy)) {
    ui.privacyDialog.showModal();
    return;
  }
  hideError();
  setBusy(true);
  const now = Date.now();
  const user = userRow(text, now, { pending: true });
  addRow(user.row, now);
  if (ui.input.value.trim() === text) ui.input.value = "";
  autosize();
  const bot = botRow(persona(), now);
  addRow(bot.row, now);
  try {
    const body = { text, persona: state.persona || undefined };
    for await (const { event, data } of api.events(
      `/v1/conversations/${encodeURIComponent(state.conversation)}/messages`, body)) {
      if (event === "emotion" && data.label) setEmotion(user.meta, data);
      else if (event === "delta") appendText(bot, data.text);
      else if (event === "error") throw new ApiError(500, data.error.code, data.error.message);
      else if (event === "result") {
        setText(bot, data.reply);
        // Greetings are answered by rule, without looking for an emotion.
        if (data.emotion.label || data.kind !== "rule") setEmotion(user.meta, data.emotion);
        finishBot(bot, data.kind, data.degraded);
        offerActions(bot, data.kind);
        showTracks(bot, data.tracks);
        user.row.classList.remove("pending");
      }
      scrollDown();
    }
  } catch (error) {
    user.row.remove();
    bot.row.remove();
    if (!ui.input.value.trim()) ui.input.value = text; // never lose what was typed
    autosize();
    showError(error, () => send(ui.input.value || text));
  } finally {
    setBusy(false);
    ui.input.focus();
  }
}

// Songs for the reply's emotion, under its bubble.
function showTracks(bot, tracks) {
  bot.row.querySelector(".tracks")?.remove();
  if (tracks && tracks.length) bot.meta.before(trackList(player, tracks, "지금 마음에 어울리는 곡"));
}

async function regenerate() {
  const bot = state.lastBot;
  if (!bot || state.busy) return;
  hideError();
  setBusy(true);
  const before = bot.text;
  bot.text = "";
  bot.bubble.textContent = "…";
  try {
    const body = { persona: state.persona || undefined };
    for await (const { event, data } of api.events(
      `/v1/conversations/${encodeURIComponent(state.conversation)}/regenerate`, body)) {
      if (event === "delta") appendText(bot, data.text);
      else if (event === "error") throw new ApiError(500, data.error.code, data.error.message);
      else if (event === "result") {
        setText(bot, data.reply);
        finishBot(bot, data.kind, data.degraded);
        offerActions(bot, data.kind);
      }
    }
  } catch (error) {
    setText(bot, before);
    showError(error, () => regenerate());
  } finally {
    setBusy(false);
  }
}

// -- conversation ------------------------------------------------------------------------

async function restore() {
  let conversation;
  try {
    conversation = await api.request("GET",
      `/v1/conversations/${encodeURIComponent(state.conversation)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return; // a new conversation
    throw error;
  }
  if (!localStorage.getItem(KEYS.persona) && conversation.persona) {
    state.persona = conversation.persona;
  }
  let lastUser = null;
  for (const turn of conversation.turns) {
    if (turn.role === "user") {
      lastUser = userRow(turn.text, turn.created_ms);
      addRow(lastUser.row, turn.created_ms);
      if (turn.emotion) {
        setEmotion(lastUser.meta, {
          label: turn.emotion, score: turn.emotion_score, core: turn.emotion_core, top: [],
        });
      }
    } else {
      const speaker = state.byId.get(turn.persona) || persona();
      const bot = botRow(speaker, turn.created_ms);
      setText(bot, turn.text);
      finishBot(bot, turn.kind, turn.degraded);
      addRow(bot.row, turn.created_ms);
      state.lastBot = bot;
      state.lastKind = turn.kind;
    }
  }
  if (state.lastBot) offerActions(state.lastBot, state.lastKind);
}

function erase() {
  ui.eraseDialog.showModal();
}

async function eraseConfirmed() {
  hideError();
  try {
    await api.request("DELETE", `/v1/conversations/${encodeURIComponent(state.conversation)}`);
  } catch (error) {
    showError(error, () => eraseConfirmed());
    return;
  }
  state.conversation = newConversationId();
  localStorage.setItem(KEYS.conversation, state.conversation);
  state.lastBot = null;
  state.lastDay = "";
  ui.messages.replaceChildren();
  ui.input.focus();
}

function choosePersona(chosen) {
  state.persona = chosen.id;
  localStorage.setItem(KEYS.persona, chosen.id);
  showPersona();
  renderPersonaList();
  ui.personaDialog.close();
  ui.input.focus();
}

function renderPersonaList() {
  const current = persona();
  ui.personaList.replaceChildren(...state.personas.map(
    (p) => personaOption(p, current && p.id === current.id, choosePersona)));
}

function retention(seconds) {
  const days = Math.round(seconds / 86400);
  if (days >= 1) return `${days}일`;
  const hours = Math.round(seconds / 3600);
  return hours >= 1 ? `${hours}시간` : `${Math.round(seconds / 60)}분`;
}

// -- start -------------------------------------------------------------------------------

function autosize() {
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 140)}px`;
}

function wire() {
  let composing = false;
  ui.input.addEventListener("compositionstart", () => { composing = true; });
  ui.input.addEventListener("compositionend", () => { composing = false; });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    // Enter that finishes a Hangul syllable (IME composition) must not send.
    if (event.isComposing || composing || event.keyCode === 229) return;
    event.preventDefault();
    send(ui.input.value);
  });
  ui.input.addEventListener("input", autosize);
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(ui.input.value);
  });
  ui.retry.addEventListener("click", () => {
    const retry = state.retry;
    hideError();
    retry?.();
  });
  ui.dismiss.addEventListener("click", hideError);
  ui.personaButton.addEventListener("click", () => {
    renderPersonaList();
    ui.personaDialog.showModal();
  });
  ui.erase.addEventListener("click", erase);
  ui.eraseDialog.addEventListener("close", () => {
    if (ui.eraseDialog.returnValue === "erase") eraseConfirmed();
  });
  ui.privacyAccept.addEventListener("click", () => {
    localStorage.setItem(KEYS.privacy, String(Date.now()));
    ui.privacyDialog.close();
    ui.input.focus();
  });
}

async function start() {
  hideError();
  try {
    const [personas, info] = await Promise.all([
      api.request("GET", "/v1/personas"), api.request("GET", "/v1/info")]);
    state.personas = personas.personas;
    state.defaultPersona = personas.default;
    state.byId = new Map(state.personas.map((p) => [p.id, p]));
    state.info = info;
    ui.privacyTtl.textContent =
      `마지막 대화 후 ${retention(info.conversation_ttl_s)} 동안 보관하고, 그 뒤에는 자동으로 지워요.`;
    ui.messages.replaceChildren();
    state.lastDay = "";
    await restore();
    showPersona();
  } catch (error) {
    showError(error, () => start());
    return;
  }
  if (!localStorage.getItem(KEYS.privacy)) ui.privacyDialog.showModal();
  else ui.input.focus();
  document.body.dataset.ready = "true";
}

wire();
start();

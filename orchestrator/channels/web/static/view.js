// Rendering: message rows, bubbles, emotion badges, the persona header and picker.

export const EMOJI = {
  "행복": "😊", "불안": "😰", "슬픔": "😢", "당황": "😳", "상처": "💔", "분노": "😠", "중립": "😐",
};

const time = new Intl.DateTimeFormat("ko-KR", { hour: "numeric", minute: "2-digit" });

// A DOM element with attributes, listeners (onclick...) and children; no innerHTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function percent(score) {
  return `${Math.round(score * 100)}%`;
}

// The detected emotion of a user message: label and emoji, the score on hover.
export function emotionBadge(emotion) {
  if (!emotion || !emotion.label) {
    return el("span", { className: "emotion unknown", title: "감정을 알아내지 못했어요" },
      "❔ 감정 미확인");
  }
  const core = emotion.core || "중립";
  const top = (emotion.top || []).map((t) => `${t.label} ${percent(t.score)}`).join(", ");
  const title = `${emotion.label} ${percent(emotion.score)}${top ? ` · 후보: ${top}` : ""}`;
  return el("span", {
    className: "emotion", dataset: { core }, title, "aria-label": `감지된 감정 ${title}`,
  }, `${EMOJI[core] || "🙂"} ${emotion.label}`);
}

export function userRow(text, at, { pending = false } = {}) {
  const meta = el("div", { className: "meta" }, el("time", {}, time.format(at)));
  const row = el("div", { className: `row user${pending ? " pending" : ""}` },
    el("div", { className: "stack" },
      el("div", { className: "bubble" }, text), meta));
  return { row, meta };
}

export function setEmotion(userMeta, emotion) {
  userMeta.querySelector(".emotion")?.remove();
  userMeta.prepend(emotionBadge(emotion));
}

export function botRow(persona, at) {
  const bubble = el("div", { className: "bubble" },
    el("span", { className: "typing", "aria-label": `${persona.name}가 입력 중` },
      el("i"), el("i"), el("i")));
  const meta = el("div", { className: "meta" }, el("time", {}, time.format(at)));
  const actions = el("div", { className: "choices" });
  const row = el("div", { className: "row bot", dataset: { persona: persona.id } },
    el("span", { className: "avatar small", style: `background:${persona.color}`,
      "aria-hidden": "true" }, persona.emoji),
    el("div", { className: "stack" },
      el("span", { className: "who" }, persona.name), bubble, meta, actions));
  return { row, bubble, meta, actions, text: "" };
}

export function appendText(bot, delta) {
  if (!bot.text) bot.bubble.textContent = "";
  bot.text += delta;
  bot.row.dataset.deltas = String(Number(bot.row.dataset.deltas || 0) + 1);
  bot.bubble.textContent = bot.text.trimStart();
}

export function setText(bot, text) {
  bot.text = text;
  bot.bubble.textContent = text;
}

// The crisis lines, as links a phone can call.
const CRISIS_CALLS = [
  ["109", "109 자살예방상담전화 (24시간)"],
  ["15770199", "1577-0199 정신건강위기상담"],
  ["1388", "1388 청소년 상담"],
];

function crisisCalls() {
  return el("div", { className: "calls", role: "group", "aria-label": "지금 전화할 수 있는 곳" },
    CRISIS_CALLS.map(([number, label]) => el("a", { href: `tel:${number}` }, `📞 ${label}`)));
}

// Marks a finished bot reply by its kind; degraded replies carry a note.
export function finishBot(bot, kind, degraded) {
  bot.row.classList.remove("confirm", "degraded", "rule", "crisis");
  bot.row.dataset.kind = kind;
  if (kind === "confirm_question") bot.row.classList.add("confirm");
  if (kind === "rule") bot.row.classList.add("rule");
  bot.row.querySelector(".calls")?.remove();
  if (kind === "crisis") {
    bot.row.classList.add("crisis");
    bot.meta.before(crisisCalls());
  }
  bot.meta.querySelector(".note")?.remove();
  if (degraded && degraded.length) {
    bot.row.classList.add("degraded");
    bot.meta.append(el("span", { className: "note", title: degraded.join(", ") },
      "⚠ 잠시 연결이 불안정해 기본 답변을 드렸어요"));
  }
}

export function personaOption(persona, selected, onChoose) {
  return el("li", {},
    el("button", {
      type: "button", role: "menuitemradio", "aria-checked": String(selected),
      dataset: { persona: persona.id }, onclick: () => onChoose(persona),
    },
    el("span", { className: "avatar", style: `background:${persona.color}`, "aria-hidden": "true" },
      persona.emoji),
    el("span", {}, el("strong", {}, persona.name), el("small", {}, persona.tagline))));
}

export function button(label, onClick, className = "") {
  return el("button", { type: "button", className, onclick: onClick }, label);
}

export function dayDivider(at) {
  const day = new Intl.DateTimeFormat("ko-KR", { dateStyle: "long" }).format(at);
  return el("div", { className: "day", role: "separator" }, day);
}

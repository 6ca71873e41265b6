// Songs under the bot's replies (the music recommendation): five cards per reply, one player for the page
// with a playlist, and "비슷한 곡" for the five that sound most like a card's song.

import { EMOJI, el } from "./view.js";

function duration(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export class Player {
  constructor(api, root) {
    this.api = api;
    this.audio = new Audio();
    this.audio.preload = "none";
    this.playlist = [];
    this.index = -1;
    this.objectUrl = null;
    this.root = root;
    this.title = root.querySelector(".player-title");
    this.toggle = root.querySelector(".player-toggle");
    this.list = root.querySelector(".player-list");
    this.progress = root.querySelector(".player-progress");
    this.toggle.addEventListener("click", () => this.playPause());
    root.querySelector(".player-next").addEventListener("click", () => this.step(1));
    root.querySelector(".player-prev").addEventListener("click", () => this.step(-1));
    this.audio.addEventListener("ended", () => this.step(1));
    this.audio.addEventListener("play", () => this.render());
    this.audio.addEventListener("pause", () => this.render());
    this.audio.addEventListener("timeupdate", () => {
      const total = this.audio.duration || this.current()?.duration_s || 1;
      this.progress.value = Math.min(1, this.audio.currentTime / total);
    });
  }

  current() {
    return this.playlist[this.index];
  }

  // With a bearer token the <audio> element cannot send it: fetch the song as a blob.
  async source(track) {
    if (!this.api.token) return track.audio_url;
    const response = await fetch(track.audio_url, { headers: this.api.headers() });
    if (!response.ok) throw new Error(`audio ${response.status}`);
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = URL.createObjectURL(await response.blob());
    return this.objectUrl;
  }

  async play(playlist, index) {
    this.playlist = playlist;
    this.index = index;
    const track = this.current();
    this.root.hidden = false;
    this.audio.src = await this.source(track);
    this.render();
    try {
      await this.audio.play();
    } catch {
      // autoplay refused or the source failed: the play button stays available
    }
    this.render();
  }

  playPause() {
    if (!this.current()) return;
    if (this.audio.paused) this.audio.play().catch(() => {});
    else this.audio.pause();
  }

  step(by) {
    if (!this.playlist.length) return;
    const next = (this.index + by + this.playlist.length) % this.playlist.length;
    this.play(this.playlist, next);
  }

  render() {
    const track = this.current();
    this.title.textContent = track ? `${track.title} · ${track.artist}` : "";
    const playing = !this.audio.paused;
    this.toggle.textContent = playing ? "⏸" : "▶";
    this.toggle.setAttribute("aria-label", playing ? "일시정지" : "재생");
    this.root.dataset.playing = String(playing);
    this.list.replaceChildren(...this.playlist.map((t, i) => el("li", {
      className: i === this.index ? "now" : "",
    }, el("button", { type: "button", onclick: () => this.play(this.playlist, i) },
      `${i === this.index ? "♪ " : ""}${t.title}`))));
    for (const card of document.querySelectorAll(".track")) {
      const mine = track && card.dataset.track === track.id && card.dataset.list === this.listId;
      card.classList.toggle("playing", Boolean(mine && playing));
    }
  }
}

let lists = 0;

// The cards of one list of songs; returns the list's element.
export function trackList(player, tracks, heading) {
  const id = `list-${++lists}`;
  const box = el("section", { className: "tracks", "aria-label": heading },
    el("h3", {}, heading));
  const ol = el("ol");
  tracks.forEach((track, i) => {
    const core = (track.emotions || [])[0] || "중립";
    const similar = el("button", { type: "button", className: "ghost similar" }, "비슷한 곡");
    const card = el("li", { className: "track", dataset: { track: track.id, list: id } },
      el("button", {
        type: "button", className: "play", "aria-label": `${track.title} 재생`,
        onclick: () => { player.listId = id; player.play(tracks, i); },
      }, "▶"),
      el("span", { className: "track-text" },
        el("strong", {}, track.title),
        el("small", {}, `${EMOJI[core] || "🎵"} ${track.artist} · ${duration(track.duration_s)}`)),
      similar);
    similar.addEventListener("click", async () => {
      similar.disabled = true;
      try {
        const found = await player.api.request(
          "GET", `/v1/tracks/${encodeURIComponent(track.id)}/similar?k=5`);
        card.after(el("li", { className: "similar-list" },
          trackList(player, found.tracks, `‘${track.title}’와 비슷한 곡`)));
      } catch {
        similar.disabled = false;
      }
    });
    ol.append(card);
  });
  box.append(ol);
  return box;
}

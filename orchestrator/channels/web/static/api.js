// The HTTP front door's API: JSON calls and a turn's server-sent events over fetch
// (EventSource cannot POST).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status; // 0: the server could not be reached
    this.code = code;
  }
}

const TOKEN_KEY = "emotion-chat.token";

export class Api {
  constructor() {
    this.token = sessionStorage.getItem(TOKEN_KEY) || "";
  }

  setToken(token) {
    this.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
  }

  headers(extra = {}) {
    const headers = { ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  async request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: this.headers(body === undefined ? {} : { "content-type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    if (!response.ok) throw await errorOf(response);
    return response.json();
  }

  // Yields {event, data} for each server-sent event of a turn.
  async *events(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: this.headers({ "content-type": "application/json", accept: "text/event-stream" }),
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    if (!response.ok) throw await errorOf(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const parsed = parseEvent(block);
          if (parsed) yield parsed;
        }
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(0, "network", String(error));
    }
  }
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  }
  return data.length ? { event, data: JSON.parse(data.join("\n")) } : null;
}

async function errorOf(response) {
  let code = "unknown";
  let message = response.statusText;
  try {
    const body = await response.json();
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not our JSON error (a proxy in between): keep the status text
  }
  return new ApiError(response.status, code, message);
}

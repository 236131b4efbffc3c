// Agent console for the Flex sandbox: lists routed conversations, shows the open one, sends replies.
// Updates arrive as server-sent events; if the stream drops, it polls until the stream is back.
(() => {
  "use strict";

  const api = "/sandbox/api";
  const $ = (id) => document.getElementById(id);
  let selected = null;
  let pollTimer = null;
  let refreshing = null;
  let stale = false;

  // The door a conversation or message came through, as the server marks it in Twilio attributes.
  const sources = { "mcp": "via MCP", "ai-plugin": "via GPT Action" };
  const sourceBadge = (source) => sources[source]
    ? Object.assign(document.createElement("span"), { className: `source ${source}`, textContent: sources[source] })
    : null;

  const time = (iso) => iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";

  async function getJson(path) {
    const response = await fetch(api + path, { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return response.json();
  }

  async function post(path, body) {
    const response = await fetch(api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || `${response.status} ${response.statusText}`);
    }
  }

  function renderQueue(items) {
    const list = $("conversations");
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.sid = item.sid;
      button.setAttribute("aria-current", String(item.sid === selected));
      const name = Object.assign(document.createElement("span"), { className: "name", textContent: item.customer });
      const at = Object.assign(document.createElement("span"), { className: "time", textContent: time(item.lastMessageAt) });
      const preview = Object.assign(document.createElement("span"), { className: "preview", textContent: item.lastMessage ?? "" });
      const meta = Object.assign(document.createElement("span"), { className: "meta" });
      meta.append(Object.assign(document.createElement("span"), { className: `badge ${item.state}`, textContent: item.state }));
      const source = sourceBadge(item.source);
      if (source) meta.append(source);
      if (item.aiAnswering) meta.append(Object.assign(document.createElement("span"), { className: "ai-answering", textContent: "AI answering" }));
      if (item.unanswered) meta.append(Object.assign(document.createElement("span"), { className: "unanswered", textContent: "unanswered" }));
      button.append(name, at, preview, meta);
      button.addEventListener("click", () => open(item.sid));
      li.append(button);
      return li;
    }));
    $("queue-empty").hidden = items.length > 0;
  }

  function renderConversation(conversation) {
    $("chat-empty").hidden = true;
    $("chat").hidden = false;
    $("customer").textContent = conversation.customer;
    const state = $("state");
    state.textContent = conversation.state;
    state.className = `badge ${conversation.state}`;
    $("source").replaceChildren(...[sourceBadge(conversation.source)].filter(Boolean));
    $("ai-note").hidden = !conversation.aiAnswering;
    const closed = conversation.state === "closed";
    $("reply").disabled = closed;
    $("send").disabled = closed;
    $("close").disabled = closed;

    const messages = $("messages");
    const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
    // The AI's messages (source "ai") stand apart from the customer's and the agent's; its hand-off notice is followed by
    // a marker with the reason and the AI's summary, the moment the conversation came to the agent.
    messages.replaceChildren(...conversation.messages.flatMap((m) => {
      const ai = m.source === "ai";
      const li = Object.assign(document.createElement("li"), { className: `message ${m.fromAgent ? "agent" : ai ? "ai" : "customer"}` });
      li.append(
        Object.assign(document.createElement("span"), { className: "bubble", textContent: m.body }),
        Object.assign(document.createElement("span"), {
          className: "who",
          textContent: `${m.fromAgent ? "You" : ai ? "AI assistant" : m.author} · ${time(m.createdAt)}${!m.fromAgent && sources[m.source] ? ` · ${sources[m.source]}` : ""}`,
        }));
      if (!m.handoff) return [li];
      const marker = Object.assign(document.createElement("li"), { className: "handoff" });
      marker.append(
        Object.assign(document.createElement("strong"), { textContent: `Handed off to a person: ${m.handoff.reason}` }),
        Object.assign(document.createElement("span"), { textContent: m.handoff.summary }));
      return [li, marker];
    }));
    if (atBottom) messages.scrollTop = messages.scrollHeight;
  }

  // Each simulated call with what voice assist published for it: the caller's words and the suggested answers.
  function renderCalls(calls) {
    $("calls").replaceChildren(...calls.map((call) => {
      const li = Object.assign(document.createElement("li"), { className: "call" });
      li.dataset.callSid = call.callSid;
      li.append(Object.assign(document.createElement("span"), {
        className: "call-title", textContent: `Call …${call.callSid.slice(-6)} · ${call.state === "ended" ? "ended" : "in progress"}`,
      }));
      for (const line of call.lines) {
        li.append(line.kind === "suggestion"
          ? Object.assign(document.createElement("p"), { className: "suggestion", textContent: `Suggested answer: ${line.answer}` })
          : Object.assign(document.createElement("p"), { className: "transcript", textContent: `Customer: ${line.text}` }));
      }
      return li;
    }));
  }

  function showError(text) {
    const error = $("error");
    error.textContent = text ?? "";
    error.hidden = !text;
  }

  // One refresh at a time; a change announced meanwhile runs one more, so no update is lost.
  async function refresh() {
    if (refreshing) {
      stale = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        stale = false;
        try {
          renderQueue(await getJson("/conversations"));
          renderCalls(await getJson("/calls"));
          if (selected) renderConversation(await getJson(`/conversations/${selected}`));
        } catch (error) {
          showError(`Could not load the conversations: ${error.message}`);
        }
      } while (stale);
    })().finally(() => { refreshing = null; });
    return refreshing;
  }

  async function open(sid) {
    selected = sid;
    showError(null);
    await refresh();
    $("reply").focus();
  }

  async function send() {
    const reply = $("reply");
    const body = reply.value.trim();
    if (!body || !selected) return;
    $("send").disabled = true;
    try {
      await post(`/conversations/${selected}/messages`, { body });
      reply.value = "";
      showError(null);
    } catch (error) {
      showError(`Not sent: ${error.message}`);
    } finally {
      $("send").disabled = false;
      await refresh();
    }
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });

  $("reply").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });

  $("close").addEventListener("click", async () => {
    if (!selected) return;
    try {
      await post(`/conversations/${selected}/close`);
      showError(null);
    } catch (error) {
      showError(`Not closed: ${error.message}`);
    }
    await refresh();
  });

  // Plays a customer who writes by SMS (+1…), WhatsApp (whatsapp:+1…) or web chat (a name): with RESPONDER=ai-first the
  // AI answers through the /twilio/ai-responder webhook, and hands off to this console when it should.
  $("customer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = $("customer-message").value.trim();
    if (!body) return;
    try {
      await post("/channel-messages", { address: $("customer-address").value.trim(), body });
      $("customer-message").value = "";
      $("customer-error").hidden = true;
    } catch (error) {
      $("customer-error").textContent = `Not sent: ${error.message}`;
      $("customer-error").hidden = false;
    }
    await refresh();
  });

  $("simulate-call").addEventListener("click", async () => {
    try {
      await post("/calls");
    } catch (error) {
      showError(`The call did not start: ${error.message}`);
    }
    await refresh();
  });

  // The server ends the stream when it stops; the browser then reconnects on its own until the server is back.
  function listen() {
    const live = $("live");
    const events = new EventSource(`${api}/events`);
    events.addEventListener("changed", refresh);
    events.onopen = () => {
      live.textContent = "live";
      live.classList.add("on");
      live.classList.remove("off");
      clearInterval(pollTimer);
      pollTimer = null;
      refresh();
    };
    events.onerror = () => {
      live.textContent = "offline, reconnecting…";
      live.classList.remove("on");
      live.classList.add("off");
      pollTimer ??= setInterval(refresh, 3000);
    };
  }

  // The example is for this server, wherever it listens.
  $("example").textContent =
    `curl -X POST ${location.origin}/send/alice -H 'Content-Type: application/json' -d '{"msg": "Hi, can a human help?"}'`;

  listen();
  refresh();
})();

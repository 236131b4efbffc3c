// Agent console for the Flex sandbox: lists routed conversations and simulated calls, shows the one picked in the main
// pane, sends replies. Updates arrive as server-sent events; if the stream drops, it polls until the stream is back.
(() => {
  "use strict";

  const api = "/sandbox/api";
  const $ = (id) => document.getElementById(id);
  let selected = null;
  let selectedCall = null;
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
    return response.status === 201 ? null : response.json().catch(() => null);
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
      if (item.earlier > 0) meta.append(Object.assign(document.createElement("span"), { className: "earlier-count", textContent: `+${item.earlier} earlier` }));
      if (item.webhookFailure) meta.append(Object.assign(document.createElement("span"), { className: "webhook-failed", textContent: "webhook failed" }));
      button.append(name, at, preview, meta);
      button.addEventListener("click", () => open(item.sid));
      li.append(button);
      return li;
    }));
    $("queue-empty").hidden = items.length > 0;
  }

  // One message as the agent sees it: the customer's, the AI's (source "ai", standing apart), or an agent's, labelled
  // with which agent wrote it ("You" in this console, the simulated agent, or another).
  function renderMessage(m, earlier) {
    const ai = m.source === "ai";
    const li = Object.assign(document.createElement("li"), {
      className: `message ${m.fromAgent ? "agent" : ai ? "ai" : "customer"}${earlier ? " earlier" : ""}`,
    });
    li.append(
      Object.assign(document.createElement("span"), { className: "bubble", textContent: m.body }),
      Object.assign(document.createElement("span"), {
        className: "who",
        textContent: `${m.fromAgent ? m.agentName : ai ? "AI assistant" : m.author} · ${time(m.createdAt)}${!m.fromAgent && sources[m.source] ? ` · ${sources[m.source]}` : ""}`,
      }));
    if (!m.handoff) return [li];
    const marker = Object.assign(document.createElement("li"), { className: "handoff" });
    marker.append(
      Object.assign(document.createElement("strong"), { textContent: `Handed off to a person: ${m.handoff.reason}` }),
      Object.assign(document.createElement("span"), { textContent: m.handoff.summary }));
    return [li, marker];
  }

  const divider = (text) => Object.assign(document.createElement("li"), { className: "conversation-divider", textContent: text });

  function show(pane) {
    if (document.body.classList.contains("ai-call-open")) pane = "ai-call";
    $("chat-empty").hidden = pane !== null;
    $("chat").hidden = pane !== "chat";
    $("call").hidden = pane !== "call";
  }

  function renderConversation(conversation) {
    show("chat");
    $("customer").textContent = conversation.customer;
    const state = $("state");
    state.textContent = conversation.state;
    state.className = `badge ${conversation.state}`;
    $("source").replaceChildren(...[sourceBadge(conversation.source)].filter(Boolean));
    $("ai-note").hidden = !conversation.aiAnswering;
    const failure = $("webhook-failure");
    failure.textContent = conversation.webhookFailure ? `The sandbox could not deliver this conversation's webhook: ${conversation.webhookFailure}` : "";
    failure.hidden = !conversation.webhookFailure;
    const closed = conversation.state === "closed";
    $("reply").disabled = closed;
    $("send").disabled = closed;
    $("close").disabled = closed;

    const messages = $("messages");
    const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
    // A customer who writes again after a closed conversation: the earlier ones come first, as their history.
    const history = conversation.earlier.flatMap((e) => [
      divider(`Earlier conversation · ${e.state} · started ${new Date(e.createdAt).toLocaleString()}`),
      ...e.messages.flatMap((m) => renderMessage(m, true)),
    ]);
    if (history.length > 0) history.push(divider("This conversation"));
    messages.replaceChildren(...history, ...conversation.messages.flatMap((m) => renderMessage(m, false)));
    if (atBottom) messages.scrollTop = messages.scrollHeight;
  }

  // The simulated calls, listed on the left; the picked one (a new call at once) in the main pane with what voice assist
  // published for it: the caller's words and the suggested answers.
  const callTitle = (call) => `Call …${call.callSid.slice(-6)}`;
  const callState = (call) => call.state === "ended" ? "ended" : "in progress";

  function renderCalls(calls) {
    $("calls").replaceChildren(...calls.map((call) => {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "call-entry", textContent: `${callTitle(call)} · ${callState(call)}` });
      button.dataset.callSid = call.callSid;
      button.setAttribute("aria-current", String(call.callSid === selectedCall));
      button.addEventListener("click", () => openCall(call.callSid));
      const li = document.createElement("li");
      li.append(button);
      return li;
    }));
    const call = calls.find((c) => c.callSid === selectedCall);
    if (!call) return;
    show("call");
    $("call-title").textContent = callTitle(call);
    $("call-state").textContent = callState(call);
    $("call-state").className = `badge ${call.state === "ended" ? "closed" : ""}`;
    const lines = call.lines.map((line) => Object.assign(document.createElement("li"), line.kind === "suggestion"
      ? { className: "suggestion", textContent: `Suggested answer: ${line.answer}` }
      : { className: "transcript", textContent: `Customer: ${line.text}` }));
    $("call-lines").replaceChildren(...(lines.length > 0 ? lines
      : [Object.assign(document.createElement("li"), { className: "call-waiting", textContent: call.state === "ended" ? "Nothing was heard." : "Listening…" })]));
  }

  // The emulated Verify service's codes, newest first: in the sandbox this is where a person signing in finds theirs.
  function renderSignInCodes(codes) {
    $("sign-in-codes").replaceChildren(...codes.map((c) => {
      const li = Object.assign(document.createElement("li"), { className: `sign-in-code ${c.status}` });
      li.append(
        Object.assign(document.createElement("span"), { className: "to", textContent: c.to }),
        Object.assign(document.createElement("strong"), { className: "code", textContent: c.code }),
        Object.assign(document.createElement("span"), { className: "status", textContent: `${c.status} · ${time(c.created)}` }));
      return li;
    }));
    $("sign-in-codes-empty").hidden = codes.length > 0;
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
          renderSignInCodes(await getJson("/sign-in-codes"));
          $("agents-away").checked = (await getJson("/agent-status")).away;
          if (selected) renderConversation(await getJson(`/conversations/${selected}`));
          if (!selected && !selectedCall) show(null);
        } catch (error) {
          showError(`Could not load the conversations: ${error.message}`);
        }
      } while (stale);
    })().finally(() => { refreshing = null; });
    return refreshing;
  }

  async function open(sid) {
    selected = sid;
    selectedCall = null;
    showError(null);
    await refresh();
    $("reply").focus();
  }

  async function openCall(callSid) {
    selectedCall = callSid;
    selected = null;
    showError(null);
    await refresh();
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

  // Plays a customer who writes by SMS (+1…), WhatsApp (whatsapp:+1…) or web chat (a name). With RESPONDER=ai-first the AI
  // answers through the /twilio/ai-responder webhook and hands off to this console when it should; otherwise the message
  // comes straight to this console, as Flex's default messaging flow would send it. Either way its conversation opens.
  $("customer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = $("customer-message").value.trim();
    const error = $("customer-error");
    if (!body) {
      error.textContent = "Type the customer's message first.";
      error.hidden = false;
      return;
    }
    try {
      const sent = await post("/channel-messages", { address: $("customer-address").value.trim(), body });
      $("customer-message").value = "";
      error.hidden = true;
      await open(sent.conversationSid);
    } catch (failure) {
      error.textContent = `Not sent: ${failure.message}`;
      error.hidden = false;
      await refresh();
    }
  });

  // Away: TaskRouter reports no available worker, so a waiting customer is told at once that nobody is there.
  $("agents-away").addEventListener("change", async (event) => {
    try {
      await post("/agent-status", { away: event.target.checked });
      showError(null);
    } catch (failure) {
      showError(`Could not change the agents' status: ${failure.message}`);
    }
    await refresh();
  });

  $("simulate-call").addEventListener("click", async () => {
    const error = $("call-error");
    try {
      const started = await post("/calls");
      error.hidden = true;
      await openCall(started.callSid);
    } catch (failure) {
      error.textContent = `The call did not start: ${failure.message}`;
      error.hidden = false;
      await refresh();
    }
  });

  // A sandbox agent token for trying a Flex plugin against this server (its IAM stand-in accepts it, nothing else does).
  $("agent-token-get").addEventListener("click", async () => {
    const error = $("agent-token-error");
    try {
      const response = await fetch("/sandbox/agent-token", { cache: "no-store" });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      const minted = await response.json();
      $("agent-token").value = minted.token;
      $("agent-token-info").textContent = `Agent ${minted.identity} (${minted.roles.join(", ")}), valid until ${new Date(minted.expiresAt).toLocaleString()}.`;
      for (const id of ["agent-token", "agent-token-copy", "agent-token-info"]) $(id).hidden = false;
      error.hidden = true;
    } catch (failure) {
      error.textContent = `No token: ${failure.message}`;
      error.hidden = false;
    }
  });
  $("agent-token-copy").addEventListener("click", async () => {
    $("agent-token").select();
    await navigator.clipboard?.writeText($("agent-token").value).catch(() => {});
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

  // The console's token (…/sandbox?token=…) is kept in a cookie by now; out of the address bar, it is not shared or
  // bookmarked with the page.
  const address = new URL(location.href);
  if (address.searchParams.has("token")) {
    address.searchParams.delete("token");
    history.replaceState(history.state, "", address.pathname + address.search + address.hash);
  }

  // The example is for this server, wherever it listens.
  $("example").textContent =
    `curl -X POST ${location.origin}/send/alice -H 'Content-Type: application/json' -d '{"msg": "Hi, can a human help?"}'`;

  listen();
  refresh();
})();

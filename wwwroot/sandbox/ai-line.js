// "Call the AI line": a simulated ConversationRelay session played by the sandbox over the server's real /voice/relay.
// The picked AI call fills the main pane while the body has the ai-call-open class; picking anything else clears it.
(() => {
  "use strict";

  const api = "/sandbox/api";
  const $ = (id) => document.getElementById(id);
  let current = null;
  let timer = null;

  async function request(method, path, body) {
    const response = await fetch(api + path, {
      method, cache: "no-store",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.detail || `${response.status} ${response.statusText}`);
    return json;
  }

  const title = (call) => `AI call …${call.callSid.slice(-6)}`;

  function render(call) {
    document.body.classList.add("ai-call-open");
    for (const id of ["chat", "call", "chat-empty"]) $(id).hidden = true;
    $("ai-call").hidden = false;
    $("ai-call-title").textContent = title(call);
    $("ai-call-state").textContent = call.state;
    $("ai-call-lines").replaceChildren(...call.lines.map((line) => {
      const li = Object.assign(document.createElement("li"), { className: `message ${line.speaker === "ai" ? "ai" : "customer"} ai-call-line` });
      li.append(Object.assign(document.createElement("span"), { className: "who", textContent: line.speaker === "ai" ? "AI" : "Caller" }),
        Object.assign(document.createElement("span"), { className: "bubble", textContent: line.text }));
      return li;
    }));
    const task = $("ai-call-task");
    task.hidden = !call.task && !call.error;
    task.textContent = call.task
      ? `Voice task in Flex (workflow ${call.task.workflowSid}): ${call.task.reason} — ${call.task.summary}`
      : call.error ? `The call ended: ${call.error}` : "";
    $("ai-call-say").disabled = call.state !== "with the AI";
  }

  async function refresh() {
    const calls = await request("GET", "/ai-calls").catch(() => []);
    $("ai-calls").replaceChildren(...calls.map((call) => {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "ai-call-entry", textContent: `${title(call)} · ${call.state}` });
      button.addEventListener("click", () => open(call.callSid));
      return Object.assign(document.createElement("li"), {}).appendChild(button).parentNode;
    }));
    if (current && document.body.classList.contains("ai-call-open")) {
      const call = calls.find((c) => c.callSid === current);
      if (call) render(call);
    }
  }

  function open(callSid) {
    current = callSid;
    document.body.classList.add("ai-call-open");
    clearInterval(timer);
    timer = setInterval(refresh, 250);
    return refresh();
  }

  // Picking a conversation or a simulated call hands the main pane back to the console.
  document.addEventListener("click", (event) => {
    if (event.target.closest(".conversation-list button, .call-entry")) {
      document.body.classList.remove("ai-call-open");
      $("ai-call").hidden = true;
      clearInterval(timer);
    }
  }, true);

  $("call-ai-line").addEventListener("click", async () => {
    const error = $("ai-call-error");
    error.hidden = true;
    try {
      const call = await request("POST", "/ai-calls");
      await open(call.callSid);
      $("ai-call-words").focus();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });

  $("ai-call-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = $("ai-call-words");
    if (!current || !words.value.trim()) return;
    try {
      render(await request("POST", `/ai-calls/${current}/prompts`, { text: words.value.trim() }));
      words.value = "";
    } catch (failure) {
      $("ai-call-task").hidden = false;
      $("ai-call-task").textContent = failure.message;
    }
  });

  refresh();
})();

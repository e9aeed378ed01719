// src/editor.ts
function e(e, t) {
	return t ? e.getRootNode().getElementById?.(t) ?? e.ownerDocument?.getElementById(t) ?? null : null;
}
function t(e) {
	return e instanceof HTMLTextAreaElement || e instanceof HTMLInputElement;
}
function n(e) {
	return t(e) ? e.value : e.innerText ?? e.textContent ?? "";
}
function r(e, n) {
	if (t(e)) {
		let t = Object.getPrototypeOf(e), r = Object.getOwnPropertyDescriptor(t, "value")?.set;
		r ? r.call(e, n) : e.value = n;
	} else e.textContent = n;
	e.dispatchEvent(new InputEvent("input", {
		bubbles: !0,
		composed: !0,
		inputType: "insertReplacementText",
		data: n
	})), e.dispatchEvent(new Event("change", { bubbles: !0 }));
}
function i(e) {
	let t = e.split(".")[1];
	if (t) try {
		let e = atob(t.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(t.length / 4) * 4, "=")), n = JSON.parse(e).exp;
		return typeof n == "number" ? n * 1e3 : void 0;
	} catch {
		return;
	}
}
var a = class {
	now;
	held = null;
	pending = null;
	constructor(e = Date.now) {
		this.now = e;
	}
	async get(e) {
		let t = this.held;
		return t && (t.expiresAt === void 0 || t.expiresAt - this.now() > 3e4) ? t.token : (this.pending ??= this.fetch(e).finally(() => this.pending = null), this.pending);
	}
	forget() {
		this.held = null;
	}
	async fetch(e) {
		let t = await e(), n = typeof t == "string" ? t : t.token;
		if (typeof n != "string" || !n) throw TypeError("getToken must resolve with a token or {token, expiresAt}.");
		let r = typeof t == "string" || !t.expiresAt ? NaN : Date.parse(t.expiresAt);
		return this.held = {
			token: n,
			expiresAt: Number.isNaN(r) ? i(n) : r
		}, n;
	}
}, o = {
	toolbar: "Text enhancement",
	actions: {
		improve: "Improve",
		grammar: "Fix grammar",
		shorten: "Shorten",
		formal: "Make formal",
		translate: "Translate",
		custom: "Apply"
	},
	targetLanguage: "Target language",
	instruction: "Your instruction",
	instructionPlaceholder: "e.g. make it friendlier",
	preview: "Suggested text",
	accept: "Accept",
	discard: "Discard",
	cancel: "Cancel",
	undo: "Undo",
	streaming: "Writing…",
	done: "Suggestion ready. Accept or discard it.",
	cancelled: "Stopped.",
	accepted: "Text replaced.",
	discarded: "Suggestion discarded.",
	undone: "Original text restored.",
	noEditor: (e) => `No editor with id "${e}" was found on the page.`,
	emptyText: "There is no text to enhance.",
	emptyInstruction: "Write an instruction first.",
	quotaExceeded: "Your usage quota is used up for this period. Please try again later.",
	rateLimited: (e) => e ? `Too many requests. Try again in ${e} s.` : "Too many requests. Try again in a moment.",
	network: "The service could not be reached. Check your connection and try again.",
	vendor: (e) => `The AI service failed: ${e}`,
	unauthorized: "This page is not allowed to use the service.",
	invalid: (e) => `The request was refused: ${e}`,
	languages: {
		en: "English",
		es: "Spanish",
		fr: "French",
		de: "German",
		it: "Italian",
		pt: "Portuguese"
	}
}, s = {
	en: o,
	es: {
		toolbar: "Mejora del texto",
		actions: {
			improve: "Mejorar",
			grammar: "Corregir gramática",
			shorten: "Acortar",
			formal: "Hacer formal",
			translate: "Traducir",
			custom: "Aplicar"
		},
		targetLanguage: "Idioma de destino",
		instruction: "Tu instrucción",
		instructionPlaceholder: "p. ej. hazlo más cercano",
		preview: "Texto sugerido",
		accept: "Aceptar",
		discard: "Descartar",
		cancel: "Cancelar",
		undo: "Deshacer",
		streaming: "Escribiendo…",
		done: "Sugerencia lista. Acéptala o descártala.",
		cancelled: "Detenido.",
		accepted: "Texto reemplazado.",
		discarded: "Sugerencia descartada.",
		undone: "Texto original restaurado.",
		noEditor: (e) => `No se encontró ningún editor con id "${e}" en la página.`,
		emptyText: "No hay texto que mejorar.",
		emptyInstruction: "Escribe primero una instrucción.",
		quotaExceeded: "Has agotado tu cuota de uso para este periodo. Inténtalo más tarde.",
		rateLimited: (e) => e ? `Demasiadas solicitudes. Inténtalo de nuevo en ${e} s.` : "Demasiadas solicitudes. Inténtalo de nuevo en un momento.",
		network: "No se pudo conectar con el servicio. Comprueba tu conexión e inténtalo de nuevo.",
		vendor: (e) => `El servicio de IA falló: ${e}`,
		unauthorized: "Esta página no tiene permiso para usar el servicio.",
		invalid: (e) => `La solicitud fue rechazada: ${e}`,
		languages: {
			en: "Inglés",
			es: "Español",
			fr: "Francés",
			de: "Alemán",
			it: "Italiano",
			pt: "Portugués"
		}
	}
};
function c(e) {
	return (e ?? "").trim().toLowerCase().split(/[-_]/)[0] || "en";
}
function l(e) {
	return s[c(e)] ?? o;
}
function u(e) {
	return o.languages[c(e)] ?? e;
}
// src/prompts.ts
var d = "Answer with the rewritten text only: no preamble, no quotes, no explanations.", f = {
	improve: `Improve the clarity, flow and style of the user's text. Keep its meaning and its language. ${d}`,
	grammar: `Fix the spelling, grammar and punctuation of the user's text. Change nothing else and keep its language. ${d}`,
	shorten: `Shorten the user's text to about half its length. Keep the key information and its language. ${d}`,
	formal: `Rewrite the user's text in a formal, professional tone. Keep its meaning and its language. ${d}`,
	translate: `Translate the user's text into {language}. ${d}`
};
function p(e) {
	if (!e) return {};
	try {
		let t = JSON.parse(e);
		if (!t || typeof t != "object" || Array.isArray(t)) return {};
		let n = {};
		for (let [e, r] of Object.entries(t)) e in f && typeof r == "string" && r.trim() && (n[e] = r);
		return n;
	} catch {
		return {};
	}
}
function m(e, t = {}) {
	return [{
		role: "system",
		content: e.action === "custom" ? `Rewrite the user's text following this instruction: ${(e.instruction ?? "").trim()}. ${d}` : (t[e.action] ?? f[e.action]).replaceAll("{language}", u(e.language ?? "en"))
	}, {
		role: "user",
		content: e.text
	}];
}
// src/sse.ts
async function* h(e) {
	let t = e.getReader(), n = new TextDecoder(), r = new g();
	try {
		for (;;) {
			let { value: e, done: i } = await t.read();
			if (i) break;
			yield* r.push(n.decode(e, { stream: !0 }));
		}
		yield* r.push(n.decode() + "\n\n");
	} finally {
		t.releaseLock();
	}
}
var g = class {
	buffer = "";
	data = [];
	*push(e) {
		for (this.buffer += e;;) {
			let e = /\r\n|\r|\n/.exec(this.buffer);
			if (!e || e[0] === "\r" && e.index === this.buffer.length - 1) return;
			let t = this.buffer.slice(0, e.index);
			this.buffer = this.buffer.slice(e.index + e[0].length), t === "" ? (this.data.length && (yield this.data.join("\n")), this.data = []) : t.startsWith("data") && (t.indexOf(":") === 4 ? this.data.push(t.slice(5).replace(/^ /, "")) : t === "data" && this.data.push(""));
		}
	}
}, _ = class extends Error {
	kind;
	type;
	status;
	retryAfterSeconds;
	constructor(e, t, n, r, i) {
		super(t), this.kind = e, this.type = n, this.status = r, this.retryAfterSeconds = i, this.name = "EnhanceError";
	}
};
function v(e, t) {
	return t === "insufficient_quota" || t === "quota_exceeded" ? "quota" : e === 429 || t === "rate_limit_exceeded" || t === "provider_rate_limited" ? "rate" : e === 401 || e === 403 ? "unauthorized" : e >= 400 && e < 500 && !t?.startsWith("provider_") ? "invalid" : "vendor";
}
function y(e, t = Date.now()) {
	if (!e) return;
	if (/^\d+$/.test(e.trim())) return Number(e.trim());
	let n = Date.parse(e);
	return Number.isNaN(n) ? void 0 : Math.max(0, Math.ceil((n - t) / 1e3));
}
function b(e, t, n) {
	let r = e?.error?.type ?? "http_error", i = e?.error?.status ?? t;
	return new _(v(i, r), e?.error?.message ?? `HTTP ${t}`, r, i, n);
}
async function x(e) {
	let t = {
		"Content-Type": "application/json",
		Accept: "text/event-stream"
	};
	e.apiKey ? (t.Authorization = `Bearer ${e.apiKey}`, e.endUserToken && (t["X-End-User-Token"] = e.endUserToken)) : e.endUserToken && (t.Authorization = `Bearer ${e.endUserToken}`);
	let n;
	try {
		n = await (e.fetch ?? fetch)(e.endpoint, {
			method: "POST",
			headers: t,
			body: JSON.stringify(e.body),
			signal: e.signal,
			credentials: "omit"
		});
	} catch (t) {
		throw e.signal.aborted ? t : new _("network", String(t), "network_error", 0);
	}
	if (!n.ok || !n.body) {
		let e;
		try {
			e = await n.json();
		} catch {
			e = void 0;
		}
		throw b(e, n.status, y(n.headers.get("Retry-After")));
	}
	let r = "";
	try {
		for await (let t of h(n.body)) {
			if (t === "[DONE]") break;
			let n = JSON.parse(t);
			if (n.error) throw b(n, n.error.status ?? 502);
			let i = n.choices?.[0]?.delta?.content;
			i && (r += i, e.onDelta(i));
		}
	} catch (t) {
		throw t instanceof _ || e.signal.aborted ? t : new _("network", String(t), "network_error", 0);
	}
	return r;
}
// src/script-origin.ts
var S = /\/ai-text-enhancer(\.[\w-]+)?\.js(?:[?#]|$)/;
function C(e, t) {
	let n = Array.from(e.querySelectorAll("script[src]")).find((e) => S.test(e.src));
	for (let r of [n?.src, t]) if (r) try {
		let t = new URL(r, e.baseURI);
		if (t.protocol === "http:" || t.protocol === "https:") return t.origin;
	} catch {}
	return e.location?.origin ?? "";
}
// src/styles.ts
var w = "\n:host {\n  all: initial;\n  display: block;\n  box-sizing: border-box;\n  font: var(--ate-font, 14px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif);\n  color: var(--ate-color, #1f2328);\n  margin: var(--ate-margin, 8px 0);\n}\n:host([hidden]) { display: none; }\n*, *::before, *::after { box-sizing: inherit; }\n.box {\n  border: 1px solid var(--ate-border-color, #d0d7de);\n  border-radius: var(--ate-radius, 8px);\n  background: var(--ate-background, #ffffff);\n  padding: 8px;\n  display: grid;\n  gap: 8px;\n}\n.toolbar, .actions, .custom { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }\nbutton, select, input {\n  font: inherit;\n  color: inherit;\n  border: 1px solid var(--ate-border-color, #d0d7de);\n  border-radius: calc(var(--ate-radius, 8px) - 2px);\n  background: var(--ate-button-background, #f6f8fa);\n  padding: 4px 10px;\n  min-height: 30px;\n}\ninput { background: var(--ate-background, #ffffff); flex: 1 1 12em; min-width: 8em; }\nbutton { cursor: pointer; }\nbutton.primary {\n  background: var(--ate-accent, #0969da);\n  border-color: var(--ate-accent, #0969da);\n  color: var(--ate-accent-contrast, #ffffff);\n}\nbutton:disabled, select:disabled, input:disabled { opacity: 0.55; cursor: not-allowed; }\nbutton:focus-visible, select:focus-visible, input:focus-visible, .preview:focus-visible {\n  outline: 3px solid var(--ate-focus-color, #bf3989);\n  outline-offset: 2px;\n}\n.preview-text { white-space: pre-wrap; min-height: 1.5em; }\n.preview {\n  min-height: 3em;\n  padding: 8px;\n  border-radius: calc(var(--ate-radius, 8px) - 2px);\n  background: var(--ate-preview-background, #f6f8fa);\n  overflow-wrap: anywhere;\n}\n.preview[hidden], .actions [hidden], .status:empty { display: none; }\n.status { font-size: 0.92em; color: var(--ate-muted-color, #57606a); }\n.status.error { color: var(--ate-error-color, #cf222e); }\n.label { font-size: 0.85em; color: var(--ate-muted-color, #57606a); }\n.visually-hidden {\n  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;\n  clip: rect(0 0 0 0); white-space: nowrap; border: 0;\n}\n";
function T(e) {
	if ("adoptedStyleSheets" in e && typeof CSSStyleSheet < "u" && "replaceSync" in CSSStyleSheet.prototype) {
		let t = new CSSStyleSheet();
		t.replaceSync(w), e.adoptedStyleSheets = [t];
		return;
	}
	let t = document.createElement("style");
	t.textContent = w, e.append(t);
}
// src/element.ts
var E = [
	"improve",
	"grammar",
	"shorten",
	"formal",
	"translate"
], D = [
	"en",
	"es",
	"fr",
	"de",
	"it",
	"pt"
], O = `
<div class="box" part="container">
  <div class="toolbar" role="group" part="toolbar">
    ${E.map((e) => `<button type="button" part="button action" data-action="${e}"></button>`).join("")}
    <label class="visually-hidden" for="target"></label>
    <select id="target" part="select">${D.map((e) => `<option value="${e}"></option>`).join("")}</select>
  </div>
  <div class="custom" part="custom">
    <label class="visually-hidden" for="instruction"></label>
    <input id="instruction" type="text" part="input" autocomplete="off">
    <button type="button" part="button action" data-action="custom"></button>
  </div>
  <div class="preview" id="preview" part="preview" role="region" tabindex="0" hidden>
    <div class="label" id="preview-label"></div>
    <div class="preview-text" id="preview-text" aria-live="polite" aria-atomic="false"></div>
  </div>
  <div class="status" id="status" role="status" part="status"></div>
  <div class="status error" id="error" role="alert" part="error"></div>
  <div class="actions" part="actions">
    <button type="button" part="button cancel" data-command="cancel" hidden></button>
    <button type="button" part="button accept" class="primary" data-command="accept" hidden></button>
    <button type="button" part="button discard" data-command="discard" hidden></button>
    <button type="button" part="button undo" data-command="undo" hidden></button>
  </div>
</div>`, k = typeof document > "u" ? "" : C(document, import.meta.url), A = class extends HTMLElement {
	static observedAttributes = ["language"];
	root;
	controller = null;
	suggestionText = "";
	undoText = null;
	undoEditor = null;
	promptOverrides = null;
	tokens = new a();
	tokenSource = null;
	constructor() {
		super(), this.root = this.attachShadow({ mode: "open" }), T(this.root);
		let e = document.createElement("template");
		if (e.innerHTML = O, this.root.append(e.content.cloneNode(!0)), this.root.addEventListener("click", (e) => this.onClick(e)), this.root.addEventListener("keydown", (e) => this.onKeydown(e)), this.applyTexts(), Object.hasOwn(this, "getToken")) {
			let e = this.getToken ?? null;
			delete this.getToken, this.getToken = e;
		}
	}
	attributeChangedCallback() {
		this.applyTexts();
	}
	get editorId() {
		return this.getAttribute("editor-id");
	}
	set editorId(e) {
		this.setOrRemove("editor-id", e);
	}
	get apiProvider() {
		return this.getAttribute("api-provider");
	}
	set apiProvider(e) {
		this.setOrRemove("api-provider", e);
	}
	get apiModel() {
		return this.getAttribute("api-model");
	}
	set apiModel(e) {
		this.setOrRemove("api-model", e);
	}
	get language() {
		return this.getAttribute("language") ?? document.documentElement.lang ?? "en";
	}
	set language(e) {
		this.setAttribute("language", e);
	}
	get apiKey() {
		return this.getAttribute("api-key");
	}
	set apiKey(e) {
		this.setOrRemove("api-key", e);
	}
	get userId() {
		return this.getAttribute("user-id");
	}
	set userId(e) {
		this.setOrRemove("user-id", e);
	}
	get getToken() {
		return this.tokenSource;
	}
	set getToken(e) {
		this.tokenSource = e, this.tokens.forget();
	}
	get token() {
		return this.getAttribute("token");
	}
	set token(e) {
		this.setOrRemove("token", e);
	}
	get proxyUrl() {
		return (this.getAttribute("proxy-url") || k || location.origin).replace(/\/+$/, "");
	}
	set proxyUrl(e) {
		this.setAttribute("proxy-url", e);
	}
	get prompts() {
		return this.promptOverrides ?? p(this.getAttribute("prompts"));
	}
	set prompts(e) {
		this.promptOverrides = e;
	}
	get suggestion() {
		return this.suggestionText;
	}
	get busy() {
		return this.controller !== null;
	}
	async enhance(t = "improve", r = {}) {
		let i = this.texts, a = e(this, this.editorId);
		if (!a) return this.fail(new _("invalid", i.noEditor(this.editorId ?? ""), "no_editor", 0));
		let o = n(a);
		if (!o.trim()) return this.fail(new _("invalid", i.emptyText, "empty_text", 0));
		let s = r.instruction ?? this.$("#instruction").value;
		if (t === "custom" && !s.trim()) return this.fail(new _("invalid", i.emptyInstruction, "empty_instruction", 0));
		this.cancel();
		let c = new AbortController();
		this.controller = c, this.suggestionText = "", this.showError(""), this.showStatus(i.streaming), this.$("#preview-text").textContent = "", this.$("#preview-text").setAttribute("aria-busy", "true"), this.$("#preview").hidden = !1, this.updateButtons(), this.emit("enhance-start", {
			action: t,
			text: o
		});
		let l = m({
			action: t,
			text: o,
			instruction: s,
			language: r.language ?? this.$("#target").value
		}, this.prompts), u = (e) => x({
			endpoint: `${this.proxyUrl}/api/llm-proxy`,
			apiKey: this.apiKey ?? void 0,
			endUserToken: e,
			body: {
				provider: this.apiProvider ?? void 0,
				model: this.apiModel ?? void 0,
				messages: l,
				stream: !0,
				userId: e ? void 0 : this.userId ?? void 0
			},
			signal: c.signal,
			onDelta: (e) => {
				this.suggestionText += e, this.$("#preview-text").textContent = this.suggestionText, this.emit("enhance-chunk", {
					delta: e,
					text: this.suggestionText
				});
			}
		});
		try {
			let e;
			try {
				e = await u(this.getToken ? await this.freshToken(this.getToken) : this.token ?? void 0);
			} catch (t) {
				if (!(t instanceof _ && t.status === 401 && this.getToken) || c.signal.aborted) throw t;
				this.tokens.forget(), e = await u(await this.freshToken(this.getToken));
			}
			return this.finish(c), this.showStatus(this.texts.done), this.emit("enhance-done", {
				action: t,
				text: e
			}), e;
		} catch (e) {
			if (c.signal.aborted) return null;
			if (this.finish(c), e instanceof _) return this.fail(e);
			throw e;
		}
	}
	cancel() {
		let e = this.controller;
		e && (e.abort(), this.finish(e), this.showStatus(this.texts.cancelled), this.emit("enhance-cancel", { text: this.suggestionText }));
	}
	accept() {
		let t = e(this, this.editorId);
		return !t || this.busy || !this.suggestionText ? !1 : (this.undoText = n(t), this.undoEditor = t, r(t, this.suggestionText), this.emit("enhance-accept", { text: this.suggestionText }), this.clearSuggestion(this.texts.accepted), t.focus(), !0);
	}
	discard() {
		this.cancel(), this.clearSuggestion(this.texts.discarded);
	}
	undo() {
		return this.undoText === null || !this.undoEditor ? !1 : (r(this.undoEditor, this.undoText), this.undoText = null, this.undoEditor = null, this.clearSuggestion(this.texts.undone), !0);
	}
	async freshToken(e) {
		try {
			return await this.tokens.get(e);
		} catch (e) {
			throw new _("unauthorized", `No end-user token: ${String(e)}`, "token_unavailable", 0);
		}
	}
	get texts() {
		return l(this.language);
	}
	$(e) {
		return this.root.querySelector(e);
	}
	setOrRemove(e, t) {
		t === null ? this.removeAttribute(e) : this.setAttribute(e, t);
	}
	emit(e, t) {
		this.dispatchEvent(new CustomEvent(e, {
			detail: t,
			bubbles: !0,
			composed: !0
		}));
	}
	finish(e) {
		this.controller === e && (this.controller = null), this.$("#preview-text").removeAttribute("aria-busy"), this.updateButtons();
	}
	fail(e) {
		let t = {
			kind: e.kind,
			type: e.type,
			status: e.status,
			message: e.message,
			retryAfterSeconds: e.retryAfterSeconds,
			displayMessage: this.describe(e)
		};
		throw this.showStatus(""), this.showError(t.displayMessage), this.suggestionText || (this.$("#preview").hidden = !0), this.emit("enhance-error", t), e;
	}
	describe(e) {
		let t = this.texts;
		switch (e.kind) {
			case "quota": return t.quotaExceeded;
			case "rate": return t.rateLimited(e.retryAfterSeconds);
			case "network": return t.network;
			case "unauthorized": return t.unauthorized;
			case "vendor": return t.vendor(e.message);
			case "invalid": return e.status === 0 ? e.message : t.invalid(e.message);
		}
	}
	clearSuggestion(e) {
		this.suggestionText = "", this.$("#preview-text").textContent = "", this.$("#preview").hidden = !0, this.showError(""), this.showStatus(e), this.updateButtons();
	}
	showStatus(e) {
		this.$("#status").textContent = e;
	}
	showError(e) {
		this.$("#error").textContent = e;
	}
	updateButtons() {
		let e = this.busy, t = this.suggestionText.length > 0, n = this.root.activeElement;
		if (this.root.querySelectorAll("button[data-action]").forEach((t) => t.disabled = e), this.$("[data-command=cancel]").hidden = !e, this.$("[data-command=accept]").hidden = e || !t, this.$("[data-command=discard]").hidden = e || !t, this.$("[data-command=undo]").hidden = e || this.undoText === null, n && (n.disabled || n.hidden)) {
			let n = e ? "[data-command=cancel]" : t ? "[data-command=accept]" : "[data-action=improve]";
			this.$(n).focus();
		}
	}
	applyTexts() {
		let e = this.texts;
		this.$(".toolbar").setAttribute("aria-label", e.toolbar), this.root.querySelectorAll("button[data-action]").forEach((t) => {
			t.textContent = e.actions[t.dataset.action];
		}), this.$("label[for=target]").textContent = e.targetLanguage;
		let t = this.$("#target");
		t.querySelectorAll("option").forEach((t) => t.textContent = e.languages[t.value]);
		let n = c(this.language);
		D.includes(n) && (t.value = n), this.$("label[for=instruction]").textContent = e.instruction, this.$("#instruction").placeholder = e.instructionPlaceholder, this.$("#preview-label").textContent = e.preview, this.$("#preview").setAttribute("aria-labelledby", "preview-label");
		for (let t of [
			"cancel",
			"accept",
			"discard",
			"undo"
		]) this.$(`[data-command=${t}]`).textContent = e[t];
		this.updateButtons();
	}
	onClick(e) {
		let t = e.target.closest?.("button");
		if (!t || t.disabled) return;
		let n = t.dataset.action;
		if (n) this.enhance(n).catch(() => {});
		else switch (t.dataset.command) {
			case "cancel":
				this.cancel();
				break;
			case "accept":
				this.accept();
				break;
			case "discard":
				this.discard();
				break;
			case "undo": this.undo();
		}
	}
	onKeydown(e) {
		e.key === "Escape" && (this.busy || this.suggestionText) ? (e.preventDefault(), this.busy ? this.cancel() : this.discard()) : e.key === "Enter" && e.target.id === "instruction" && (e.preventDefault(), this.busy || this.enhance("custom").catch(() => void 0));
	}
};
// src/index.ts
typeof customElements < "u" && !customElements.get("ai-text-enhancer") && customElements.define("ai-text-enhancer", A);
export { A as AiTextEnhancer, _ as EnhanceError };

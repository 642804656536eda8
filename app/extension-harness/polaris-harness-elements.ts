/**
 * A minimal rendering of the Polaris web components (`s-*` elements) the customer-account
 * returns extension uses, for the local extension harness only. Shopify's host renderer (the
 * customer account page that receives the extension's remote DOM and draws it with Polaris) is
 * not available offline; these elements keep the contract the extension is written against and
 * nothing more: attributes and properties in (`heading`, `label`, `value`, `disabled`, `loading`,
 * `tone`, `slot`...), `click`, `input` and `change` events out with `currentTarget.value`, and the
 * action's `primary-action` / `secondary-actions` slots. They look plain on purpose.
 *
 * The harness frame runs this function's source (Function.prototype.toString), so it must not
 * refer to anything outside its own body, nor use what a compiler turns into helper calls
 * (class fields: state is `declare`d and set in constructors; observedAttributes are getters).
 */
export function installPolarisHarnessElements(): void {
  if (customElements.get("s-stack")) return;

  const sheet = (text: string): CSSStyleSheet => {
    const style = new CSSStyleSheet();
    style.replaceSync(text);
    return style;
  };
  const GAPS: Record<string, string> = { none: "0", "small-500": "2px", "small-300": "4px", "small-200": "6px", "small-100": "8px", small: "8px", base: "12px", large: "20px", "large-100": "24px" };

  /** Shadow root, attribute-driven re-render; `build` once, `update` on every attribute change. */
  class HarnessElement extends HTMLElement {
    protected declare readonly root: ShadowRoot;
    private declare built: boolean;

    constructor(styles: string, template: string) {
      super();
      this.built = false;
      this.root = this.attachShadow({ mode: "open" });
      this.root.adoptedStyleSheets = [sheet(styles)];
      this.root.innerHTML = template;
    }

    connectedCallback(): void {
      if (!this.built) {
        this.built = true;
        this.build();
      }
      this.update();
    }

    attributeChangedCallback(): void {
      if (this.built) this.update();
    }

    protected build(): void {}
    protected update(): void {}

    protected inner<T extends Element>(selector: string): T {
      return this.root.querySelector(selector) as T;
    }

    /** Fires `type` on the host, where the extension's Preact listeners are. */
    protected emit(type: string): void {
      this.dispatchEvent(new Event(type, { bubbles: true }));
    }
  }

  class StackElement extends HarnessElement {
    constructor() {
      super(
        `:host{display:flex;flex-direction:column;gap:12px}:host([direction=inline]){flex-direction:row;flex-wrap:wrap;align-items:center}` +
          Object.entries(GAPS)
            .map(([name, size]) => `:host([gap="${name}"]){gap:${size}}`)
            .join(""),
        "<slot></slot>",
      );
    }
  }

  class SectionElement extends HarnessElement {
    static get observedAttributes(): string[] {
      return ["heading"];
    }
    constructor() {
      super(
        ":host{display:block;border:1px solid #e3e3e3;border-radius:12px;padding:12px 16px}h3{margin:0 0 8px;font-size:15px}h3:empty{display:none}",
        "<section><h3></h3><slot></slot></section>",
      );
    }
    protected override update(): void {
      this.inner<HTMLElement>("h3").textContent = this.getAttribute("heading") ?? "";
    }
  }

  class TextElement extends HarnessElement {
    constructor() {
      super(":host{display:inline}:host([type=strong]){font-weight:650}:host([color=subdued]){color:#616161}", "<slot></slot>");
    }
  }

  class ParagraphElement extends HarnessElement {
    constructor() {
      super(":host{display:block;margin:0 0 6px}", "<slot></slot>");
    }
  }

  class BadgeElement extends HarnessElement {
    constructor() {
      super(":host{display:inline-block;padding:2px 10px;border-radius:10px;background:#ebebeb;font-size:13px}", "<slot></slot>");
    }
  }

  class BannerElement extends HarnessElement {
    static get observedAttributes(): string[] {
      return ["tone", "heading"];
    }
    constructor() {
      super(
        ":host{display:block;border-radius:10px;padding:10px 14px;background:#eaf4ff;border:1px solid #91c4f2}" +
          ":host([tone=success]){background:#e6f7ed;border-color:#7fc99b}:host([tone=warning]){background:#fff5e0;border-color:#f0c36b}" +
          ":host([tone=critical]){background:#fde9e7;border-color:#f0a39b}strong:empty{display:none}strong{display:block;margin-bottom:4px}",
        "<div><strong></strong><slot></slot></div>",
      );
    }
    protected override update(): void {
      const tone = this.getAttribute("tone") ?? "info";
      this.setAttribute("role", tone === "critical" || tone === "warning" ? "alert" : "status");
      this.inner<HTMLElement>("strong").textContent = this.getAttribute("heading") ?? "";
    }
  }

  class LinkElement extends HarnessElement {
    static get observedAttributes(): string[] {
      return ["href"];
    }
    constructor() {
      super(":host{display:inline}a{color:#005bd3}", `<a target="_blank" rel="noopener"><slot></slot></a>`);
    }
    protected override update(): void {
      const href = this.getAttribute("href");
      const anchor = this.inner<HTMLAnchorElement>("a");
      if (href) anchor.setAttribute("href", href);
      else anchor.removeAttribute("href");
    }
  }

  class SpinnerElement extends HarnessElement {
    constructor() {
      super(
        ":host{display:inline-block}span{display:inline-block;width:20px;height:20px;border:3px solid #ccc;border-top-color:#303030;border-radius:50%;animation:spin 1s linear infinite}@keyframes spin{to{transform:rotate(360deg)}}",
        `<span role="progressbar" aria-label="Loading"></span>`,
      );
    }
  }

  class ButtonElement extends HarnessElement {
    static get observedAttributes(): string[] {
      return ["variant", "disabled", "loading"];
    }
    constructor() {
      super(
        ":host{display:inline-block}button{font:inherit;padding:8px 16px;border-radius:8px;border:1px solid #c9c9c9;background:#fff;cursor:pointer}" +
          ":host([variant=primary]) button{background:#303030;color:#fff;border-color:#303030}button:disabled{opacity:.5;cursor:default}" +
          ":host([loading]) button::after{content:' …'}",
        `<button type="button" part="button"><slot></slot></button>`,
      );
      // A disabled or loading Polaris button does not press: stop the click before the
      // extension's own listener (on this element) sees it.
      this.addEventListener("click", (event) => {
        if (this.inactive()) event.stopImmediatePropagation();
      }, { capture: true });
    }
    private inactive(): boolean {
      return this.hasAttribute("disabled") || this.hasAttribute("loading");
    }
    protected override update(): void {
      const button = this.inner<HTMLButtonElement>("button");
      button.disabled = this.inactive();
      button.setAttribute("aria-busy", String(this.hasAttribute("loading")));
    }
  }

  /** Fields keep their value on the host, as Polaris does, so `event.currentTarget.value` reads it. */
  class FieldElement extends HarnessElement {
    static get observedAttributes(): string[] {
      return ["label", "min", "max", "disabled"];
    }
    protected declare current: string;
    constructor(control: string) {
      super(
        ":host{display:block}label{display:flex;flex-direction:column;gap:4px;font-size:14px}input,select{font:inherit;padding:6px 8px;border:1px solid #8a8a8a;border-radius:8px}",
        `<label><span class="label"></span>${control}</label>`,
      );
      this.current = "";
    }
    protected control(): HTMLInputElement | HTMLSelectElement {
      return this.inner<HTMLInputElement | HTMLSelectElement>("input, select");
    }
    get value(): string {
      return this.current;
    }
    set value(next: string) {
      this.current = next == null ? "" : String(next);
      if (this.control().value !== this.current) this.control().value = this.current;
    }
    protected override build(): void {
      const control = this.control();
      control.addEventListener("input", () => {
        this.current = control.value;
        this.emit("input");
      });
      control.addEventListener("change", () => {
        this.current = control.value;
        this.emit("change");
      });
    }
    protected override update(): void {
      this.inner<HTMLElement>(".label").textContent = this.getAttribute("label") ?? "";
      const control = this.control();
      control.disabled = this.hasAttribute("disabled");
      for (const name of ["min", "max"]) {
        const value = this.getAttribute(name);
        if (value === null) control.removeAttribute(name);
        else control.setAttribute(name, value);
      }
      if (control.value !== this.current) control.value = this.current;
    }
  }

  class NumberFieldElement extends FieldElement {
    constructor() {
      super(`<input type="number" inputmode="numeric">`);
    }
  }

  /** Options come from the `s-option` children, kept in step as the extension re-renders them. */
  class SelectElement extends FieldElement {
    constructor() {
      super("<select></select>");
    }
    protected override build(): void {
      super.build();
      new MutationObserver(() => this.syncOptions()).observe(this, { childList: true, subtree: true, characterData: true, attributes: true });
      this.syncOptions();
    }
    private syncOptions(): void {
      const select = this.inner<HTMLSelectElement>("select");
      select.replaceChildren(
        ...[...this.querySelectorAll("s-option")].map((option) => new Option(option.textContent?.trim() ?? "", option.getAttribute("value") ?? "")),
      );
      select.value = this.current;
    }
  }

  class OptionElement extends HTMLElement {}

  class CustomerAccountActionElement extends HarnessElement {
    static get observedAttributes(): string[] {
      return ["heading"];
    }
    constructor() {
      super(
        ":host{display:block}.action{display:flex;flex-direction:column;gap:16px;padding:20px}h2{margin:0;font-size:20px}" +
          "footer{display:flex;justify-content:flex-end;gap:8px;border-top:1px solid #e3e3e3;padding-top:12px}",
        `<div class="action" role="dialog" aria-labelledby="heading"><h2 id="heading"></h2><div><slot></slot></div>` +
          `<footer><slot name="secondary-actions"></slot><slot name="primary-action"></slot></footer></div>`,
      );
    }
    protected override update(): void {
      this.inner<HTMLElement>("h2").textContent = this.getAttribute("heading") ?? "";
    }
  }

  const elements: [string, CustomElementConstructor][] = [
    ["s-stack", StackElement],
    ["s-section", SectionElement],
    ["s-text", TextElement],
    ["s-paragraph", ParagraphElement],
    ["s-badge", BadgeElement],
    ["s-banner", BannerElement],
    ["s-link", LinkElement],
    ["s-spinner", SpinnerElement],
    ["s-button", ButtonElement],
    ["s-number-field", NumberFieldElement],
    ["s-select", SelectElement],
    ["s-option", OptionElement],
    ["s-customer-account-action", CustomerAccountActionElement],
  ];
  for (const [name, element] of elements) customElements.define(name, element);
}

/**
 * The widget's only CSS, adopted as a constructable stylesheet (no <style> element and no style attribute,
 * so a host CSP of `style-src 'self'` has nothing to block).
 *
 * Partners theme it with custom properties on any ancestor (they inherit through the shadow boundary):
 * --signpost-bg, --signpost-fg, --signpost-accent, --signpost-accent-fg, --signpost-exit, --signpost-exit-fg,
 * --signpost-focus, --signpost-border, --signpost-radius, --signpost-font. Unset ones fall back to defaults
 * that meet WCAG AA contrast in both light and dark mode.
 *
 * `all: initial !important` on :host is what stops host CSS from hiding or shrinking the message: in the
 * cascade, a shadow tree's !important declarations on its host beat the outer page's, even !important ones.
 * It does not touch custom properties, so theming still flows in.
 */
export const CSS = `
:host{all:initial!important;display:block!important;
--b:var(--signpost-bg,#fff);--f:var(--signpost-fg,#1b1b1b);--a:var(--signpost-accent,#1d4ed8);
--t:var(--signpost-accent-fg,#fff);--e:var(--signpost-exit,#b3261e);--x:var(--signpost-exit-fg,#fff);
--k:var(--signpost-focus,#1b1b1b);--l:var(--signpost-border,#6b6b6b)}
@media(prefers-color-scheme:dark){:host{
--b:var(--signpost-bg,#1c1c1e);--f:var(--signpost-fg,#f2f2f2);--a:var(--signpost-accent,#9ec5ff);
--t:var(--signpost-accent-fg,#0b0b0b);--e:var(--signpost-exit,#ffb4ab);--x:var(--signpost-exit-fg,#0b0b0b);
--k:var(--signpost-focus,#fff);--l:var(--signpost-border,#9a9a9a)}}
section{box-sizing:border-box;margin:0;padding:12px 16px 16px;border:1px solid var(--l);
border-radius:var(--signpost-radius,8px);background:var(--b);color:var(--f);text-align:start;
font:16px/1.5 var(--signpost-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}
.t{display:flex;justify-content:flex-end;gap:8px}
h2{margin:8px 0 4px;font-size:1.2em;line-height:1.3}
p{margin:0 0 12px;white-space:pre-line;overflow-wrap:anywhere}
.a{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:12px}
a,button{box-sizing:border-box;min-width:44px;min-height:44px;display:inline-flex;align-items:center;
justify-content:center;margin:0;padding:8px 16px;border:2px solid var(--a);border-radius:6px;
background:var(--a);color:var(--t);font:inherit;font-weight:600;text-decoration:none;cursor:pointer;
overflow-wrap:anywhere}
a{flex:1 1 14em}
.x{border-color:var(--e);background:var(--e);color:var(--x)}
.d{padding:0 8px;border-color:transparent;background:none;color:var(--f);font-size:1.5em;line-height:1}
:focus-visible{outline:3px solid var(--k);outline-offset:2px}
small{display:block;font-size:.875em}
@media(prefers-reduced-motion:no-preference){section{animation:s .2s ease-out}}
@keyframes s{from{opacity:0}}
`;

let shared: CSSStyleSheet | undefined;

/** Styles a shadow root; one stylesheet object is shared by every widget on the page. */
export function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root) {
    if (!shared) {
      shared = new CSSStyleSheet();
      shared.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [shared];
  } else {
    // Browsers before constructable stylesheets (Safari < 16.4): a strict host CSP blocks this, and the
    // message then shows unstyled, which is still usable.
    const style = document.createElement('style');
    style.textContent = CSS;
    (root as ShadowRoot).append(style);
  }
}

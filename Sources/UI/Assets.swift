/// The UI's one stylesheet and one script, served from `/ui/static/` (the CSP allows no inline
/// style or script). The script only adds to pages that work without it.
enum Assets {
    static let stylesheet = """
        :root { --ink: #1d2430; --muted: #4a5566; --line: #d5dae1; --bg: #f7f8fa; --accent: #0b5cad;
          --ok: #17663a; --bad: #a3161b; --warn: #7a4b00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
        .skip { position: absolute; left: -9999px; }
        .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
        header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px;
          background: #14213d; color: #fff; padding: 8px 16px; }
        header a { color: #fff; text-decoration: none; margin-right: 16px; }
        header a[aria-current="page"] { text-decoration: underline; font-weight: 600; }
        header .brand { font-weight: 700; }
        header .who { display: flex; align-items: center; gap: 8px; }
        header form { margin: 0; }
        main { max-width: 1200px; margin: 0 auto; padding: 16px; }
        h1 { font-size: 1.6em; margin: 8px 0 16px; }
        h2 { font-size: 1.2em; margin: 24px 0 8px; }
        table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 8px; }
        th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; }
        code, .digest { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9em; word-break: break-all; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff; padding: 12px;
          border: 1px solid var(--line); }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
        .card { background: #fff; border: 1px solid var(--line); padding: 12px; }
        .card .number { font-size: 1.8em; font-weight: 700; }
        .card .number.good { color: var(--ok); }
        .card .number.bad { color: var(--bad); }
        pre.value { margin: 0; white-space: pre-wrap; word-break: break-word; }
        pre.log { max-height: 28em; overflow: auto; background: #fff; border: 1px solid var(--line); padding: 8px; }
        .status { font-weight: 700; }
        .status.good { color: var(--ok); }
        .status.bad { color: var(--bad); }
        .status.warn { color: var(--warn); }
        form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; background: #fff; padding: 12px;
          border: 1px solid var(--line); margin-bottom: 12px; }
        form.filters label { display: flex; flex-direction: column; font-weight: 600; font-size: 0.9em; }
        input[type="text"], input[type="password"] { font: inherit; padding: 4px 6px; border: 1px solid #8a94a3; min-width: 14em; }
        button { font: inherit; padding: 4px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff;
          cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        header button { background: transparent; border-color: #fff; }
        .pager { display: flex; gap: 16px; margin: 8px 0 16px; }
        .notice { background: #fff; border-left: 4px solid var(--accent); padding: 8px 12px; margin-bottom: 12px; overflow-wrap: anywhere; }
        .notice.error { border-color: var(--bad); }
        .signin { max-width: 420px; margin: 48px auto; background: #fff; border: 1px solid var(--line); padding: 24px; }
        .signin label { display: block; font-weight: 600; margin-bottom: 4px; }
        .signin input { width: 100%; margin-bottom: 12px; }
        .muted { color: var(--muted); }
        .copy { margin-left: 6px; padding: 0 6px; font-size: 0.8em; }
        .graph { overflow-x: auto; background: #fff; border: 1px solid var(--line); padding: 8px; }
        .graph a.node:focus rect, .graph a.node:hover rect { stroke: #f0b400; stroke-width: 3; }
        select { font: inherit; padding: 3px 4px; }
        .actions { display: flex; gap: 8px; margin: 12px 0; }
        .actions form { margin: 0; }
        ul.errors { margin: 0; padding-left: 1.2em; }
        article.drift { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--warn); padding: 8px 12px;
          margin-bottom: 12px; }
        article.drift h3 { margin: 4px 0; font-size: 1.05em; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; }
        figure.chart { margin: 0 0 12px; background: #fff; border: 1px solid var(--line); padding: 8px; }
        figure.chart svg { max-width: 100%; height: auto; }
        figure.chart figcaption { font-size: 0.85em; color: var(--muted); max-width: 560px; }
        pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        """ + LineageScript.stylesheet

    static let script = """
        // Progressive enhancement only: every page works without this file.
        // Adds a "Copy" button next to each digest, and asks before a form marked data-confirm is sent.
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          document.querySelectorAll("[data-copy]").forEach(function (element) {
            if (!navigator.clipboard) { return; }
            var button = document.createElement("button");
            button.type = "button";
            button.className = "copy secondary";
            button.textContent = "Copy";
            button.setAttribute("aria-label", "Copy " + (element.getAttribute("data-copy-label") || "value"));
            button.addEventListener("click", function () {
              navigator.clipboard.writeText(element.getAttribute("data-copy")).then(function () { button.textContent = "Copied"; });
            });
            element.insertAdjacentElement("afterend", button);
          });
          document.querySelectorAll("form[data-confirm]").forEach(function (form) {
            form.addEventListener("submit", function (event) {
              if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
            });
          });
        });
        """ + LineageScript.script
}

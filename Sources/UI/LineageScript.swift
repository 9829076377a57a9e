/// The lineage graph's part of the UI's script and stylesheet (appended to `Assets`): zoom and
/// pan by changing the SVG's viewBox, with buttons (keyboard), the wheel and dragging; a node
/// that gets the keyboard's focus is brought into view. Without the script the graph is drawn
/// whole at its own size and the page scrolls, as before; the buttons exist only with it.
enum LineageScript {
    static let script = """

        // The lineage graph: zoom and pan by changing the SVG's viewBox.
        document.addEventListener("DOMContentLoaded", function () {
          document.querySelectorAll(".graph svg.lineage").forEach(function (svg) {
            var start = svg.getAttribute("viewBox").split(" ").map(Number);
            var box = start.slice();
            var show = function (next) {
              box = next;
              svg.setAttribute("viewBox", box.map(function (v) { return Math.round(v * 10) / 10; }).join(" "));
            };
            var zoom = function (factor, x, y) {
              var width = Math.min(Math.max(box[2] * factor, start[2] / 8), start[2] * 2);
              var f = width / box[2];
              show([x - (x - box[0]) * f, y - (y - box[1]) * f, width, box[3] * f]);
            };
            var middle = function () { return [box[0] + box[2] / 2, box[1] + box[3] / 2]; };
            var tools = document.createElement("div");
            tools.className = "graph-tools";
            tools.setAttribute("role", "group");
            tools.setAttribute("aria-label", "Zoom and pan the graph");
            [["zoom-in", "Zoom in", "Zoom in", function () { var m = middle(); zoom(1 / 1.25, m[0], m[1]); }],
             ["zoom-out", "Zoom out", "Zoom out", function () { var m = middle(); zoom(1.25, m[0], m[1]); }],
             ["pan-left", "\\u2190", "Pan left", function () { show([box[0] - box[2] / 5, box[1], box[2], box[3]]); }],
             ["pan-up", "\\u2191", "Pan up", function () { show([box[0], box[1] - box[3] / 5, box[2], box[3]]); }],
             ["pan-down", "\\u2193", "Pan down", function () { show([box[0], box[1] + box[3] / 5, box[2], box[3]]); }],
             ["pan-right", "\\u2192", "Pan right", function () { show([box[0] + box[2] / 5, box[1], box[2], box[3]]); }],
             ["reset", "Reset", "Reset the view", function () { show(start.slice()); }]].forEach(function (tool) {
              var button = document.createElement("button");
              button.type = "button";
              button.id = "graph-" + tool[0];
              button.className = "secondary";
              button.textContent = tool[1];
              button.setAttribute("aria-label", tool[2]);
              button.setAttribute("aria-controls", svg.id);
              button.addEventListener("click", tool[3]);
              tools.appendChild(button);
            });
            svg.parentNode.parentNode.insertBefore(tools, svg.parentNode);
            svg.classList.add("zoomable");
            var at = function (event) {
              var r = svg.getBoundingClientRect();
              return [box[0] + (event.clientX - r.left) / r.width * box[2], box[1] + (event.clientY - r.top) / r.height * box[3]];
            };
            svg.addEventListener("wheel", function (event) {
              event.preventDefault();
              var p = at(event);
              zoom(event.deltaY < 0 ? 1 / 1.15 : 1.15, p[0], p[1]);
            }, { passive: false });
            var drag = null, dragged = false;
            svg.addEventListener("pointerdown", function (event) {
              if (event.button !== 0) { return; }
              drag = { x: event.clientX, y: event.clientY, box: box.slice(), id: event.pointerId };
              dragged = false;
            });
            svg.addEventListener("pointermove", function (event) {
              if (!drag) { return; }
              var dx = event.clientX - drag.x, dy = event.clientY - drag.y, r = svg.getBoundingClientRect();
              if (!dragged && Math.abs(dx) + Math.abs(dy) < 5) { return; }
              if (!dragged) { dragged = true; svg.setPointerCapture(drag.id); svg.classList.add("dragging"); }
              show([drag.box[0] - dx / r.width * drag.box[2], drag.box[1] - dy / r.height * drag.box[3], drag.box[2], drag.box[3]]);
            });
            var stop = function () { drag = null; svg.classList.remove("dragging"); };
            svg.addEventListener("pointerup", stop);
            svg.addEventListener("pointercancel", stop);
            // A drag is not a click on the node it started on.
            svg.addEventListener("click", function (event) {
              if (dragged) { event.preventDefault(); event.stopPropagation(); dragged = false; }
            }, true);
            svg.addEventListener("focusin", function (event) {
              var rect = event.target.closest && event.target.closest("a.node") && event.target.closest("a.node").querySelector("rect");
              if (!rect) { return; }
              var x = Number(rect.getAttribute("x")), y = Number(rect.getAttribute("y"));
              var w = Number(rect.getAttribute("width")), h = Number(rect.getAttribute("height"));
              if (x < box[0] || y < box[1] || x + w > box[0] + box[2] || y + h > box[1] + box[3]) {
                show([x + w / 2 - box[2] / 2, y + h / 2 - box[3] / 2, box[2], box[3]]);
              }
            });
          });
        });
        """

    static let stylesheet = """

        .graph-tools { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 6px; }
        .graph svg.zoomable { max-width: 100%; height: auto; cursor: grab; touch-action: none; user-select: none; }
        .graph svg.zoomable.dragging { cursor: grabbing; }
        """
}

/* structcheck report viewer: draws one flagged frame at a time with 3Dmol.js (vendored).
   One WebGL viewer for the whole report (browsers cap live WebGL contexts at ~16), so a
   report of many frames loads each frame into it when its row is clicked.
   State the tests read is written into the DOM: #sc-viewer[data-frame, data-contacts-drawn,
   data-highlighted] and li.sc-finding[data-drawn, aria-selected]. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("sc-data").textContent);
  var HL = "#ff00ff";
  var box = document.getElementById("sc-viewer");
  var list = document.getElementById("sc-findings");
  var title = document.getElementById("sc-frame-title");
  var note = document.getElementById("sc-frame-note");
  var viewer = null, model = null, frame = null, halos = [];

  function init() {
    if (typeof $3Dmol === "undefined") { noWebGL("the viewer script did not load"); return; }
    var probe = document.createElement("canvas");
    var gl = null;
    try { gl = probe.getContext("webgl2") || probe.getContext("webgl"); } catch (e) { gl = null; }
    if (!gl) { noWebGL("this browser provides no WebGL"); return; }
    viewer = $3Dmol.createViewer(box, {backgroundColor: "white", antialias: true, minimumZoomToDistance: 1.5});
    if (!viewer) noWebGL("the 3D viewer could not start");
  }

  function noWebGL(why) {
    viewer = null;
    box.classList.add("sc-nogl");
    box.textContent = "No 3D view: " + why + ". The findings are listed beside.";
  }

  function xyz(f) {
    var n = f.el.length, lines = [String(n), f.title];
    for (var k = 0; k < n; k++) {
      lines.push(f.el[k] + " " + f.xyz[3 * k] + " " + f.xyz[3 * k + 1] + " " + f.xyz[3 * k + 2]);
    }
    return lines.join("\n") + "\n";
  }

  function pos(k) {
    return {x: frame.xyz[3 * k], y: frame.xyz[3 * k + 1], z: frame.xyz[3 * k + 2]};
  }

  function baseStyle() {
    // a fix report: small spheres and no bonds, so the displacement arrows (often along bonds) show
    var fixview = !!frame.before, sc = fixview ? 0.1 : 0.18, st = 0.1;
    function style(extra) {
      var o = {sphere: {scale: sc + (extra.grow || 0)}};
      if (!fixview) o.stick = {radius: st + (extra.grow ? 0.02 : 0)};
      if (extra.opacity) { o.sphere.opacity = extra.opacity; if (o.stick) o.stick.opacity = extra.opacity; }
      return o;
    }
    model.setStyle({}, style({}));
    if (frame.image.length) model.setStyle({index: frame.image}, style({opacity: 0.45}));
    // flagged: larger and translucent, so the contact lines inside overlapping atoms stay visible
    if (frame.flagged.length) model.setStyle({index: frame.flagged}, style({grow: 0.04, opacity: 0.75}));
  }

  function drawCell() {
    if (!frame.cell) return;
    var c = frame.cell, o = frame.origin;
    function v(a, b, d) {
      return {x: o[0] + a * c[0][0] + b * c[1][0] + d * c[2][0],
              y: o[1] + a * c[0][1] + b * c[1][1] + d * c[2][1],
              z: o[2] + a * c[0][2] + b * c[1][2] + d * c[2][2]};
    }
    var edges = [[0,0,0,1,0,0],[0,0,0,0,1,0],[0,0,0,0,0,1],[1,0,0,1,1,0],[1,0,0,1,0,1],[0,1,0,1,1,0],
                 [0,1,0,0,1,1],[0,0,1,1,0,1],[0,0,1,0,1,1],[1,1,0,1,1,1],[1,0,1,1,1,1],[0,1,1,1,1,1]];
    edges.forEach(function (e) {
      viewer.addLine({start: v(e[0], e[1], e[2]), end: v(e[3], e[4], e[5]), color: "#888888"});
    });
  }

  function show(fid) {
    frame = DATA.frames[fid];
    box.dataset.frame = fid;
    title.textContent = frame.title;
    note.textContent = frame.note;
    document.querySelectorAll("tr.sc-row").forEach(function (tr) {
      tr.classList.toggle("sc-current", tr.dataset.frame === String(fid));
    });
    list.textContent = "";
    frame.findings.forEach(function (f, k) {
      var li = document.createElement("li");
      li.className = "sc-finding sc-" + f.severity;
      li.dataset.finding = k;
      li.dataset.atoms = f.atoms.join(",");
      li.dataset.code = f.code;
      li.tabIndex = 0;
      li.setAttribute("aria-selected", "false");
      var head = document.createElement("b");
      head.textContent = f.code + " " + f.name;
      li.appendChild(head);
      li.appendChild(document.createTextNode(" " + f.message));
      li.addEventListener("click", function () { highlight(k); });
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") highlight(k); });
      list.appendChild(li);
    });
    var drawn = 0;
    box.dataset.highlighted = "";
    if (viewer) {
      viewer.clear();
      halos = [];
      model = viewer.addModel(xyz(frame), "xyz");
      baseStyle();
      drawCell();
      frame.flagged.forEach(function (k) {
        viewer.addLabel(frame.labels[k], {position: pos(k), fontSize: 11, fontColor: "black",
          backgroundColor: "white", backgroundOpacity: 0.6, inFront: true, alignment: "bottomLeft"});
      });
      frame.image.forEach(function (k) {
        viewer.addLabel(frame.labels[k] + " (image)", {position: pos(k), fontSize: 10, fontColor: "#555555",
          backgroundOpacity: 0.0, inFront: true, alignment: "topLeft"});
      });
      if (frame.before) {  // a fix report: the input, translucent grey, and an arrow per moved atom
        var old = {el: frame.el, xyz: frame.before, title: "before"};
        var m0 = viewer.addModel(xyz(old), "xyz");
        m0.setStyle({}, {sphere: {scale: 0.1, color: "#999999", opacity: 0.45}});
        var arrows = 0;
        frame.arrows.forEach(function (ar) {
          var k = ar.atom;
          var from = {x: frame.before[3 * k], y: frame.before[3 * k + 1], z: frame.before[3 * k + 2]};
          if (viewer.addArrow({start: from, end: pos(k), radius: 0.04, radiusRatio: 1.8, mid: 0.7,
                               color: "#0050d0"})) arrows += 1;
        });
        box.dataset.arrowsDrawn = String(arrows);
      }
      frame.contacts.forEach(function (c, ci) {
        var a = c.start ? {x: c.start[0], y: c.start[1], z: c.start[2]} : pos(c.a);
        var b = c.end ? {x: c.end[0], y: c.end[1], z: c.end[2]} : pos(c.b);
        var shape = viewer.addCylinder({start: a, end: b, radius: frame.before ? 0.015 : 0.045, color: c.periodic ? "#d06000" : "red",
          dashed: true, fromCap: 1, toCap: 1});
        viewer.addLabel(c.label, {position: {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, z: (a.z + b.z) / 2},
          fontSize: 12, fontColor: "#b00000", backgroundColor: "white", backgroundOpacity: 0.85, inFront: true,
          screenOffset: {x: 0, y: -(26 + 18 * (ci % 5))}});  // stacked below: contacts on one line stay readable
        if (shape) {
          drawn += 1;
          var li = list.children[c.finding];
          if (li) li.dataset.drawn = "1";
        }
      });
      viewer.zoomTo();
      viewer.render();
    }
    box.dataset.contactsDrawn = String(drawn);
  }

  function highlight(k) {
    if (!frame) return;
    var f = frame.findings[k];
    Array.prototype.forEach.call(list.children, function (li, m) {
      li.setAttribute("aria-selected", m === k ? "true" : "false");
      li.classList.toggle("sc-selected", m === k);
    });
    if (!viewer) { box.dataset.highlighted = ""; return; }
    halos.forEach(function (s) { viewer.removeShape(s); });
    halos = [];
    baseStyle();
    if (f.scene.length) {
      model.setStyle({index: f.scene}, {stick: {radius: 0.12, color: HL}, sphere: {scale: 0.26, color: HL}});
      f.scene.forEach(function (s) {
        halos.push(viewer.addSphere({center: pos(s), radius: 0.3, color: HL, opacity: 0.2}));
      });
      viewer.zoomTo({index: f.scene});
      viewer.zoom(0.5);
    }
    viewer.render();
    // read back from the viewer's own atoms which ones now carry the highlight colour
    var on = model.selectedAtoms({}).filter(function (a) {
      return a.style && a.style.sphere && a.style.sphere.color === HL;
    }).map(function (a) { return frame.index[a.index]; });
    on.sort(function (x, y) { return x - y; });
    box.dataset.highlighted = on.filter(function (x, m) { return m === 0 || on[m - 1] !== x; }).join(",");
  }

  document.querySelectorAll("tr.sc-row").forEach(function (tr) {
    if (tr.dataset.frame !== undefined) tr.addEventListener("click", function () { show(Number(tr.dataset.frame)); });
  });
  init();
  if (DATA.frames.length) show(0);
  document.body.dataset.ready = "1";
}());

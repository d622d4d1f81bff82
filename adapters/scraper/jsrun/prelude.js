// The sandbox prelude: run once in every fresh goja runtime with N, the page's natives. It
// (1) guards the built-ins that allocate or loop in Go, where goja's Interrupt cannot reach, and
// (2) builds the recording DOM stub: document, window, elements, location, a jQuery-ish $, timers.
// Everything it defines is reachable by the page's scripts; tampering with it only harms the page.
(function (N) {
  "use strict";
  var G = globalThis, MAX = N.max, ITER = 4096;
  var defProp = Object.defineProperty, isArray = Array.isArray, oapply = Function.prototype.apply;
  var call = Function.prototype.call.bind(Function.prototype.call);
  function hide(o, k, v) { defProp(o, k, { value: v, writable: true, configurable: true, enumerable: false }); }
  function big() { throw new RangeError("jsrun: result too large"); }
  function str(v) { return typeof v === "string" ? v : String(v); }
  function lenOf(o) { if (o == null) return 0; var n = +o.length; return n > 0 ? n : 0; }
  function notes(args) { for (var i = 0; i < args.length && i < 16; i++) if (typeof args[i] === "string") N.note(args[i]); }

  // ---- 1. guards ----------------------------------------------------------------------------
  var SP = String.prototype, AP = Array.prototype;
  // wrap replaces o[k] by a function that runs check(this, arguments) before the original.
  function wrap(o, k, check) {
    var f = o[k];
    if (typeof f !== "function") return;
    hide(o, k, { [k]: function () { check(this, arguments); return call(oapply, f, this, arguments); } }[k]);
  }
  function thisStr(t) { if (typeof t === "string" && t.length > MAX) big(); }
  function arg0Str(t, a) { if (typeof a[0] === "string" && a[0].length > MAX) big(); }
  function thisLen(t) { if (lenOf(t) > MAX) big(); }

  var rep = SP.repeat;
  hide(SP, "repeat", function repeat(n) { var s = str(this); if (s.length * (+n || 0) > MAX) big(); return call(rep, s, n); });
  wrap(SP, "padStart", function (t, a) { if (+a[0] > MAX) big(); });
  wrap(SP, "padEnd", function (t, a) { if (+a[0] > MAX) big(); });
  ["split", "normalize", "toUpperCase", "toLowerCase", "toLocaleUpperCase", "toLocaleLowerCase", "match", "matchAll", "search"].forEach(function (k) {
    wrap(SP, k, function (t) { thisStr(str(t)); });
  });
  wrap(SP, "concat", function (t, a) {
    var n = str(t).length;
    for (var i = 0; i < a.length; i++) { n += str(a[i]).length; if (n > MAX) big(); }
  });
  function guardReplace(k, all) {
    var f = SP[k];
    hide(SP, k, { [k]: function (p, r) {
      var s = str(this);
      thisStr(s);
      if (typeof r === "function") {
        var fn = r, total = 0;
        r = function () { var x = str(call(oapply, fn, this, arguments)); total += x.length; if (total > MAX) big(); return x; };
      } else {
        r = str(r);
        var m = all || (p instanceof RegExp && p.global) ? s.length + 1 : 1;
        var d = r.split("$").length - 1;
        if (s.length + m * (r.length + d * s.length) > MAX) big();
      }
      return call(f, s, p, r);
    } }[k]);
  }
  guardReplace("replace", false);
  guardReplace("replaceAll", true);
  // Iterating a string or a long array runs in Go (spread, Array.from, destructuring): long
  // ones get an iterator written in JavaScript, which Interrupt can stop.
  function jsIter(o, kind) {
    var i = 0;
    var it = { next: function () {
      var n = lenOf(o);
      if (i >= n) return { value: undefined, done: true };
      var j = i++;
      return { value: kind === "keys" ? j : kind === "entries" ? [j, o[j]] : o[j], done: false };
    } };
    it[Symbol.iterator] = function () { return it; };
    return it;
  }
  ["values", "keys", "entries"].forEach(function (k) {
    var f = AP[k];
    hide(AP, k, { [k]: function () { return lenOf(this) > ITER ? jsIter(this, k) : call(f, this); } }[k]);
  });
  hide(AP, Symbol.iterator, AP.values);
  var siter = SP[Symbol.iterator];
  hide(SP, Symbol.iterator, function () {
    var s = str(this);
    if (s.length <= ITER) return call(siter, s);
    var i = 0, it = { next: function () {
      if (i >= s.length) return { value: undefined, done: true };
      var c = s.codePointAt(i), ch = String.fromCodePoint(c);
      i += ch.length;
      return { value: ch, done: false };
    } };
    it[Symbol.iterator] = function () { return it; };
    return it;
  });
  var keep = { constructor: 1, push: 1, pop: 1, at: 1, values: 1, keys: 1, entries: 1, join: 1, concat: 1, flat: 1, flatMap: 1 };
  Object.getOwnPropertyNames(AP).forEach(function (k) { if (!keep[k]) wrap(AP, k, thisLen); });
  var ojoin = AP.join;
  hide(AP, "join", function join(sep) {
    var n = lenOf(this);
    if (n > MAX) big();
    var sl = sep === undefined ? 1 : str(sep).length, total = 0, parts = new Array(n);
    for (var i = 0; i < n; i++) {
      var v = this[i];
      v = v == null ? "" : str(v);
      parts[i] = v;
      total += v.length + sl;
      if (total > MAX) big();
    }
    return call(ojoin, parts, sep);
  });
  wrap(AP, "concat", function (t, a) {
    var n = lenOf(t);
    for (var i = 0; i < a.length; i++) { n += isArray(a[i]) ? lenOf(a[i]) : 1; if (n > MAX) big(); }
  });
  function flatCount(a, d, c) {
    var n = lenOf(a);
    for (var i = 0; i < n; i++) {
      var v = a[i];
      c = isArray(v) && d > 0 ? flatCount(v, d - 1, c) : c + 1;
      if (c > MAX) big();
    }
    return c;
  }
  var oflat = AP.flat;
  hide(AP, "flat", function flat(d) {
    d = d === undefined ? 1 : Math.min(+d || 0, 64);
    flatCount(this, d, 0);
    return call(oflat, this, d);
  });
  var oflatMap = AP.flatMap;
  hide(AP, "flatMap", function flatMap(fn, that) {
    thisLen(this);
    var total = 0;
    return call(oflatMap, this, function () {
      var r = call(oapply, fn, this, arguments);
      total += isArray(r) ? lenOf(r) : 1;
      if (total > MAX) big();
      return r;
    }, that);
  });
  wrap(Array, "from", function (t, a) { var x = a[0]; if (typeof x === "string" ? x.length > MAX : lenOf(x) > MAX) big(); });
  wrap(Function.prototype, "apply", function (t, a) { if (lenOf(a[1]) > MAX) big(); });
  wrap(Reflect, "apply", function (t, a) { if (lenOf(a[2]) > MAX) big(); });
  wrap(Reflect, "construct", function (t, a) { if (lenOf(a[1]) > MAX) big(); });
  ["keys", "values", "entries", "getOwnPropertyNames", "assign", "fromEntries"].forEach(function (k) {
    wrap(Object, k, function (t, a) { for (var i = 0; i < a.length && i < 64; i++) if (typeof a[i] === "string" && a[i].length > MAX) big(); });
  });
  ["escape", "unescape", "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent"].forEach(function (k) { wrap(G, k, arg0Str); });
  var oparse = JSON.parse, ostringify = JSON.stringify;
  hide(JSON, "parse", function parse(s, rv) { s = str(s); if (!N.nestOK(s)) big(); return call(oparse, JSON, s, rv); });
  hide(JSON, "stringify", function stringify(v, rp, sp) {
    var total = 0, user = typeof rp === "function" ? rp : null;
    return call(ostringify, JSON, v, function (k, x) {
      if (user) x = call(user, this, k, x);
      total += k.length + (typeof x === "string" ? x.length : 8);
      if (total > MAX) big();
      return x;
    }, sp);
  });
  // Code built at run time is parsed in Go, recursively: bound its size and nesting. Wrapping eval
  // makes every eval indirect (global scope), which is how obfuscators call it anyway.
  var oeval = G.eval, OFunction = Function;
  function srcOK(s) { if (s.length > MAX || !N.nestOK(s)) big(); }
  hide(G, "eval", function (s) { if (typeof s !== "string") return s; srcOK(s); return oeval(s); });
  function guardCtor(C) {
    var W = function () { for (var i = 0; i < arguments.length; i++) srcOK(str(arguments[i])); return Reflect.construct(C, arguments); };
    W.prototype = C.prototype;
    hide(C.prototype, "constructor", W);
    return W;
  }
  hide(G, "Function", guardCtor(OFunction));
  [function* () {}, async function () {}].forEach(function (f) {
    var C = Object.getPrototypeOf(f).constructor;
    if (C && C !== OFunction) guardCtor(C);
  });
  ["ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
    "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Atomics", "WeakRef", "FinalizationRegistry"].forEach(function (k) { delete G[k]; });

  // ---- 2. the recording DOM stub -------------------------------------------------------------
  var elems = {}; // element index → stub object, per runtime
  function noop() {}
  function mk(h) {
    if (elems[h]) return elems[h];
    var e = Object.create(EP);
    hide(e, "__h", h);
    e.style = {};
    e.dataset = {};
    e.classList = { add: noop, remove: noop, toggle: noop, contains: function () { return false; } };
    return (elems[h] = e);
  }
  function el(tag, key) { return mk(N.el(tag || "div", key || "")); }
  function sel(q) { q = str(q); var m = /^\s*#([\w:.-]+)\s*$/.exec(q); return m ? "#" + m[1] : q; }
  function nodeHTML(v) { return v && typeof v === "object" && "__h" in v ? N.outer(v.__h) : str(v); }
  var EP = {};
  function acc(k, get, set) { defProp(EP, k, { get: get, set: set, configurable: true }); }
  acc("innerHTML", function () { return N.inner(this.__h); }, function (v) { N.setInner(this.__h, str(v)); });
  acc("outerHTML", function () { return N.outer(this.__h); }, function (v) { N.setOuter(this.__h, str(v)); });
  ["textContent", "innerText", "text", "nodeValue", "data"].forEach(function (k) {
    acc(k, function () { return N.inner(this.__h); }, function (v) { N.setText(this.__h, str(v)); });
  });
  ["href", "value", "src", "title", "id", "name", "className", "alt", "content", "action", "type", "rel", "target"].forEach(function (k) {
    var a = k === "className" ? "class" : k;
    acc(k, function () { var v = N.getAttr(this.__h, a); return v == null ? "" : v; }, function (v) { N.setAttr(this.__h, a, str(v)); });
  });
  acc("tagName", function () { return N.tag(this.__h).toUpperCase(); });
  acc("nodeName", function () { return N.tag(this.__h).toUpperCase(); });
  acc("parentNode", function () { return body; });
  acc("parentElement", function () { return body; });
  acc("firstChild", function () { return null; });
  acc("children", function () { return []; });
  acc("childNodes", function () { return []; });
  EP.nodeType = 1;
  EP.setAttribute = function (k, v) { notes([v]); N.setAttr(this.__h, str(k), str(v)); };
  EP.getAttribute = function (k) { return N.getAttr(this.__h, str(k)); };
  EP.hasAttribute = function (k) { return N.getAttr(this.__h, str(k)) != null; };
  EP.removeAttribute = noop;
  EP.appendChild = EP.insertBefore = EP.replaceChild = EP.removeChild = function (c) { return c; };
  EP.append = EP.prepend = EP.after = EP.before = function () {
    for (var i = 0; i < arguments.length; i++) { var a = arguments[i]; if (typeof a !== "object") N.text(str(a)); }
  };
  EP.insertAdjacentHTML = function (p, v) { N.write(str(v)); };
  EP.insertAdjacentText = function (p, v) { N.text(str(v)); };
  EP.insertAdjacentElement = function (p, c) { return c; };
  EP.addEventListener = function (t, fn) { later(fn, this); };
  EP.removeEventListener = EP.click = EP.focus = EP.blur = EP.remove = EP.scrollIntoView = noop;
  EP.cloneNode = function () { return el(N.tag(this.__h)); };
  EP.closest = EP.querySelector = function (q) { return el("div", sel(q)); };
  EP.querySelectorAll = EP.getElementsByTagName = EP.getElementsByClassName = EP.getElementsByName = function (q) { return [el(/^[a-z]+$/i.test(q) ? q : "div", sel(q))]; };
  EP.getBoundingClientRect = function () { return { top: 0, left: 0, width: 0, height: 0, bottom: 0, right: 0 }; };
  EP.toString = function () { return "[object HTMLElement]"; };

  // Deferred callbacks (timers, ready and load handlers) run after the script, within its budget.
  var queue = [];
  function later(fn, that) {
    if (typeof fn === "function" || typeof fn === "string") queue.push([fn, that, 0]);
    return queue.length;
  }
  function drain() {
    [[G, "onload"], [doc, "onreadystatechange"], [doc, "onload"]].forEach(function (h) {
      if (typeof h[0][h[1]] === "function") { later(h[0][h[1]], h[0]); h[0][h[1]] = null; }
    });
    while (queue.length) {
      var q = queue.shift();
      if (!N.callback()) { queue.length = 0; return; }
      try { // one failing callback does not cost the others (an interrupt is not catchable)
        if (typeof q[0] === "string") G.eval(q[0]);
        else call(q[0], q[1] || G, { type: "load", target: q[1], preventDefault: noop, stopPropagation: noop });
      } catch (e) {}
    }
  }

  var body = el("body", "body"), head = el("head", "head"), root = el("html", "html");
  var loc = {};
  ["href", "hash", "search", "pathname"].forEach(function (k) {
    defProp(loc, k, { get: function () { return ""; }, set: function (v) { N.link(str(v)); }, enumerable: true });
  });
  loc.assign = loc.replace = function (v) { N.link(str(v)); };
  loc.reload = noop;
  loc.toString = function () { return ""; };
  loc.host = loc.hostname = loc.origin = loc.protocol = loc.port = "";

  var doc = {
    nodeType: 9, readyState: "complete", referrer: "", title: "", cookie: "", domain: "", URL: "",
    body: body, head: head, documentElement: root,
    write: function () { for (var i = 0; i < arguments.length; i++) N.write(str(arguments[i])); },
    writeln: function () { for (var i = 0; i < arguments.length; i++) N.write(str(arguments[i])); N.write("\n"); },
    getElementById: function (id) { return el("div", "#" + str(id)); },
    querySelector: EP.querySelector,
    querySelectorAll: EP.querySelectorAll, getElementsByTagName: EP.getElementsByTagName,
    getElementsByClassName: EP.getElementsByClassName, getElementsByName: EP.getElementsByName,
    createElement: function (t) { return el(str(t)); },
    createTextNode: function (t) { var e = el("span"); N.setText(e.__h, str(t)); return e; },
    createDocumentFragment: function () { return el("div"); },
    addEventListener: function (t, fn) { later(fn, doc); },
    removeEventListener: noop, open: noop, close: noop,
    hasFocus: function () { return true; }
  };
  defProp(doc, "location", { get: function () { return loc; }, set: function (v) { N.link(str(v)); } });

  // $ / jQuery: a chainable stub over one element per selector.
  function J(e) {
    var j = { length: 1, 0: e, jquery: "stub" };
    function get(v, getter, setter) { if (v === undefined) return getter(); notes([v]); setter(v); return j; }
    j.html = function (v) { return get(v, function () { return e.innerHTML; }, function (v) { e.innerHTML = nodeHTML(v); }); };
    j.text = function (v) { return get(v, function () { return e.textContent; }, function (v) { e.textContent = str(v); }); };
    j.val = function (v) { return get(v, function () { return e.value; }, function (v) { e.value = str(v); }); };
    j.attr = j.prop = function (k, v) {
      if (k && typeof k === "object") { for (var n in k) j.attr(n, k[n]); return j; }
      return get(v, function () { return e.getAttribute(k); }, function (v) { e.setAttribute(k, str(v)); });
    };
    j.append = j.prepend = j.after = j.before = j.replaceWith = function () {
      for (var i = 0; i < arguments.length; i++) { var a = arguments[i]; N.write(a && a.jquery ? a[0].outerHTML : nodeHTML(a)); }
      return j;
    };
    j.appendTo = j.prependTo = j.insertAfter = j.insertBefore = function () { return j; };
    j.each = function (fn) { call(fn, e, 0, e); return j; };
    j.ready = j.load = function (fn) { later(fn, doc); return j; };
    j.on = j.bind = j.click = j.hover = j.mouseover = j.one = j.delegate = function () {
      for (var i = 0; i < arguments.length; i++) if (typeof arguments[i] === "function") { later(arguments[i], e); break; }
      return j;
    };
    j.find = j.children = j.parent = j.closest = j.first = j.last = j.eq = j.filter = j.next = j.prev = j.siblings = function (q) {
      return typeof q === "string" ? $(q) : j;
    };
    j.get = function () { return e; };
    ["css", "addClass", "removeClass", "toggleClass", "show", "hide", "fadeIn", "fadeOut", "slideDown", "slideUp", "off", "unbind",
      "trigger", "empty", "remove", "data", "removeAttr", "animate", "stop", "focus", "blur", "submit"].forEach(function (k) {
      j[k] = function () { notes(arguments); return j; };
    });
    return j;
  }
  function $(q) {
    if (typeof q === "function") { later(q, doc); return J(body); }
    if (q && q.jquery) return q;
    if (q === doc || q === G || q == null) return J(body);
    if (typeof q === "object" && "__h" in q) return J(q);
    q = str(q);
    if (/^\s*</.test(q)) { N.write(q); return J(el("div")); }
    return J(el("div", sel(q)));
  }
  $.fn = {};
  $.ajax = $.get = $.post = $.getJSON = $.getScript = noop;
  $.each = function (o, fn) { if (isArray(o)) { for (var i = 0; i < o.length; i++) call(fn, o[i], i, o[i]); } else for (var k in o) call(fn, o[k], k, o[k]); return o; };
  $.extend = Object.assign;
  $.trim = function (s) { return str(s).trim(); };
  $.noConflict = function () { return $; };

  var console = {};
  ["log", "info", "warn", "error", "debug", "trace", "dir", "table", "group", "groupEnd", "time", "timeEnd"].forEach(function (k) { console[k] = function () { notes(arguments); }; });
  var stubs = {
    window: G, self: G, top: G, parent: G, frames: G, document: doc, console: console, jQuery: $, $: $,
    navigator: { userAgent: "Mozilla/5.0", language: "en", languages: ["en"], cookieEnabled: true, platform: "", onLine: false },
    screen: { width: 1280, height: 800 }, history: { pushState: noop, replaceState: noop, back: noop },
    localStorage: { getItem: function () { return null; }, setItem: noop, removeItem: noop },
    sessionStorage: { getItem: function () { return null; }, setItem: noop, removeItem: noop },
    innerWidth: 1280, innerHeight: 800, devicePixelRatio: 1, dataLayer: [],
    setTimeout: later, setInterval: later, setImmediate: later, requestAnimationFrame: later, queueMicrotask: later,
    clearTimeout: noop, clearInterval: noop, cancelAnimationFrame: noop,
    addEventListener: function (t, fn) { later(fn, G); }, removeEventListener: noop,
    alert: function () { notes(arguments); }, confirm: function () { notes(arguments); return true; },
    prompt: function () { notes(arguments); return null; },
    open: function (u) { if (u != null) N.link(str(u)); return null; },
    atob: function (s) { s = str(s); thisStr(s); return N.atob(s); },
    btoa: function (s) { s = str(s); thisStr(s); return N.btoa(s); },
    Image: function () { return el("img"); }
  };
  for (var k in stubs) hide(G, k, stubs[k]);
  defProp(G, "location", { get: function () { return loc; }, set: function (v) { N.link(str(v)); }, configurable: true });
  return drain;
})

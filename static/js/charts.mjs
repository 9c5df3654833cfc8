// CouncilFlow charts: progressive enhancement only. Every chart on a page sits next to a table of
// the same data, so nothing is lost without JavaScript. Under a Content-Security-Policy without
// 'unsafe-inline' the page holds no inline script: each chart is configured by a
// <script type="application/json"> element (Django's json_script) that this module reads.
//
//   <div class="cf-chart" data-chart-source="SOME_ID"></div>
//   {{ chart_spec|json_script:"SOME_ID" }}
//
// Chart.js and chartjs-plugin-annotation are loaded first as classic `defer` scripts (their UMD
// builds set window.Chart and window["chartjs-plugin-annotation"]); module scripts run after
// those. Spec kinds: "xmr" (capability chart: X chart plus moving-range chart), "pareto" and
// "bars". There is never a target line: the limits are the voice of the process, not a goal.
//
// Once a container's charts have finished drawing (their intro animation over, so every point is
// where it stays), the container gets data-chart-ready="true"; when every chart on the page has,
// the module dispatches a "cf:charts-ready" event on document. Browser tests wait for these.

import { formatDay, placeBadges, spreadApart, thinTicks } from "./chart-layout.mjs";

const Chart = window.Chart;
const annotationPlugin = window["chartjs-plugin-annotation"];

// GOV.UK Design System colours.
const COLOUR = {
  text: "#0b0c0c",
  secondaryText: "#505a5f",
  line: "#b1b4b6",
  grid: "#e5e6e7",
  limit: "#505a5f",
  change: "#4c2c92", // purple: a system change is neither good nor bad in itself
  bar: "#1d70b8",
  barHover: "#003078",
  lightBar: "#9dc0e2",
  lightBarHover: "#5694ca",
};

// Point colour AND shape by signal, so colour is never the only cue.
const SIGNAL = {
  common: { name: "Common cause", colour: "#505a5f", pointStyle: "circle", radius: 3 },
  improvement: { name: "Improvement", colour: "#1d70b8", pointStyle: "rectRot", radius: 6 },
  concern: { name: "Concern", colour: "#f47738", pointStyle: "triangle", radius: 6 },
  // On charts where neither direction is better (volumes): unusual, worth understanding.
  special: { name: "Special cause", colour: "#d53880", pointStyle: "rect", radius: 5 },
};

// The four signal rules (docs/method.md §4).
const RULE_NAME = {
  1: "outside limits",
  2: "shift",
  3: "trend",
  4: "two of three near a limit",
};

const MANY_POINTS = 1000; // above this: no animation, small points, small hit radius
const DASHED = [6, 4]; // natural process limits, upper range limit
const DOTTED = [2, 3]; // provisional limits (a phase of fewer than 13 points)
const Y_AXIS_WIDTH = 64; // fixed, so the X and mR charts' plot areas line up
const LABEL_FONT_SIZE = 12; // the limit labels and the system changes' numbers
const LINE_HEIGHT = 15; // of a line of label text
const TICK_FONT_SIZE = 14; // x-axis labels (Chart.defaults.font.size)
// Points at the plot's edge are drawn up to POINT_CLIP pixels beyond it (then cut off); the
// labels beside and above the plot keep BAND_GAP pixels away, so no label touches a point.
const POINT_CLIP = 8;
const BAND_GAP = 10;
const LIMIT_LABEL_WIDTH = 110; // a limit label wider than this goes on two lines: name, value
const BADGE_PADDING = 4; // around a system change's number
const BADGE_ROW = LINE_HEIGHT + 2 * BADGE_PADDING + 4; // a row of numbers above the plot
const TICK_OVERHANG = 56; // how far the first x-axis label may reach left, under the y axis

const reducedMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
const numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });

// ---------------------------------------------------------------------------------------------
// Small helpers

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

const formatNumber = (value) => numberFormat.format(value);

/** "12.3 days", "45%", "42 contacts". */
function withUnit(value, unit) {
  if (!unit) return formatNumber(value);
  return unit === "%" ? `${formatNumber(value)}%` : `${formatNumber(value)} ${unit}`;
}

/** Axis title for a unit: "Days", "Per cent", "Contacts". */
function unitTitle(unit) {
  if (unit === "%") return "Per cent";
  return unit ? unit.charAt(0).toUpperCase() + unit.slice(1) : "";
}

/** Tick label for a value axis. */
function tickFormatter(unit) {
  return (value) => (unit === "%" ? `${formatNumber(value)}%` : formatNumber(value));
}

/** Splits text into lines of about `width` characters. */
function wrapLines(text, width) {
  const lines = [];
  let line = "";
  for (const word of String(text).split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A tick label: Chart.js draws an array as several lines. */
function wrapLabel(text, width) {
  const lines = wrapLines(text, width);
  return lines.length > 1 ? lines : (lines[0] ?? "");
}

const measuring = document.createElement("canvas").getContext("2d");
const measured = new Map(); // font and text -> width: x-axis dates repeat on every redraw

/** Width in pixels of `text` in the charts' font. */
function textWidth(text, size = LABEL_FONT_SIZE, bold = false) {
  const font = `${bold ? "bold " : ""}${size}px ${Chart.defaults.font.family}`;
  const key = `${font}|${text}`;
  if (!measured.has(key)) {
    measuring.font = font;
    measured.set(key, measuring.measureText(text).width);
  }
  return measured.get(key);
}

/** Only follow links that stay on this site (the spec is trusted, but be safe anyway). */
function navigate(href) {
  if (!href) return;
  const url = new URL(href, window.location.href);
  if (url.origin === window.location.origin) window.location.assign(url.href);
}

/** Fixes a y axis's width, so stacked charts share the same plot area. */
function fixAxisWidth(scale) {
  scale.width = Y_AXIS_WIDTH;
}

/**
 * An x axis takes no room beside the plot for its first and last labels (Chart.js would narrow
 * the plot for them, and differently on the X and mR charts): the labels are chosen to fit.
 */
function noEdgePadding(scale) {
  scale.paddingLeft = 0;
  scale.paddingRight = 0;
}

/** Creates <div class="cf-chart__canvas ..."><canvas role="img" aria-label=...></div>. */
function addCanvas(container, modifier, label) {
  const wrapper = document.createElement("div");
  wrapper.className = `cf-chart__canvas cf-chart__canvas--${modifier}`;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  canvas.textContent = label; // fallback content for browsers without canvas
  wrapper.append(canvas);
  container.append(wrapper);
  return canvas;
}

/**
 * An HTML key above a chart: [[symbol, text], ...], the symbol naming a CSS modifier
 * (cf-chart__key--<symbol>, in councilflow.css). HTML rather than Chart.js's canvas legend, so it
 * is crisp, wraps on narrow screens and can show dashed and dotted lines. Hidden from assistive
 * technology: it only explains the picture, and the table carries the data.
 */
function addLegend(container, items) {
  const list = document.createElement("ul");
  list.className = "cf-chart__legend";
  list.setAttribute("aria-hidden", "true");
  for (const [symbol, text] of items) {
    const item = document.createElement("li");
    const key = document.createElement("span");
    key.className = `cf-chart__key cf-chart__key--${symbol}`;
    item.append(key, text);
    list.append(item);
  }
  container.append(list);
}

/** onHover: a pointer cursor over anything with a link; `hrefAt(index)` gives the link. */
function pointerCursor(hrefAt, mode, intersect) {
  return (event, _elements, chart) => {
    const hit = chart.getElementsAtEventForMode(event, mode, { intersect }, false)[0];
    chart.canvas.style.cursor = hit && hrefAt(hit.index) ? "pointer" : "default";
  };
}

/** onClick: follows the clicked item's link, if it has one. */
function clickThrough(hrefAt, mode, intersect) {
  return (event, _elements, chart) => {
    const hit = chart.getElementsAtEventForMode(event, mode, { intersect }, false)[0];
    if (hit) navigate(hrefAt(hit.index));
  };
}

/**
 * new Chart(canvas, config), and a promise that it has finished drawing: Chart.js tells plugins
 * "afterRender" once the first render's animations are complete (at once without animation).
 */
function drawChart(canvas, config) {
  return new Promise((resolve) => {
    const whenDrawn = { id: "cfDrawn", afterRender: (chart) => resolve(chart) };
    new Chart(canvas, { ...config, plugins: [...(config.plugins ?? []), whenDrawn] });
  });
}

// ---------------------------------------------------------------------------------------------
// XmR capability chart: the X chart (values) and, beneath it, the mR chart (moving ranges).
//
// No text is drawn inside either plot, so no label can hide a point or another label: the
// latest phase's centre line and limits are labelled in a band right of the plot, each system
// change is numbered in a band above it (the numbers are explained, with every phase's values,
// in a list under the charts), and the x axis shows only as many labels as fit. Both charts
// have the same y-axis width and right-hand band, so each point sits at the same x on both.
// Once drawn, each canvas lists its labels' boxes in data-label-boxes (the browser tests read
// them).

/**
 * A horizontal line across one phase only: from half a point before its first point to half a
 * point after its last, so consecutive phases' lines meet at the system change.
 */
function phaseLine(phase, value, dash = []) {
  return {
    type: "line",
    xMin: phase.start - 0.5,
    xMax: phase.end - 0.5,
    yMin: value,
    yMax: value,
    borderColor: dash.length ? COLOUR.limit : COLOUR.text,
    borderWidth: 1.5,
    borderDash: dash,
    adjustScaleRange: false, // the y axis range is set from the data and limits instead
    drawTime: "beforeDatasetsDraw", // points sit on top of the lines
  };
}

/** A vertical line at a system change, between the last point of the old phase and the first of the new. */
function changeLine(change) {
  const x = change.index - 0.5;
  return {
    type: "line",
    xMin: x,
    xMax: x,
    borderColor: COLOUR.change,
    borderWidth: 2,
    adjustScaleRange: false,
    drawTime: "beforeDatasetsDraw",
  };
}

/** The annotations of a chart: each phase's lines (`lines`: [key, dash or null]) and the changes. */
function phaseAnnotations(phases, changes, lines) {
  const annotations = {};
  phases.forEach((phase, k) => {
    for (const [key, dash] of lines) {
      if (!isNumber(phase[key])) continue;
      const pattern = dash ? (phase.provisional ? DOTTED : DASHED) : [];
      annotations[`${key}${k}`] = phaseLine(phase, phase[key], pattern);
    }
  });
  changes.forEach((change, i) => {
    annotations[`change${i}`] = changeLine(change);
  });
  return annotations;
}

/**
 * The labels of the latest phase's lines, for the band right of the plot: [{value, name, text,
 * note}], e.g. "Upper limit 24.9", noted "(provisional)" when a limit of a phase of fewer than
 * 13 points. `names`: [[key, name, a limit?], ...].
 */
function limitLabels(phase, names, unit) {
  if (!phase) return [];
  const format = tickFormatter(unit);
  return names
    .filter(([key]) => isNumber(phase[key]))
    .map(([key, name, limit]) => ({
      value: phase[key],
      name,
      text: `${name} ${format(phase[key])}`,
      note: limit && phase.provisional ? "(provisional)" : null,
    }));
}

/**
 * Sets each label's `lines` to fit the band right of the plot, and returns the band's width
 * (the same on both charts, so that they line up): as wide as the widest label of one line,
 * up to LIMIT_LABEL_WIDTH; a wider label goes on two lines, its name above its value. A note
 * goes on a line of its own.
 */
function fitBand(labels) {
  const oneLine = (label) => textWidth(label.text) <= LIMIT_LABEL_WIDTH;
  const twoLines = (label) => [label.name, label.text.slice(label.name.length + 1)];
  const withNote = (label, lines) => (label.note ? [...lines, label.note] : lines);
  let width = 0;
  for (const label of labels) {
    const lines = withNote(label, oneLine(label) ? [label.text] : twoLines(label));
    width = Math.max(width, ...lines.map((line) => textWidth(line)));
  }
  for (const label of labels) {
    label.lines = withNote(label, textWidth(label.text) <= width ? [label.text] : twoLines(label));
  }
  return Math.ceil(width) + BAND_GAP + 4;
}

const changeName = (i) => `Change ${i + 1}`;

/** Where the system changes' numbers go, over a plot from `left` to `right` of `count` points. */
function changeBadges(changes, count, left, right) {
  const pixels = changes.map((change) => left + (change.index * (right - left)) / count);
  const widths = changes.map(
    (_, i) => textWidth(changeName(i), LABEL_FONT_SIZE, true) + 2 * BADGE_PADDING,
  );
  return placeBadges(pixels, widths, left, right);
}

/** The height of the band above the plot for `badges` (none: no band). */
function badgeBand(badges) {
  const rows = badges.length ? Math.max(...badges.map((badge) => badge.row)) + 1 : 0;
  return rows ? rows * BADGE_ROW + BAND_GAP : 0;
}

/** A label's box, in CSS pixels from the canvas's top left. */
function labelBox(kind, text, left, top, width, height) {
  const round = (value) => Math.round(value * 10) / 10;
  return {
    kind,
    text,
    left: round(left),
    top: round(top),
    right: round(left + width),
    bottom: round(top + height),
  };
}

/** Draws the limit labels in the band right of the plot, each beside its line (a leader joins them). */
function drawLimitLabels(chart, labels) {
  const { ctx, chartArea } = chart;
  const x = chartArea.right + BAND_GAP;
  const boxes = labels
    .map((label) => ({
      label,
      centre: chart.scales.y.getPixelForValue(label.value),
      height: label.lines.length * LINE_HEIGHT,
    }))
    .sort((a, b) => a.centre - b.centre);
  spreadApart(boxes, 0, chart.height);
  ctx.save();
  ctx.font = `${LABEL_FONT_SIZE}px ${Chart.defaults.font.family}`;
  ctx.textBaseline = "middle";
  ctx.fillStyle = COLOUR.text;
  ctx.strokeStyle = COLOUR.limit;
  ctx.lineWidth = 1;
  const drawn = boxes.map(({ label, centre, top, height }) => {
    ctx.beginPath();
    ctx.moveTo(chartArea.right + 2, centre);
    ctx.lineTo(x - 2, top + height / 2);
    ctx.stroke();
    label.lines.forEach((line, i) => ctx.fillText(line, x, top + (i + 0.5) * LINE_HEIGHT));
    const width = Math.max(...label.lines.map((line) => textWidth(line)));
    return labelBox("limit", label.lines.join(" "), x, top, width, height);
  });
  ctx.restore();
  return drawn;
}

/** Draws each system change's number in the band above the plot, its line running up into it. */
function drawChangeBadges(chart, changes, count) {
  if (!changes.length) return [];
  const { ctx } = chart;
  const { left, right, top } = chart.chartArea;
  const height = LINE_HEIGHT + 2 * BADGE_PADDING;
  const bottomOf = (row) => top - BAND_GAP - row * BADGE_ROW;
  const badges = changeBadges(changes, count, left, right);
  ctx.save();
  // The lines first: where a higher row's line passes a lower number, the number covers it.
  ctx.strokeStyle = COLOUR.change;
  ctx.lineWidth = 2;
  badges.forEach(({ row }, i) => {
    const pixel = left + (changes[i].index * (right - left)) / count;
    ctx.beginPath();
    ctx.moveTo(pixel, top);
    ctx.lineTo(pixel, bottomOf(row));
    ctx.stroke();
  });
  ctx.font = `bold ${LABEL_FONT_SIZE}px ${Chart.defaults.font.family}`;
  ctx.textBaseline = "middle";
  const drawn = badges.map(({ left: x, width, row }, i) => {
    const y = bottomOf(row) - height;
    ctx.fillStyle = COLOUR.change;
    ctx.fillRect(x, y, width, height);
    ctx.fillStyle = "#ffffff";
    ctx.fillText(changeName(i), x + BADGE_PADDING, y + height / 2);
    return labelBox("change", changeName(i), x, y, width, height);
  });
  ctx.restore();
  return drawn;
}

/** The x axis's labels' boxes, where Chart.js drew them: centred under each tick, one line high. */
function tickBoxes(chart) {
  const scale = chart.scales.x;
  const { display, padding } = scale.options.ticks;
  if (!display) return [];
  const top = scale.top + padding;
  return scale.ticks.map((tick, i) => {
    const width = textWidth(tick.label, TICK_FONT_SIZE);
    const pixel = scale.getPixelForTick(i);
    return labelBox("tick", tick.label, pixel - width / 2, top, width, TICK_FONT_SIZE * 1.2);
  });
}

/**
 * A plugin that draws the labels beside the plot (`limits`) and above it (the `changes` of a
 * chart of `count` points), then lists every label's box on the canvas (data-label-boxes).
 */
function labelsPlugin({ limits, changes = [], count }) {
  return {
    id: "cfLabels",
    afterDraw(chart) {
      const boxes = [
        ...drawLimitLabels(chart, limits),
        ...drawChangeBadges(chart, changes, count),
        ...tickBoxes(chart),
      ];
      chart.canvas.dataset.labelBoxes = JSON.stringify(boxes);
    },
  };
}

/**
 * The X chart's x axis: `texts` per point (dates, or the points' own labels), a label only at
 * the first point of each run of equal texts (many cases close on one day), and only as many
 * as fit without touching within the plot (the first may reach a little under the y axis).
 * The plot spans from the y axis to the band `band` pixels wide at the right.
 */
function thinnedAxis(texts, band) {
  const candidates = [];
  texts.forEach((text, i) => {
    if (i === 0 || text !== texts[i - 1]) candidates.push(i);
  });
  return {
    type: "category",
    offset: true,
    grid: { display: false },
    ticks: {
      autoSkip: false, // thinned here instead
      maxRotation: 0,
      padding: 8, // clear of the y axis's "0"
      color: COLOUR.secondaryText,
      callback: (index) => texts[index],
    },
    afterBuildTicks(scale) {
      const left = Y_AXIS_WIDTH;
      const right = scale.chart.width - band;
      const pixelOf = (i) => left + ((i + 0.5) * (right - left)) / texts.length;
      const widthOf = (i) => textWidth(texts[i], TICK_FONT_SIZE);
      const kept = thinTicks(candidates, pixelOf, widthOf, left - TICK_OVERHANG, right);
      scale.ticks = kept.map((value) => ({ value }));
    },
    afterFit: noEdgePadding,
  };
}

/** Largest of the values and the phases' `keys` (0 if none): the top of a value axis. */
function largest(values, phases, keys) {
  let top = 0;
  for (const value of values) if (isNumber(value) && value > top) top = value;
  for (const phase of phases) {
    for (const key of keys) if (isNumber(phase[key]) && phase[key] > top) top = phase[key];
  }
  return top;
}

/** Tooltip line for a special cause, e.g. "Signal: rule 1 (outside limits) – concern". */
function signalText(point) {
  const rules = point.rules ?? [];
  if (!rules.length) return "";
  const names = rules.map((rule) => `rule ${rule} (${RULE_NAME[rule] ?? "unknown"})`).join(", ");
  const kind = point.signal === "improvement" || point.signal === "concern" ? ` – ${point.signal}` : "";
  return `Signal: ${names}${kind}`;
}

const TRANSITION_TEXT = "Started before the change (transition case)";
const SCREENED_TEXT = "Screened out of the limits";

/** The spec's columns (analysis/charts.py chart_spec) as one object per point. */
function pointsOf(spec) {
  const columns = spec.columns;
  if (!columns?.y) return [];
  // Each point's rules come as a bit mask: bit r set when rule r fired.
  const rulesIn = (mask) => [1, 2, 3, 4].filter((rule) => mask & (1 << rule));
  return columns.y.map((y, index) => ({
    y,
    mr: columns.mr[index],
    signal: columns.signal[index],
    rules: rulesIn(columns.rules[index]),
    x: columns.x[index],
    href: columns.href[index],
    tooltip: columns.tooltip?.[index],
    date: columns.date?.[index], // ISO day, when the label is not a date (a case reference)
    screened: columns.screened?.[index] === 1, // its moving range left out of the limits
    transition: columns.transition?.[index] === 1, // started before the change it closed after
  }));
}

/**
 * "Phase 2, from 4 Sep 2026: centre line 12.9 days; natural process limits 0.5 to 24.9 days; ..."
 * A phase judged against the baseline's lines carried forward says so, and names them the
 * baseline's.
 */
function phaseText(phase, unit) {
  const value = (number) => withUnit(number, unit);
  const whose = phase.carried_forward ? "the baseline's " : "";
  const parts = [`${whose}centre line ${value(phase.centre_line)}`];
  if (isNumber(phase.upper_limit)) {
    const limits = `${formatNumber(phase.lower_limit)} to ${value(phase.upper_limit)}`;
    parts.push(
      phase.provisional
        ? `${whose}provisional limits ${limits} (fewer than 13 points)`
        : `${whose}natural process limits ${limits}`,
    );
    const average = `${whose}moving ranges average ${value(phase.mr_bar)}`;
    parts.push(`${average}, upper range limit ${value(phase.upper_range_limit)}`);
  } else {
    parts.push("no limits");
  }
  const text = `${parts.join("; ")}.`;
  return phase.carried_forward
    ? ` (after the change, judged against the baseline's lines carried forward unchanged): ${text}`
    : `: ${text}`;
}

/**
 * Under the charts, when the system changed: each phase's centre line and limits and, between
 * them, the changes that the numbers above the X chart stand for. `startTexts`: what the x
 * axis says at each point.
 */
function addPhaseList(container, phases, changes, unit, startTexts) {
  if (phases.length < 2 && !changes.length) return;
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-!-font-size-16 cf-chart__phases";
  const add = (name, text) => {
    const item = document.createElement("li");
    const strong = document.createElement("strong");
    strong.textContent = name;
    item.append(strong, text);
    list.append(item);
  };
  let next = 0;
  phases.forEach((phase, k) => {
    for (; next < changes.length && changes[next].index <= phase.start; next++) {
      add(changeName(next), `: ${changes[next].label || "a system change"}`);
    }
    add(`Phase ${k + 1}`, `, from ${startTexts[phase.start]}${phaseText(phase, unit)}`);
  });
  container.append(list);
}

function drawXmr(container, spec) {
  const points = pointsOf(spec);
  const phases = spec.phases ?? [];
  const changes = spec.changes ?? [];
  const unit = spec.unit ?? "";
  const count = points.length;
  if (!count) return [];

  const many = count > MANY_POINTS;
  const labels = points.map((point) => point.x);
  const axisTexts = spec.columns.date ? points.map((point) => formatDay(point.date)) : labels;
  const styles = points.map((point) => SIGNAL[point.signal] ?? SIGNAL.common);
  const radii = styles.map((style, i) => {
    const radius = many ? (style === SIGNAL.common ? 1.5 : 4) : style.radius;
    return points[i].transition ? Math.max(radius, 3.5) : radius; // hollow needs some size
  });
  const hrefAt = (index) => points[index]?.href;
  const latest = phases[phases.length - 1];
  // After a system change judged against the baseline ("did it work?"), the latest phase's
  // lines are the baseline's carried forward, and are labelled so.
  const named = (name) => (latest?.carried_forward ? `Baseline's ${name.toLowerCase()}` : name);
  const xLimits = limitLabels(
    latest,
    [
      ["upper_limit", named("Upper limit"), true],
      ["centre_line", named("Centre line"), false],
      ["lower_limit", named("Lower limit"), true],
    ],
    unit,
  );
  const mrLimits = limitLabels(
    latest,
    [
      ["upper_range_limit", named("Upper range limit"), true],
      ["mr_bar", named("Average"), false],
    ],
    unit,
  );
  const band = fitBand([...xLimits, ...mrLimits]);

  // The line joining the points breaks at each system change (rules never cross one either).
  const phaseStarts = new Set(
    [...phases.map((phase) => phase.start), ...changes.map((change) => change.index)].filter(
      (index) => index > 0,
    ),
  );
  const breakAtPhaseStart = (ctx) => (phaseStarts.has(ctx.p1DataIndex) ? "transparent" : undefined);

  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: many || reducedMotion ? false : { duration: 400 },
    normalized: true,
    interaction: { mode: "nearest", axis: "x", intersect: false },
    onClick: clickThrough(hrefAt, "nearest", true),
    onHover: pointerCursor(hrefAt, "nearest", true),
  };
  const valueAxis = {
    beginAtZero: true,
    grace: "5%", // room above the top point
    grid: { color: COLOUR.grid },
    afterFit: fixAxisWidth,
  };

  // ----- X chart
  const signals =
    spec.lower_is_better === null ? ["common", "special"] : ["common", "improvement", "concern"];
  addLegend(container, [
    ...signals.map((signal) => [signal, SIGNAL[signal].name]),
    ...(points.some((point) => point.transition) ? [["transition", TRANSITION_TEXT]] : []),
    ["centre-line", "Centre line (mean)"],
    ...(phases.some((p) => !p.provisional && (isNumber(p.upper_limit) || isNumber(p.lower_limit)))
      ? [["limits", "Natural process limits"]]
      : []),
    ...(phases.some((p) => p.provisional && (isNumber(p.upper_limit) || isNumber(p.lower_limit)))
      ? [["provisional", "Provisional limits (fewer than 13 points)"]]
      : []),
    ...(changes.length ? [["change", "System change (numbered: see the list below the charts)"]] : []),
  ]);

  const xCanvas = addCanvas(container, "x", `${spec.title} (the data are in the table below)`);
  const xDrawn = drawChart(xCanvas, {
    type: "line",
    data: {
      labels,
      datasets: [
        {
          label: unitTitle(unit),
          data: points.map((point) => point.y),
          borderColor: COLOUR.line,
          borderWidth: many ? 0.5 : 1,
          tension: 0,
          segment: { borderColor: breakAtPhaseStart },
          pointStyle: styles.map((style) => style.pointStyle),
          // A transition case is hollow: its signal's colour round a white middle.
          pointBackgroundColor: styles.map((style, i) =>
            points[i].transition ? "#ffffff" : style.colour,
          ),
          pointBorderColor: styles.map((style) => style.colour),
          pointBorderWidth: points.map((point) => (point.transition ? 2 : 1)),
          pointRadius: radii,
          pointHoverRadius: radii.map((r) => r + (many ? 1 : 2)),
          pointHitRadius: many ? 2 : 6,
          clip: POINT_CLIP,
        },
      ],
    },
    options: {
      ...options,
      layout: {
        padding: ({ chart }) => ({
          top: badgeBand(changeBadges(changes, count, Y_AXIS_WIDTH, chart.width - band)),
          right: band,
        }),
      },
      scales: {
        x: thinnedAxis(axisTexts, band),
        y: {
          ...valueAxis,
          suggestedMax: largest(
            points.map((point) => point.y),
            phases,
            ["centre_line", "upper_limit", "lower_limit"],
          ),
          // A share's axis stops at 100%.
          ...(isNumber(spec.y_max) ? { max: spec.y_max } : {}),
          title: { display: Boolean(unit), text: unitTitle(unit) },
          ticks: { callback: tickFormatter(unit) },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          displayColors: false,
          callbacks: {
            title: () => "",
            label: ({ dataIndex }) =>
              points[dataIndex].tooltip ?? `${labels[dataIndex]}: ${withUnit(points[dataIndex].y, unit)}`,
            afterLabel: ({ dataIndex }) => {
              const point = points[dataIndex];
              return [signalText(point), point.transition ? TRANSITION_TEXT : ""].filter(Boolean);
            },
          },
        },
        annotation: {
          annotations: phaseAnnotations(phases, changes, [
            ["centre_line", null],
            ["upper_limit", "dashed"],
            ["lower_limit", "dashed"],
          ]),
        },
      },
    },
    plugins: [labelsPlugin({ limits: xLimits, changes, count })],
  });

  // ----- mR chart (moving ranges; the first point of each phase has none)
  const mrValues = points.map((point) => (isNumber(point.mr) ? point.mr : null));
  const screened = points.map((point) => point.screened && isNumber(point.mr));
  addLegend(container, [
    ["common", "Moving range (difference from the previous point)"],
    ...(screened.some(Boolean) ? [["screened", SCREENED_TEXT]] : []),
    ...(phases.some((p) => isNumber(p.mr_bar)) ? [["centre-line", "Average moving range"]] : []),
    ...(phases.some((p) => !p.provisional && isNumber(p.upper_range_limit))
      ? [["limits", "Upper range limit"]]
      : []),
    ...(phases.some((p) => p.provisional && isNumber(p.upper_range_limit))
      ? [["provisional", "Provisional upper range limit (fewer than 13 points)"]]
      : []),
  ]);
  const mrCanvas = addCanvas(
    container,
    "mr",
    `${spec.title}: moving ranges between consecutive points (the data are in the table below)`,
  );
  const mrRadius = many ? 1 : 2.5;
  const mrDrawn = drawChart(mrCanvas, {
    type: "line",
    data: {
      labels,
      datasets: [
        {
          label: "Moving range",
          data: mrValues,
          spanGaps: false, // a gap at each phase start
          borderColor: COLOUR.line,
          borderWidth: many ? 0.5 : 1,
          tension: 0,
          // A screened-out range is a cross, so it stands out from the ranges the limits use.
          pointStyle: screened.map((out) => (out ? "crossRot" : "circle")),
          pointBackgroundColor: SIGNAL.common.colour,
          pointBorderColor: screened.map((out) => (out ? COLOUR.text : SIGNAL.common.colour)),
          pointBorderWidth: screened.map((out) => (out ? 2 : 1)),
          pointRadius: screened.map((out) => (out ? 5 : mrRadius)),
          pointHoverRadius: screened.map((out) => (out ? 6 : mrRadius + 1.5)),
          pointHitRadius: many ? 2 : 6,
          clip: POINT_CLIP,
        },
      ],
    },
    options: {
      ...options,
      layout: { padding: { top: 4, right: band } },
      scales: {
        // Shares the X chart's x axis (same points, same plot width): no tick labels needed.
        x: {
          type: "category",
          offset: true,
          grid: { display: false },
          ticks: { display: false },
          afterFit: noEdgePadding,
        },
        y: {
          ...valueAxis,
          suggestedMax: largest(mrValues, phases, ["mr_bar", "upper_range_limit"]),
          title: { display: true, text: "Moving range" },
          ticks: { callback: tickFormatter(unit), maxTicksLimit: 5 },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          displayColors: false,
          callbacks: {
            title: () => "",
            label: ({ dataIndex }) =>
              `${labels[dataIndex]}: moving range ${withUnit(mrValues[dataIndex], unit)}`,
            afterLabel: ({ dataIndex }) => (screened[dataIndex] ? SCREENED_TEXT : ""),
          },
        },
        annotation: {
          annotations: phaseAnnotations(phases, changes, [
            ["mr_bar", null],
            ["upper_range_limit", "dashed"],
          ]),
        },
      },
    },
    plugins: [labelsPlugin({ limits: mrLimits, count })],
  });
  addPhaseList(container, phases, changes, unit, axisTexts);
  return [xDrawn, mrDrawn];
}

/**
 * The category axis of a bar chart: every label shown, wrapped over lines on a wide chart; on a
 * narrow one, unwrapped, so that Chart.js can rotate them without the lines overlapping.
 */
function categoryAxis(bars) {
  return {
    grid: { display: false },
    ticks: {
      autoSkip: false,
      maxRotation: 90,
      callback(_value, index) {
        const label = bars[index]?.label ?? "";
        return this.chart.width >= 600 ? wrapLabel(label, 16) : label;
      },
    },
  };
}

/**
 * Options shared by the bar charts (Pareto, bars): each bar links to what is behind it and the
 * tooltip is titled by its label; `scales` (besides the category axis) and the tooltip's `label`
 * are each chart's own.
 */
function barChartOptions(bars, { scales, label }) {
  const hrefAt = (index) => bars[index]?.href;
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: reducedMotion ? false : { duration: 400 },
    interaction: { mode: "index", intersect: false },
    onClick: clickThrough(hrefAt, "index", false),
    onHover: pointerCursor(hrefAt, "index", false),
    scales: { x: categoryAxis(bars), ...scales },
    plugins: {
      legend: { display: false },
      tooltip: {
        itemSort: (a, b) => a.datasetIndex - b.datasetIndex, // not by drawing order
        callbacks: {
          title: (items) => (items.length ? bars[items[0].dataIndex].label : ""),
          label,
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pareto: bars largest first (as the server sorted them) and a line of the cumulative share of
// failure demand (not of all contacts).

function drawPareto(container, spec) {
  const bars = spec.bars ?? [];
  if (!bars.length) return [];

  addLegend(container, [
    ["bar", "Contacts"],
    ["cumulative", "Cumulative share of failure demand"],
  ]);
  const canvas = addCanvas(container, "bars", `${spec.title} (the data are in the table below)`);
  const drawn = drawChart(canvas, {
    data: {
      labels: bars.map((bar) => bar.label),
      datasets: [
        {
          type: "bar",
          label: "Contacts",
          data: bars.map((bar) => bar.count),
          yAxisID: "y",
          backgroundColor: COLOUR.bar,
          hoverBackgroundColor: COLOUR.barHover,
          order: 2,
        },
        {
          type: "line",
          label: "Cumulative share of failure demand",
          data: spec.cumulative_percent ?? [],
          yAxisID: "percent",
          borderColor: COLOUR.text,
          backgroundColor: COLOUR.text,
          borderWidth: 2,
          pointRadius: 3,
          pointHoverRadius: 5,
          tension: 0,
          clip: 6, // the 100% point is not cut in half at the top
          order: 1, // drawn on top of the bars
        },
      ],
    },
    options: barChartOptions(bars, {
      scales: {
        y: {
          beginAtZero: true,
          grace: "5%", // room above the top point
          title: { display: true, text: "Contacts" },
          ticks: { precision: 0 },
          grid: { color: COLOUR.grid },
        },
        percent: {
          position: "right",
          min: 0,
          max: 100,
          title: { display: true, text: "Cumulative share of failure demand" },
          ticks: { callback: (value) => `${value}%`, stepSize: 20 },
          grid: { drawOnChartArea: false },
        },
      },
      label: ({ dataset, raw }) =>
        dataset.yAxisID === "percent"
          ? `Cumulative share of failure demand: ${formatNumber(raw)}%`
          : `Contacts: ${formatNumber(raw)}`,
    }),
  });
  return [drawn];
}

// ---------------------------------------------------------------------------------------------
// Bars: simple frequencies (e.g. average contacts by day of the week), with the predictable
// range drawn as an outlined floating bar where the spec gives low and high.

function drawBars(container, spec) {
  const bars = spec.bars ?? [];
  if (!bars.length) return [];
  const unit = spec.unit ?? "";
  const hasRange = (bar) => isNumber(bar.low) && isNumber(bar.high);
  const anyRange = bars.some(hasRange);

  const datasets = [
    {
      label: unitTitle(unit) || "Value",
      data: bars.map((bar) => bar.value),
      backgroundColor: anyRange ? COLOUR.lightBar : COLOUR.bar,
      hoverBackgroundColor: anyRange ? COLOUR.lightBarHover : COLOUR.barHover,
      grouped: false,
      order: 2,
    },
  ];
  if (anyRange) {
    datasets.push({
      label: "Predictable range",
      data: bars.map((bar) => (hasRange(bar) ? [bar.low, bar.high] : null)),
      backgroundColor: "transparent",
      borderColor: COLOUR.text,
      borderWidth: 2,
      borderSkipped: false,
      barPercentage: 0.35,
      grouped: false,
      order: 1, // drawn on top of the value bars
    });
    addLegend(container, [
      ["bar-light", unitTitle(unit) || "Value"],
      ["range", "Predictable range"],
    ]);
  }

  const canvas = addCanvas(container, "bars", `${spec.title} (the data are in the table below)`);
  const drawn = drawChart(canvas, {
    type: "bar",
    data: { labels: bars.map((bar) => bar.label), datasets },
    options: barChartOptions(bars, {
      scales: {
        y: {
          beginAtZero: true,
          grace: "5%", // room above the top point
          title: { display: Boolean(unit), text: unitTitle(unit) },
          ticks: { callback: tickFormatter(unit) },
          grid: { color: COLOUR.grid },
        },
      },
      label: ({ raw }) =>
        Array.isArray(raw)
          ? `Predictable range: ${formatNumber(raw[0])}–${withUnit(raw[1], unit)}`
          : withUnit(raw, unit),
    }),
  });
  return [drawn];
}

// ---------------------------------------------------------------------------------------------

const DRAW = { xmr: drawXmr, pareto: drawPareto, bars: drawBars };

/** Draws a container's charts; ready once each has finished drawing. */
async function enhance(container) {
  if (container.dataset.chartReady) return; // already drawn
  const source = document.getElementById(container.dataset.chartSource);
  if (!source) throw new Error(`no element with id "${container.dataset.chartSource}"`);
  const spec = JSON.parse(source.textContent);
  const draw = DRAW[spec.kind];
  if (!draw) throw new Error(`unknown chart kind "${spec.kind}"`);
  await Promise.all(draw(container, spec));
  container.dataset.chartReady = "true";
}

function enhanceAll() {
  // Without the libraries (blocked or failed to load) the tables still carry the data.
  if (typeof Chart !== "function" || !annotationPlugin) return;
  Chart.register(annotationPlugin);
  Chart.defaults.font.family = "arial, sans-serif"; // CouncilFlow's GOV.UK Frontend font stack
  Chart.defaults.font.size = 14;
  Chart.defaults.color = COLOUR.text;

  const containers = document.querySelectorAll(".cf-chart[data-chart-source]");
  const drawing = [...containers].map((container) =>
    enhance(container).catch((error) => {
      console.error("CouncilFlow: could not draw chart", container.dataset.chartSource, error);
    }),
  );
  Promise.all(drawing).then(() => document.dispatchEvent(new CustomEvent("cf:charts-ready")));
}

enhanceAll();

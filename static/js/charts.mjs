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
  labelBackground: "rgba(255, 255, 255, 0.85)",
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
const LABEL_FONT_SIZE = 12;
const CHANGE_LABEL_WIDTH = 34; // characters per line of a system change's label

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

/** Width in pixels of the widest of `lines` in the labels' font. */
function textWidth(chart, lines, bold = false) {
  const ctx = chart.ctx;
  ctx.save();
  ctx.font = `${bold ? "bold " : ""}${LABEL_FONT_SIZE}px ${Chart.defaults.font.family}`;
  const width = Math.max(...lines.map((line) => ctx.measureText(line).width));
  ctx.restore();
  return width;
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

/**
 * The label of a phase's line: at the phase's left end, just above the line (or `below` it),
 * shown only when it fits within the phase's width and, when the next line up is at `clearOf`,
 * does not run into it.
 */
function phaseLabel(phase, value, text, { below = false, clearOf = null, onTop = false } = {}) {
  return {
    type: "label",
    xValue: phase.start - 0.5,
    yValue: value,
    position: { x: "start", y: below ? "start" : "end" },
    xAdjust: 4,
    yAdjust: below ? 2 : -2,
    content: text,
    display: ({ chart }) => {
      const { x, y } = chart.scales;
      const room = x.getPixelForValue(phase.end - 0.5) - x.getPixelForValue(phase.start - 0.5);
      const clear = !isNumber(clearOf) || y.getPixelForValue(value) - y.getPixelForValue(clearOf) >= 20;
      return clear && textWidth(chart, [text]) + 16 <= room;
    },
    backgroundColor: COLOUR.labelBackground,
    color: COLOUR.text,
    font: { size: LABEL_FONT_SIZE },
    padding: { x: 3, y: 1 },
    adjustScaleRange: false,
    // Under the points, so that no point is hidden; on top only when the points are too dense
    // for the label to be read otherwise.
    drawTime: onTop ? "afterDatasetsDraw" : "beforeDatasetsDraw",
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

/**
 * A system change's label, at the top of the chart: flagged to the right of its line if it fits,
 * else to the left, else kept within the chart area. Every other label is a row lower, so that
 * neighbouring changes' labels do not collide.
 */
function changeLabel(change, position) {
  const x = change.index - 0.5;
  const lines = wrapLines(change.label, CHANGE_LABEL_WIDTH);
  const rowHeight = lines.length * (LABEL_FONT_SIZE + 3) + 12;
  const gap = 2;
  // Where the label goes, in pixels from the line: its left edge's offset.
  const offset = (chart) => {
    const width = textWidth(chart, lines, true) + 8; // + padding
    const pixel = chart.scales.x.getPixelForValue(x);
    const { left, right } = chart.chartArea;
    if (pixel + gap + width <= right) return gap;
    if (pixel - gap - width >= left) return -gap - width;
    return Math.min(Math.max(pixel, left), right - width) - pixel;
  };
  return {
    type: "label",
    xValue: x,
    yValue: ({ chart }) => chart.scales.y.max,
    position: { x: "start", y: "start" },
    xAdjust: ({ chart }) => offset(chart),
    yAdjust: 2 + (position % 2) * rowHeight,
    content: lines,
    backgroundColor: COLOUR.change,
    color: "#ffffff",
    font: { size: LABEL_FONT_SIZE, weight: "bold" },
    padding: 4,
    adjustScaleRange: false,
    drawTime: "afterDatasetsDraw",
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
  }));
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
  const styles = points.map((point) => SIGNAL[point.signal] ?? SIGNAL.common);
  const radii = styles.map((style) => (many ? (style === SIGNAL.common ? 1.5 : 4) : style.radius));
  const hrefAt = (index) => points[index]?.href;
  const limitDash = (phase) => (phase.provisional ? DOTTED : DASHED);
  const provisional = (phase) => (phase.provisional ? " (provisional)" : "");

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
  const xScale = {
    type: "category",
    offset: true,
    grid: { display: false },
    ticks: { autoSkip: true, autoSkipPadding: 16, maxRotation: 0, color: COLOUR.secondaryText },
  };

  // ----- X chart
  const xAnnotations = {};
  phases.forEach((phase, k) => {
    if (isNumber(phase.centre_line)) {
      xAnnotations[`centre${k}`] = phaseLine(phase, phase.centre_line);
      xAnnotations[`centreLabel${k}`] = phaseLabel(
        phase,
        phase.centre_line,
        `Centre line ${formatNumber(phase.centre_line)}`,
        { clearOf: phase.upper_limit, onTop: many },
      );
    }
    if (isNumber(phase.upper_limit)) {
      xAnnotations[`upper${k}`] = phaseLine(phase, phase.upper_limit, limitDash(phase));
      xAnnotations[`upperLabel${k}`] = phaseLabel(
        phase,
        phase.upper_limit,
        `Upper limit ${formatNumber(phase.upper_limit)}${provisional(phase)}`,
        { onTop: many },
      );
    }
    if (isNumber(phase.lower_limit)) {
      xAnnotations[`lower${k}`] = phaseLine(phase, phase.lower_limit, limitDash(phase));
      // A lower limit of 0 sits on the axis: no label needed.
      if (phase.lower_limit > 0) {
        xAnnotations[`lowerLabel${k}`] = phaseLabel(
          phase,
          phase.lower_limit,
          `Lower limit ${formatNumber(phase.lower_limit)}${provisional(phase)}`,
          { below: true, onTop: many },
        );
      }
    }
  });
  // Headroom at the top of the chart for the system changes' labels (a lowered label needs
  // the rows of the one above it too), plus room for an upper limit's own label.
  let labelRows = changes.length ? 0.8 : 0;
  changes.forEach((change, i) => {
    const lines = wrapLines(change.label ?? "", CHANGE_LABEL_WIDTH).length;
    labelRows = Math.max(labelRows, (i % 2 ? 2 * lines + 0.7 : lines) + 0.8);
    xAnnotations[`change${i}`] = changeLine(change);
    if (change.label) xAnnotations[`changeLabel${i}`] = changeLabel(change, i);
  });
  const xTop = largest(
    points.map((point) => point.y),
    phases,
    ["centre_line", "upper_limit", "lower_limit"],
  );

  const signals =
    spec.lower_is_better === null ? ["common", "special"] : ["common", "improvement", "concern"];
  addLegend(container, [
    ...signals.map((signal) => [signal, SIGNAL[signal].name]),
    ["centre-line", "Centre line (mean)"],
    ...(phases.some((p) => !p.provisional && (isNumber(p.upper_limit) || isNumber(p.lower_limit)))
      ? [["limits", "Natural process limits"]]
      : []),
    ...(phases.some((p) => p.provisional && (isNumber(p.upper_limit) || isNumber(p.lower_limit)))
      ? [["provisional", "Provisional limits (fewer than 13 points)"]]
      : []),
    ...(changes.length ? [["change", "System change"]] : []),
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
          pointBackgroundColor: styles.map((style) => style.colour),
          pointBorderColor: styles.map((style) => style.colour),
          pointRadius: radii,
          pointHoverRadius: radii.map((r) => r + (many ? 1 : 2)),
          pointHitRadius: many ? 2 : 6,
        },
      ],
    },
    options: {
      ...options,
      scales: {
        x: xScale,
        y: {
          beginAtZero: true,
          grace: "5%", // room above the top point
          // About 6% of the range per row of change labels keeps them clear of the data.
          suggestedMax: xTop * (1 + 0.06 * labelRows),
          // Where the axis must stop whatever the headroom (a share: 100%); a null y is a gap.
          ...(isNumber(spec.y_max) ? { max: spec.y_max } : {}),
          title: { display: Boolean(unit), text: unitTitle(unit) },
          ticks: { callback: tickFormatter(unit) },
          grid: { color: COLOUR.grid },
          afterFit: fixAxisWidth,
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
            afterLabel: ({ dataIndex }) => signalText(points[dataIndex]),
          },
        },
        annotation: { annotations: xAnnotations },
      },
    },
  });
  // ----- mR chart (moving ranges; the first point of each phase has none)
  const mrAnnotations = {};
  phases.forEach((phase, k) => {
    if (isNumber(phase.mr_bar)) {
      mrAnnotations[`mrBar${k}`] = phaseLine(phase, phase.mr_bar);
      mrAnnotations[`mrBarLabel${k}`] = phaseLabel(
        phase,
        phase.mr_bar,
        `Average ${formatNumber(phase.mr_bar)}`,
        { clearOf: phase.upper_range_limit, onTop: many },
      );
    }
    if (isNumber(phase.upper_range_limit)) {
      mrAnnotations[`url${k}`] = phaseLine(phase, phase.upper_range_limit, limitDash(phase));
      mrAnnotations[`urlLabel${k}`] = phaseLabel(
        phase,
        phase.upper_range_limit,
        `Upper range limit ${formatNumber(phase.upper_range_limit)}${provisional(phase)}`,
        { onTop: many },
      );
    }
  });
  changes.forEach((change, i) => {
    mrAnnotations[`change${i}`] = changeLine(change);
  });

  const mrValues = points.map((point) => (isNumber(point.mr) ? point.mr : null));
  addLegend(container, [
    ["common", "Moving range (difference from the previous point)"],
    ...(phases.some((p) => isNumber(p.mr_bar)) ? [["centre-line", "Average moving range"]] : []),
    ...(phases.some((p) => isNumber(p.upper_range_limit))
      ? [["limits", "Upper range limit"]]
      : []),
  ]);
  const mrCanvas = addCanvas(
    container,
    "mr",
    `${spec.title}: moving ranges between consecutive points (the data are in the table below)`,
  );
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
          pointBackgroundColor: SIGNAL.common.colour,
          pointBorderColor: SIGNAL.common.colour,
          pointRadius: many ? 1 : 2.5,
          pointHoverRadius: many ? 2 : 4,
          pointHitRadius: many ? 2 : 6,
        },
      ],
    },
    options: {
      ...options,
      scales: {
        // Shares the X chart's x axis (same points, same plot width): no tick labels needed.
        x: { ...xScale, ticks: { ...xScale.ticks, display: false } },
        y: {
          beginAtZero: true,
          grace: "5%", // room above the top point
          suggestedMax: largest(mrValues, phases, ["mr_bar", "upper_range_limit"]),
          title: { display: true, text: "Moving range" },
          ticks: { callback: tickFormatter(unit), maxTicksLimit: 5 },
          grid: { color: COLOUR.grid },
          afterFit: fixAxisWidth,
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
          },
        },
        annotation: { annotations: mrAnnotations },
      },
    },
  });
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
// Pareto: bars largest first (as the server sorted them) and a cumulative-percentage line.

function drawPareto(container, spec) {
  const bars = spec.bars ?? [];
  if (!bars.length) return [];

  addLegend(container, [
    ["bar", "Count"],
    ["cumulative", "Cumulative percentage"],
  ]);
  const canvas = addCanvas(container, "bars", `${spec.title} (the data are in the table below)`);
  const drawn = drawChart(canvas, {
    data: {
      labels: bars.map((bar) => bar.label),
      datasets: [
        {
          type: "bar",
          label: "Count",
          data: bars.map((bar) => bar.count),
          yAxisID: "y",
          backgroundColor: COLOUR.bar,
          hoverBackgroundColor: COLOUR.barHover,
          order: 2,
        },
        {
          type: "line",
          label: "Cumulative percentage",
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
          title: { display: true, text: "Count" },
          ticks: { precision: 0 },
          grid: { color: COLOUR.grid },
        },
        percent: {
          position: "right",
          min: 0,
          max: 100,
          title: { display: true, text: "Cumulative percentage" },
          ticks: { callback: (value) => `${value}%`, stepSize: 20 },
          grid: { drawOnChartArea: false },
        },
      },
      label: ({ dataset, raw }) =>
        dataset.yAxisID === "percent"
          ? `Cumulative: ${formatNumber(raw)}%`
          : `Count: ${formatNumber(raw)}`,
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

// Where a chart's own labels go, so that they never overlap each other or the points and are
// never cut off at the canvas's edges. Plain arithmetic on pixel positions: no Chart.js here
// (static/js/charts.mjs measures the text and draws). Three places, kept apart:
//   - limit labels: in a band to the right of the plot, each beside its line, moved up or down
//     just enough not to touch the next one (spreadApart);
//   - system changes: numbered badges in a band above the plot, each over its line, a row
//     higher where it would touch its neighbour (placeBadges);
//   - x-axis labels: under the plot, as many as fit without touching (thinTicks).

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-03-03" -> "3 Mar 2026" (read as a calendar day: no time zone involved). */
export function formatDay(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/**
 * Moves boxes ({centre, height}) apart along one axis so that no two touch (`gap` between
 * them), each as near its centre as it can be, all within min..max. Sets each box's `top`;
 * the boxes must come in order of centre.
 */
export function spreadApart(boxes, min, max, gap = 2) {
  let floor = min;
  for (const box of boxes) {
    box.top = Math.max(box.centre - box.height / 2, floor);
    floor = box.top + box.height + gap;
  }
  let ceiling = max;
  for (const box of [...boxes].reverse()) {
    box.top = Math.max(Math.min(box.top, ceiling - box.height), min);
    ceiling = box.top - gap;
  }
  return boxes;
}

/**
 * Badges of the given `widths`, one per pixel (in order), each over its pixel and within
 * left..right, in rows above the plot (row 0 nearest it). A badge's line runs up from the plot
 * into it, so: no two badges in a row come within `gap` of each other, no badge covers the
 * line of a badge in a higher row, and no badge's line passes through one in a lower row.
 * Each badge tries, row by row from the lowest, to sit centred on its pixel, to its right or
 * to its left (to its left first when the next pixel is close, to leave that one room).
 * Returns [{left, width, row}]; a badge always spans its pixel.
 */
export function placeBadges(pixels, widths, left, right, gap = 6) {
  const placed = [];
  const covers = (badge, pixel) =>
    pixel >= badge.left - gap / 2 && pixel <= badge.left + badge.width + gap / 2;
  const apart = (a, b) => a.left >= b.left + b.width + gap || a.left + a.width + gap <= b.left;
  const fits = (badge) =>
    placed.every((other) => {
      if (other.row === badge.row) return apart(badge, other);
      return other.row > badge.row ? !covers(badge, other.pixel) : !covers(other, badge.pixel);
    });
  pixels.forEach((pixel, i) => {
    const width = widths[i];
    const within = (start) => Math.max(Math.min(start, right - width), left);
    const centred = within(pixel - width / 2);
    const toRight = within(pixel - 1);
    const toLeft = within(pixel + 1 - width);
    const next = pixels[i + 1];
    const nextClose = next !== undefined && next - gap <= centred + width;
    const starts = nextClose ? [toLeft, centred, toRight] : [centred, toRight, toLeft];
    const rows = placed.length ? Math.max(...placed.map((badge) => badge.row)) + 1 : 0;
    let badge;
    for (let row = 0; !badge && row <= rows; row++) {
      badge = starts.map((start) => ({ left: start, width, row, pixel })).find(fits);
    }
    // Nowhere clear of every line (its pixel is under another badge): a row of its own.
    placed.push(badge ?? { left: centred, width, row: rows, pixel });
  });
  return placed.map(({ left: start, width, row }) => ({ left: start, width, row }));
}

/**
 * Which of the `candidates` (indices, in order) get an x-axis label: from the left, each whose
 * label (centred on pixelOf(index), widthOf(index) wide) is at least `gap` clear of the one
 * before and lies within left..right. Labels are much of a width, so a candidate too close
 * for a label as wide as the last one is passed over without being measured.
 */
export function thinTicks(candidates, pixelOf, widthOf, left, right, gap = 16) {
  const kept = [];
  let end = -Infinity; // right edge of the last label kept
  let half = 0; // half the last measured label's width
  for (const index of candidates) {
    const pixel = pixelOf(index);
    if (pixel - half < Math.max(end + gap, left)) continue;
    half = widthOf(index) / 2;
    if (pixel + half > right) break; // pixels only grow from here
    if (pixel - half < Math.max(end + gap, left)) continue;
    kept.push(index);
    end = pixel + half;
  }
  return kept;
}

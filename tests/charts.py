"""Reading the chart JSON a page sends (analysis.charts.chart_spec) a point at a time, as
static/js/charts.mjs does."""

from analysis import spc


def spec_points(spec: dict) -> list[dict]:
    columns = spec["columns"]
    tooltips = columns.get("tooltip", [None] * len(columns["y"]))
    return [
        {
            "x": x,
            "y": y,
            "mr": mr,
            "signal": signal,
            "rules": list(spc.RULES_IN[mask]),
            "href": href,
            "tooltip": tooltip,
        }
        for x, y, mr, signal, mask, href, tooltip in zip(
            columns["x"],
            columns["y"],
            columns["mr"],
            columns["signal"],
            columns["rules"],
            columns["href"],
            tooltips,
            strict=True,
        )
    ]

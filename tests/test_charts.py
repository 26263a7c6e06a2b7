"""Charts: a figure's bars and lines are the frame's numbers, every title names its unit, every
figure wears the LeadBridge theme, and a frame with nothing in it draws an empty state."""

from __future__ import annotations

import math

import pandas as pd
import plotly.io as pio
import pytest

from leadbridge import charts, contract, metrics
from leadbridge.metrics import Filters

NOTE = "No leads in this period for Boston"


def frame(columns: str, *rows) -> pd.DataFrame:
    """A small frame: column names separated by spaces, then one tuple per row."""
    return pd.DataFrame(list(rows), columns=columns.split())


def monthly() -> pd.DataFrame:
    """Three months as queries/monthly.sql returns them; March is still maturing."""
    return frame(
        "month leads_submitted leads_won leads_lost leads_open conversion_rate open_share "
        "deals_won revenue_attributed reward_cost",
        ("2026-01", 10, 6, 3, 1, 0.6, 0.1, 5, 12500.0, 300.0),
        ("2026-02", 0, 0, 0, 0, None, None, 2, 0.0, -40.0),
        ("2026-03", 8, 1, 1, 6, 0.125, 0.75, 1, 2200.5, 150.0),
    )


BY_TECH_COLUMNS = (
    "tech_id tech_name branch leads_submitted leads_won leads_lost leads_open conversion_rate "
    "conversion_ci_low conversion_ci_high deals_won revenue_attributed reward_cost "
    "revenue_per_reward_dollar"
)


def by_tech() -> pd.DataFrame:
    """Four techs as queries/by_tech.sql returns them; Dee has payouts but no lead."""
    return frame(
        BY_TECH_COLUMNS,
        ("T1", "Ann Lee", "Boston", 9, 7, 1, 1, 7 / 9, 0.4529, 0.9368, 6, 30000.0, 900.0, 33.3),
        ("T2", "Bob Ray", "Boston", 3, 3, 0, 0, 1.0, 0.4385, 1.0, 2, 5000.0, 300.0, 16.7),
        ("T3", "Cy Moss", "Hartford", 40, 20, 15, 5, 0.5, 0.3519, 0.6481, 18, 80000.0, 4000.0,
         20.0),
        ("T4", "Dee Fox", "Hartford", 0, 0, 0, 0, None, None, None, 1, 1000.0, 50.0, 20.0),
    )


def conversion_frame() -> pd.DataFrame:
    """queries/conversion_by_dimension.sql for lead_type, in its key order."""
    return frame(
        "dimension_value leads_submitted leads_won leads_lost conversion_rate win_rate deals_won "
        "revenue_attributed",
        ("other", 4, 1, 1, 0.25, 0.5, 1, 500.0),
        ("service_agreement", 10, 5, 0, 0.5, 1.0, 6, 9000.0),
        ("upgrade", 20, 8, 4, 0.4, 8 / 12, 9, 20000.0),
        ("new_equipment", 0, 0, 0, None, None, 2, 40000.0),
    )


def per_jobs() -> pd.DataFrame:
    return frame(
        "tech_id tech_name branch jobs leads_submitted leads_per_100_jobs",
        ("T1", "Ann Lee", "Boston", 200, 10, 5.0),
        ("T2", "Bob Ray", "Boston", 100, 12, 12.0),
        ("T3", "Cy Moss", "Hartford", 50, 0, 0.0),
    )


def funnel_frame() -> pd.DataFrame:
    return frame("submitted contacted qualified quoted won", (100, 80, 50, 30, 20))


def cohort_frame() -> pd.DataFrame:
    """Two cohorts; February is one month old, so it has no cell for month 1."""
    return frame(
        "cohort_month months_since leads_submitted leads_won_by_then conversion_rate",
        ("2026-01", 0, 10, 1, 0.1),
        ("2026-01", 1, 10, 4, 0.4),
        ("2026-02", 0, 5, 2, 0.4),
    )


def time_frame() -> pd.DataFrame:
    return frame(
        "bucket_order bucket deals_won",
        (1, "0–7 days", 2), (2, "8–14 days", 0), (3, "15–30 days", 5), (4, "31–60 days", 1),
        (5, "61–90 days", 0), (6, "over 90 days", 0), (7, "date error", 1),
    )


def lost_frame() -> pd.DataFrame:
    return frame(
        "loss_reason leads_lost share",
        ("Timing", 2, 0.2), ("Price", 5, 0.5), ("Not given", 3, 0.3),
    )


def rewards_frame() -> pd.DataFrame:
    """January and March (no payout in February); March has a clawback."""
    return frame(
        "month reason payouts amount clawbacks clawback_amount",
        ("2026-01", "Lead won", 3, 450.0, 0, 0.0),
        ("2026-01", "Lead submitted", 10, 250.0, 0, 0.0),
        ("2026-03", "Clawback - cancelled order", 2, -300.0, 2, -300.0),
        ("2026-03", "Lead won", 2, 250.0, 1, -50.0),
    )


def speed_frame() -> pd.DataFrame:
    return frame(
        "dimension_value leads leads_contacted median_days_to_contact p90_days_to_contact "
        "contacted_within_7d_share awaiting_contact_7d",
        ("Boston", 10, 9, 2.0, 4.0, 0.9, 1),
        ("Hartford", 20, 15, 5.0, 12.5, 0.6, 4),
        ("Unassigned", 3, 0, None, None, 0.0, 3),
    )


def open_frame() -> pd.DataFrame:
    """Open leads in two of the four age buckets only."""
    return frame(
        "bucket_order age_bucket status leads",
        (1, "0–7 days", "contacted", 3), (1, "0–7 days", "open", 5),
        (4, "over 30 days", "open", 2), (4, "over 30 days", "quoted", 1),
    )


# Every chart: its builder on a frame, an example frame, and the unit its title must name.
CHARTS = {
    "monthly_leads": (lambda f, n: charts.monthly_leads(f, n), monthly, "(leads)"),
    "revenue_vs_reward": (lambda f, n: charts.revenue_vs_reward(f, n), monthly, "($)"),
    "revenue_vs_reward_cumulative": (
        lambda f, n: charts.revenue_vs_reward(f, n, cumulative=True), monthly, "($)"),
    "tech_volume": (lambda f, n: charts.tech_volume(f, n), by_tech, "(leads)"),
    "tech_conversion": (lambda f, n: charts.tech_conversion(f, n), by_tech, "(%)"),
    "volume_vs_conversion": (lambda f, n: charts.volume_vs_conversion(f, n), by_tech, "(%)"),
    "leads_per_100_jobs": (lambda f, n: charts.leads_per_100_jobs(f, n), per_jobs,
                           "(leads per 100 jobs)"),
    "funnel": (lambda f, n: charts.funnel(f, n), funnel_frame, "(leads, % of submitted)"),
    "conversion_by": (lambda f, n: charts.conversion_by(f, "lead type", n), conversion_frame,
                      "(%)"),
    "revenue_by": (lambda f, n: charts.revenue_by(f, "branch", n), conversion_frame, "($)"),
    "cohort_heatmap": (lambda f, n: charts.cohort_heatmap(f, n), cohort_frame, "(%)"),
    "time_to_close": (lambda f, n: charts.time_to_close(f, n), time_frame, "(deals)"),
    "lost_reasons": (lambda f, n: charts.lost_reasons(f, n), lost_frame, "(leads, % of lost)"),
    "reward_cost_by_month": (lambda f, n: charts.reward_cost_by_month(f, n), rewards_frame,
                             "($)"),
    "contact_speed": (lambda f, n: charts.contact_speed(f, "sales rep", n), speed_frame,
                      "(days)"),
    "open_by_age": (lambda f, n: charts.open_by_age(f, n), open_frame, "(leads)"),
}


def trace(fig, name: str):
    return next(t for t in fig.data if t.name == name)


def values(seq) -> list:
    """A trace's array as a plain list, gaps as None."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
            for v in list(seq)]


def is_empty_state(fig, note: str) -> bool:
    return (len(fig.data) == 0 and [a.text for a in fig.layout.annotations] == [note]
            and fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False)


# ---- the theme ----------------------------------------------------------------------------


def test_the_theme_is_one_registered_template_with_okabe_ito_colours():
    template = pio.templates[charts.TEMPLATE_NAME]
    assert charts.TEMPLATE_NAME == "leadbridge"
    assert list(template.layout.colorway) == list(charts.PALETTE)
    assert [c.upper() for c in charts.PALETTE] == [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
    assert 15 <= template.layout.font.size <= 16
    assert 18 <= template.layout.title.font.size <= 20
    assert template.layout.legend.orientation == "h"


def test_every_status_has_one_fixed_colour():
    assert set(charts.STATUS_COLORS) == set(contract.STATUSES)
    assert charts.STATUS_COLORS["won"] == "#009E73"
    assert charts.STATUS_COLORS["lost"] == "#D55E00"
    assert len(set(charts.STATUS_COLORS.values())) == len(contract.STATUSES)


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_figure_wears_the_theme_and_names_its_unit(name):
    build, example, unit = CHARTS[name]
    fig = build(example(), NOTE)
    assert fig.data, "the example frame has something to draw"
    assert fig.layout.template == pio.templates[charts.TEMPLATE_NAME]
    assert unit in fig.layout.title.text
    assert all(t.hovertemplate for t in fig.data)


@pytest.mark.parametrize("name", list(CHARTS))
def test_an_empty_frame_draws_the_note_and_no_traces(name):
    build, example, unit = CHARTS[name]
    fig = build(example().iloc[0:0], NOTE)
    assert is_empty_state(fig, NOTE)
    assert unit in fig.layout.title.text
    assert fig.layout.template == pio.templates[charts.TEMPLATE_NAME]


@pytest.mark.parametrize("name", list(CHARTS))
def test_a_frame_without_columns_also_draws_the_empty_state(name):
    build, _, _ = CHARTS[name]
    assert is_empty_state(build(pd.DataFrame(), NOTE), NOTE)


def test_empty_keeps_the_title():
    fig = charts.empty("Leads per month (leads)", NOTE)
    assert fig.layout.title.text == "Leads per month (leads)"
    assert is_empty_state(fig, NOTE)


# ---- monthly ------------------------------------------------------------------------------


def test_monthly_bars_are_won_lost_and_still_open_with_the_conversion_line():
    fig = charts.monthly_leads(monthly(), NOTE)
    assert [t.name for t in fig.data] == ["Won", "Lost", "Still open", "Conversion"]
    assert fig.layout.barmode == "stack"
    for t in fig.data:
        assert list(t.x) == ["Jan<br>2026", "Feb<br>2026", "Mar<br>2026"]
    assert values(trace(fig, "Won").y) == [6, 0, 1]
    assert values(trace(fig, "Lost").y) == [3, 0, 1]
    assert values(trace(fig, "Still open").y) == [1, 0, 6]
    assert values(trace(fig, "Conversion").y) == [0.6, None, 0.125]
    assert trace(fig, "Won").marker.color == charts.STATUS_COLORS["won"]
    assert trace(fig, "Lost").marker.color == charts.STATUS_COLORS["lost"]


def test_monthly_conversion_is_a_percent_axis_and_shows_what_is_still_open():
    fig = charts.monthly_leads(monthly(), NOTE)
    line = trace(fig, "Conversion")
    assert line.yaxis == "y2"
    assert fig.layout.yaxis2.tickformat == ".0%"
    assert fig.layout.hovermode == "x unified"
    assert trace(fig, "Still open").marker.pattern.shape == "/"
    assert trace(fig, "Still open").customdata[2] == "Still open: 6 leads (75 % of submitted)"
    assert line.customdata[2] == "Conversion: 12 % (1 of 8 leads won, still maturing)"
    assert list(line.marker.symbol) == ["circle", "circle", "circle-open"]
    assert "maturing" in fig.layout.title.subtitle.text


def test_a_period_without_leads_has_no_monthly_bars():
    zeros = monthly().assign(leads_submitted=0, leads_won=0, leads_lost=0, leads_open=0,
                             conversion_rate=None)
    assert is_empty_state(charts.monthly_leads(zeros, NOTE), NOTE)


def test_revenue_and_reward_per_month_in_dollars_negative_rewards_kept():
    fig = charts.revenue_vs_reward(monthly(), NOTE)
    assert values(trace(fig, "Revenue attributed").y) == [12500.0, 0.0, 2200.5]
    assert values(trace(fig, "Reward cost").y) == [300.0, -40.0, 150.0]
    assert list(trace(fig, "Reward cost").x) == ["Jan<br>2026", "Feb<br>2026", "Mar<br>2026"]
    assert fig.layout.yaxis.tickprefix == "$"
    assert fig.layout.yaxis.exponentformat == "B"  # "$120M", "$1.2B"
    assert trace(fig, "Revenue attributed").customdata[0] == (
        "Revenue attributed: $12,500 (5 deals won)")


def test_cumulative_revenue_and_reward_are_running_totals_as_lines():
    fig = charts.revenue_vs_reward(monthly(), NOTE, cumulative=True)
    assert {t.type for t in fig.data} == {"scatter"}
    assert values(trace(fig, "Revenue attributed").y) == [12500.0, 12500.0, 14700.5]
    assert values(trace(fig, "Reward cost").y) == [300.0, 260.0, 410.0]
    assert "Cumulative" in fig.layout.title.text


def test_no_revenue_and_no_reward_draws_the_empty_state():
    zeros = monthly().assign(revenue_attributed=0.0, reward_cost=0.0)
    assert is_empty_state(charts.revenue_vs_reward(zeros, NOTE), NOTE)
    assert is_empty_state(charts.revenue_vs_reward(zeros, NOTE, cumulative=True), NOTE)


# ---- techs --------------------------------------------------------------------------------


def test_tech_volume_puts_the_most_leads_on_top_and_leaves_out_techs_without_leads():
    fig = charts.tech_volume(by_tech(), NOTE)
    won = trace(fig, "Won")
    assert won.orientation == "h"
    assert list(won.y) == ["Cy Moss", "Ann Lee", "Bob Ray"]
    assert values(won.x) == [20, 7, 3]
    assert values(trace(fig, "Lost").x) == [15, 1, 0]
    assert values(trace(fig, "Still open").x) == [5, 1, 0]
    assert fig.layout.yaxis.autorange == "reversed"
    assert "top" not in fig.layout.title.text


def test_tech_volume_cut_to_the_top_says_so_in_the_title():
    fig = charts.tech_volume(by_tech(), NOTE, top=2)
    assert list(trace(fig, "Won").y) == ["Cy Moss", "Ann Lee"]
    assert "top 2 of 3 techs" in fig.layout.title.text


def test_a_bar_per_row_chart_is_as_tall_as_its_bars():
    # With one tech picked, a fixed height drew one bar 300 pixels thick.
    one = charts.tech_volume(by_tech().head(1), NOTE)
    three = charts.tech_volume(by_tech(), NOTE)
    many = charts.tech_volume(pd.concat([by_tech()] * 10, ignore_index=True)
                              .assign(tech_id=lambda f: [f"T{i}" for i in f.index]), NOTE)
    assert one.layout.height == three.layout.height - charts.ROW_HEIGHT
    assert many.layout.height - three.layout.height == charts.ROW_HEIGHT * (25 - 3)
    assert one.layout.height < charts.DEFAULT_HEIGHT < many.layout.height
    # A title wrapped onto a second line gets its room above the same bars.
    long = charts.contact_speed(speed_frame(), "sales representative of the branch " * 3, NOTE)
    assert long.layout.margin.t > charts.TOP_MARGIN
    assert long.layout.height - long.layout.margin.t == three.layout.height - charts.TOP_MARGIN


def test_two_techs_with_one_name_stay_two_bars():
    techs = by_tech().assign(tech_name=["Sam Diaz", "Sam Diaz", "Cy Moss", "Dee Fox"])
    fig = charts.tech_volume(techs, NOTE)
    assert list(trace(fig, "Won").y) == ["Cy Moss", "Sam Diaz (T1)", "Sam Diaz (T2)"]


def test_tech_conversion_sorts_by_the_interval_low_end_so_luck_does_not_win():
    fig = charts.tech_conversion(by_tech(), NOTE)
    dots = fig.data[0]
    # Bob won 3 of 3 (100 %) but his interval starts at 44 %, below Ann's 45 %.
    assert list(dots.y) == ["Ann Lee", "Bob Ray", "Cy Moss"]
    assert values(dots.x) == pytest.approx([7 / 9, 1.0, 0.5])
    assert values(dots.error_x.array) == pytest.approx([0.9368 - 7 / 9, 0.0, 0.6481 - 0.5])
    assert values(dots.error_x.arrayminus) == pytest.approx([7 / 9 - 0.4529, 1 - 0.4385,
                                                             0.5 - 0.3519])
    assert dots.customdata[0] == "<b>Ann Lee</b><br>7 of 9 leads won (78 %), 95 % interval 45–94 %"
    assert fig.layout.xaxis.tickformat == ".0%"


def test_tech_conversion_has_the_overall_reference_line_and_a_top_cut():
    fig = charts.tech_conversion(by_tech(), NOTE, top=1)
    assert list(fig.data[0].y) == ["Ann Lee"]
    assert "top 1 of 3 techs" in fig.layout.title.text
    overall = (7 + 3 + 20) / (9 + 3 + 40)
    assert [s.x0 for s in fig.layout.shapes] == [pytest.approx(overall)]


def test_volume_vs_conversion_places_each_tech_and_draws_the_quadrants():
    fig = charts.volume_vs_conversion(by_tech(), NOTE)
    points = {}
    for t in fig.data:
        for x, y, hover in zip(t.x, t.y, t.customdata, strict=True):
            points[hover.split("</b>")[0].removeprefix("<b>")] = (x, y)
    assert points == {"Ann Lee": (9, pytest.approx(7 / 9)), "Bob Ray": (3, 1.0),
                      "Cy Moss": (40, 0.5)}
    assert [t.name for t in fig.data] == ["Boston", "Hartford"]
    vertical = next(s for s in fig.layout.shapes if s.x0 == s.x1)
    horizontal = next(s for s in fig.layout.shapes if s.y0 == s.y1)
    assert vertical.x0 == 9  # the median tech's leads
    assert horizontal.y0 == pytest.approx(30 / 52)
    labels = {a.text for a in fig.layout.annotations}
    assert {"High volume, high conversion", "Low volume, high conversion",
            "High volume, low conversion", "Low volume, low conversion"} <= labels
    assert fig.layout.yaxis.tickformat == ".0%"


def test_volume_vs_conversion_draws_the_busiest_techs_and_keeps_every_tech_in_its_lines():
    fig = charts.volume_vs_conversion(by_tech(), NOTE, most=2)
    drawn = sorted(x for t in fig.data for x in t.x)
    assert drawn == [9, 40], "the two techs with the most leads (Bob Ray's 3 left out)"
    assert "The 2 techs with the most leads of 3" in fig.layout.title.subtitle.text
    vertical = next(s for s in fig.layout.shapes if s.x0 == s.x1)
    horizontal = next(s for s in fig.layout.shapes if s.y0 == s.y1)
    assert vertical.x0 == 9, "the median over all three techs"
    assert horizontal.y0 == pytest.approx(30 / 52), "conversion over all three techs"
    assert "most leads" not in charts.volume_vs_conversion(by_tech(), NOTE).layout.title.subtitle.text


def test_bubble_size_follows_revenue():
    fig = charts.volume_vs_conversion(by_tech(), NOTE)
    boston = trace(fig, "Boston")
    assert values(boston.marker.size) == [30000.0, 5000.0]
    assert boston.marker.sizemode == "area"


def test_leads_per_100_jobs_highest_first_and_cut():
    fig = charts.leads_per_100_jobs(per_jobs(), NOTE, top=2)
    bars = fig.data[0]
    assert list(bars.y) == ["Bob Ray", "Ann Lee"]
    assert values(bars.x) == [12.0, 5.0]
    assert "top 2 of 3 techs" in fig.layout.title.text
    assert bars.customdata[0] == (
        "<b>Bob Ray</b><br>12.0 leads per 100 jobs<br>12 leads from 100 jobs")


# ---- conversion ---------------------------------------------------------------------------


def test_funnel_counts_every_stage_and_shows_share_of_submitted():
    fig = charts.funnel(funnel_frame(), NOTE)
    stages = fig.data[0]
    assert stages.type == "funnel"
    assert list(stages.y) == ["Submitted", "Contacted", "Qualified", "Quoted", "Won"]
    assert values(stages.x) == [100, 80, 50, 30, 20]
    # shares written as everywhere else: "80 %", not d3's "80%"
    assert list(stages.text) == ["100 (100 %)", "80 (80 %)", "50 (50 %)", "30 (30 %)", "20 (20 %)"]
    assert stages.customdata[4] == "Won: 20 leads (20 % of submitted)"


def test_a_funnel_of_zero_leads_is_empty():
    zeros = frame("submitted contacted qualified quoted won", (0, 0, 0, 0, 0))
    assert is_empty_state(charts.funnel(zeros, NOTE), NOTE)


def test_conversion_by_lead_type_uses_labels_in_the_contract_order():
    fig = charts.conversion_by(conversion_frame(), "lead type", NOTE)
    conversion, win = trace(fig, "Conversion"), trace(fig, "Win rate")
    # New equipment has deals but no lead in the cohort: no conversion to show.
    assert list(conversion.x) == ["Upgrade", "Service agreement", "Other"]
    assert values(conversion.y) == [0.4, 0.5, 0.25]
    assert values(win.y) == pytest.approx([8 / 12, 1.0, 0.5])
    assert conversion.customdata[0] == "Conversion: 40 % (8 of 20 leads won)"
    assert list(conversion.text) == ["40 %", "50 %", "25 %"]
    assert list(win.text) == ["67 %", "100 %", "50 %"]
    assert win.customdata[0] == "Win rate: 67 % (8 won of 12 closed)"
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.title.text == "Conversion and win rate by lead type (%)"


def test_conversion_by_branch_keeps_the_names():
    branches = conversion_frame().assign(dimension_value=["Boston", "Hartford", "Worcester",
                                                          "Providence"])
    fig = charts.conversion_by(branches, "branch", NOTE)
    assert list(fig.data[0].x) == ["Boston", "Hartford", "Worcester"]


def test_revenue_by_is_sorted_largest_first_in_dollars():
    fig = charts.revenue_by(conversion_frame(), "lead type", NOTE)
    bars = fig.data[0]
    assert list(bars.x) == ["New equipment", "Upgrade", "Service agreement", "Other"]
    assert values(bars.y) == [40000.0, 20000.0, 9000.0, 500.0]
    assert fig.layout.yaxis.tickprefix == "$"
    assert bars.customdata[0] == "<b>New equipment</b><br>$40,000 from 2 deals won"
    # the labels under the bars wrap ('New equipment' ran into its neighbour); the categories
    # and the hover text keep the whole name
    assert list(fig.layout.xaxis.tickvals) == list(bars.x)
    assert list(fig.layout.xaxis.ticktext) == ["New<br>equipment", "Upgrade",
                                               "Service<br>agreement", "Other"]


def test_cohort_heatmap_has_one_row_per_month_and_gaps_for_ages_not_reached():
    fig = charts.cohort_heatmap(cohort_frame(), NOTE)
    cells = fig.data[0]
    assert list(cells.y) == ["Jan 2026", "Feb 2026"]
    assert list(cells.x) == [0, 1]
    assert [values(row) for row in cells.z] == [[0.1, 0.4], [0.4, None]]
    assert [list(row) for row in cells.text] == [["10 %", "40 %"], ["40 %", ""]]
    assert cells.customdata[0][1] == (
        "<b>Submitted Jan 2026</b> (10 leads)<br>1 month later: 4 won so far (40 %)")


def _luminance(color: str) -> float:
    """WCAG 2's relative luminance of 'rgb(r, g, b)' or '#rrggbb'."""
    if color.startswith("#"):
        channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    else:
        channels = [float(c) for c in color[color.index("(") + 1:-1].split(",")]
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_cell_of_the_cohort_heatmap_reads_in_one_ink():
    """Plotly chose the ink per cell on the full Blues scale: '58%' dark beside '60%' white. One
    dark ink now, at WCAG AA contrast (4.5:1) on every colour of the scale, the darkest included."""
    cells = charts.cohort_heatmap(cohort_frame(), NOTE).data[0]
    assert cells.textfont.color == charts.HEATMAP_INK
    ink = _luminance(charts.HEATMAP_INK)
    contrasts = [(_luminance(color) + 0.05) / (ink + 0.05) for _, color in cells.colorscale]
    assert min(contrasts) >= 4.5, contrasts
    assert contrasts == sorted(contrasts, reverse=True)  # darker as more are won


def test_time_to_close_keeps_the_bucket_order_and_flags_date_errors():
    fig = charts.time_to_close(time_frame().sample(frac=1, random_state=1), NOTE)
    bars = fig.data[0]
    assert list(bars.x) == ["0–7 days", "8–14 days", "15–30 days", "31–60 days", "61–90 days",
                            "over 90 days", "date error"]
    assert values(bars.y) == [2, 0, 5, 1, 0, 0, 1]
    assert list(bars.marker.color)[-1] == charts.VERMILLION


def test_time_to_close_with_no_deal_is_empty():
    assert is_empty_state(charts.time_to_close(time_frame().assign(deals_won=0), NOTE), NOTE)


def test_lost_reasons_largest_first_with_the_share():
    fig = charts.lost_reasons(lost_frame(), NOTE)
    bars = fig.data[0]
    assert list(bars.y) == ["Price", "Not given", "Timing"]
    assert values(bars.x) == [5, 3, 2]
    assert list(bars.text) == ["5 (50 %)", "3 (30 %)", "2 (20 %)"]
    assert bars.marker.color == charts.STATUS_COLORS["lost"]


# ---- rewards and follow-up ----------------------------------------------------------------


def test_a_long_period_labels_every_second_month_upright_the_latest_always():
    """24 months' labels ran together at 1280 px and Plotly turned them on their side."""
    months = pd.period_range("2024-11", "2026-10", freq="M").strftime("%Y-%m")
    rows = [(m, 10, 6, 3, 1, 0.6, 0.1, 5, 100.0, 10.0) for m in months]
    long = frame("month leads_submitted leads_won leads_lost leads_open conversion_rate "
                 "open_share deals_won revenue_attributed reward_cost", *rows)
    for fig in (charts.monthly_leads(long, NOTE), charts.revenue_vs_reward(long, NOTE)):
        axis = fig.layout.xaxis
        assert len(fig.data[0].x) == 24  # every month still drawn
        assert list(axis.tickvals) == list(fig.data[0].x[1::2])  # Dec 2024 ... Oct 2026
        assert axis.tickvals[-1] == "Oct<br>2026" and axis.tickangle == 0
    # a year or less: every month labelled
    assert charts.monthly_leads(monthly(), NOTE).layout.xaxis.tickvals is None


def test_reward_cost_stacks_reasons_and_keeps_clawbacks_below_zero():
    fig = charts.reward_cost_by_month(rewards_frame(), NOTE)
    assert fig.layout.barmode == "relative"
    # February had no payout and still has its place on the axis.
    for t in fig.data:
        assert list(t.x) == ["Jan<br>2026", "Feb<br>2026", "Mar<br>2026"]
    assert values(trace(fig, "Lead won").y) == [450.0, None, 300.0]
    assert values(trace(fig, "Lead submitted").y) == [250.0, None, None]
    assert values(trace(fig, "Clawback - cancelled order").y) == [None, None, -300.0]
    assert values(trace(fig, "Lead won (clawed back)").y) == [None, None, -50.0]
    for name in ("Clawback - cancelled order", "Lead won (clawed back)"):
        assert trace(fig, name).marker.color == charts.VERMILLION
        # hatching over the vermillion: Plotly's default fill mode drew the second reason's
        # white hatching on nothing, its bars and legend swatch unseen on white
        assert trace(fig, name).marker.pattern.fillmode == "overlay"
    assert trace(fig, "Lead won (clawed back)").marker.pattern.shape == "/"
    assert values(trace(fig, "Net reward cost").y) == [700.0, 0.0, -50.0]
    # below zero the ticks read "-$1k", not a prefix's "$-1000"
    assert fig.layout.yaxis.tickformat == "$~s" and fig.layout.yaxis.tickprefix is None
    assert trace(fig, "Clawback - cancelled order").customdata[2] == (
        "Clawback - cancelled order: -$300 (2 clawbacks)")


def test_contact_speed_puts_the_slowest_first_with_the_week_mark():
    fig = charts.contact_speed(speed_frame(), "sales rep", NOTE)
    median, p90 = trace(fig, "Median"), trace(fig, "90th percentile")
    assert list(median.y) == ["Unassigned", "Hartford", "Boston"]
    assert values(median.x) == [None, 5.0, 2.0]
    assert values(p90.x) == [None, 12.5, 4.0]
    never = trace(fig, "None contacted yet")
    assert list(never.y) == ["Unassigned"]
    assert never.cliponaxis is False, "its mark sits on the axis at 0 and is drawn whole"
    week = fig.layout.shapes[0]
    assert (week.x0, week.x1, week.name) == (7, 7, "One week")
    assert median.customdata[1] == ("Median: 5 days<br>15 of 20 leads contacted, 60 % within a "
                                    "week<br>4 leads waiting a week or more for a first contact")


def test_open_by_age_always_shows_the_four_buckets_in_order():
    fig = charts.open_by_age(open_frame(), NOTE)
    assert [t.name for t in fig.data] == ["Open", "Contacted", "Quoted"]
    for t in fig.data:
        assert list(t.x) == list(charts.AGE_BUCKETS)
        assert t.marker.color == charts.STATUS_COLORS[t.name.lower()]
    assert values(trace(fig, "Open").y) == [5, 0, 0, 2]
    assert values(trace(fig, "Contacted").y) == [3, 0, 0, 0]
    assert values(trace(fig, "Quoted").y) == [0, 0, 0, 1]
    assert list(fig.layout.xaxis.categoryarray) == list(charts.AGE_BUCKETS)


# ---- kpi_delta ----------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "previous", "expected"), [
    (125, 100, 0.25),
    (50, 100, -0.5),
    (0, 40, -1.0),
    (-10, -20, 0.5),  # a smaller net clawback is a rise
    (10, 0, None),
    (10, None, None),
    (10, float("nan"), None),
    (None, 10, None),
    (pd.NA, 10, None),
])
def test_kpi_delta_is_the_relative_change(current, previous, expected):
    result = charts.kpi_delta(current, previous)
    assert result == (None if expected is None else pytest.approx(expected))


# ---- the frames the queries really return -------------------------------------------------


def load_rows(con) -> None:
    """Two techs, five leads over two months, their outcomes, rewards and jobs."""
    cur = con.cursor()
    cur.executemany("insert into techs (tech_id, tech_name, branch) values (?, ?, ?)",
                    [("T1", "Ann Lee", "Boston"), ("T2", "Bob Ray", "Hartford")])
    cur.executemany(
        "insert into leads (lead_id, submitted_at, tech_id, lead_type, sales_rep) "
        "values (?, ?, ?, ?, ?)",
        [("L1", "2026-01-05", "T1", "upgrade", "Dana"), ("L2", "2026-01-20", "T1", "other", "Dana"),
         ("L3", "2026-02-02", "T2", "upgrade", "Marc"), ("L4", "2026-02-10", "T2", "new_equipment",
                                                         "Marc"),
         ("L5", "2026-02-25", "T1", "upgrade", None)])
    cur.executemany(
        "insert into outcomes (lead_id, status, contacted_at, closed_at, revenue, loss_reason) "
        "values (?, ?, ?, ?, ?, ?)",
        [("L1", "won", "2026-01-06", "2026-02-01", 12000, None),
         ("L2", "lost", "2026-01-25", "2026-02-05", None, "Price"),
         ("L3", "quoted", "2026-02-03", None, None, None)])
    cur.executemany(
        "insert into payouts (payout_id, tech_id, lead_id, paid_on, amount, reason) "
        "values (?, ?, ?, ?, ?, ?)",
        [("P1", "T1", "L1", "2026-02-15", 150, "Lead won"),
         ("P2", "T1", "L2", "2026-02-15", -25, "Clawback - duplicate lead")])
    cur.executemany("insert into jobs (job_id, tech_id, completed_at) values (?, ?, ?)",
                    [(f"J{i}", "T1" if i % 2 else "T2", "2026-01-15") for i in range(10)])
    cur.close()


# Each chart with the query (and parameters) its page feeds it.
QUERY_CHARTS = [
    ("monthly", {}, lambda f, n: charts.monthly_leads(f, n)),
    ("monthly", {}, lambda f, n: charts.revenue_vs_reward(f, n)),
    ("monthly", {}, lambda f, n: charts.revenue_vs_reward(f, n, cumulative=True)),
    ("by_tech", {}, lambda f, n: charts.tech_volume(f, n)),
    ("by_tech", {}, lambda f, n: charts.tech_conversion(f, n)),
    ("by_tech", {}, lambda f, n: charts.volume_vs_conversion(f, n)),
    ("leads_per_100_jobs_by_tech", {}, lambda f, n: charts.leads_per_100_jobs(f, n)),
    ("funnel", {}, lambda f, n: charts.funnel(f, n)),
    ("conversion_by_dimension", {"dimension": "lead_type"},
     lambda f, n: charts.conversion_by(f, "lead type", n)),
    ("conversion_by_dimension", {"dimension": "sales_rep"},
     lambda f, n: charts.revenue_by(f, "sales rep", n)),
    ("cohort_conversion_by_age", {}, lambda f, n: charts.cohort_heatmap(f, n)),
    ("time_to_close", {}, lambda f, n: charts.time_to_close(f, n)),
    ("lost_reasons", {}, lambda f, n: charts.lost_reasons(f, n)),
    ("reward_cost_by_month_reason", {}, lambda f, n: charts.reward_cost_by_month(f, n)),
    ("contact_speed_by_dimension", {"dimension": "branch"},
     lambda f, n: charts.contact_speed(f, "branch", n)),
    ("open_leads_by_age", {}, lambda f, n: charts.open_by_age(f, n)),
]


def test_every_chart_draws_what_its_query_returns(con):
    load_rows(con)
    period = Filters.months("2026-01", "2026-02")
    for name, params, build in QUERY_CHARTS:
        fig = build(metrics.run(con, name, period, **params), NOTE)
        assert fig.data, f"{name}: nothing drawn"
        assert fig.layout.template == pio.templates[charts.TEMPLATE_NAME]
    lead_types = metrics.run(con, "conversion_by_dimension", period, dimension="lead_type")
    fig = charts.conversion_by(lead_types, "lead type", NOTE)
    assert list(fig.data[0].x) == ["Upgrade", "New equipment", "Other"]


def test_every_chart_of_an_empty_database_draws_the_empty_state(con):
    period = Filters.months("2026-01", "2026-02")
    for name, params, build in QUERY_CHARTS:
        fig = build(metrics.run(con, name, period, **params), NOTE)
        assert is_empty_state(fig, NOTE), name


# ---- the Meeting page ---------------------------------------------------------------------


def ranking(measure: str) -> pd.DataFrame:
    """meeting.top_techs' frame: techs in rank order with the measure."""
    return frame(f"tech_id tech branch {measure}",
                 ("T3", "Cy Moss", "Hartford", 40), ("T1", "Ann Lee", "Boston", 9),
                 ("T2", "Bob Ray", "Boston", 3))


@pytest.mark.parametrize(("measure", "unit"), [
    ("leads_submitted", "(leads)"), ("deals_won", "(deals)"), ("revenue_attributed", "($)")])
def test_top_techs_keeps_the_rank_order_first_on_top_with_the_unit(measure, unit):
    fig = charts.top_techs(ranking(measure), measure, "Most of it", NOTE)
    assert fig.layout.title.text == f"Most of it {unit}"
    assert fig.layout.template == pio.templates[charts.TEMPLATE_NAME]
    (bars,) = fig.data
    assert list(bars.y) == ["Cy Moss", "Ann Lee", "Bob Ray"]
    assert list(bars.x) == [40, 9, 3]
    assert fig.layout.yaxis.autorange == "reversed"
    assert bars.hovertemplate
    assert bars.text[0] == ("$40" if measure == "revenue_attributed" else "40")


def test_top_techs_without_techs_or_with_zeros_is_empty():
    assert is_empty_state(charts.top_techs(ranking("deals_won").iloc[0:0], "deals_won", "Most",
                                           NOTE), NOTE)
    zeros = ranking("deals_won").assign(deals_won=0)
    assert is_empty_state(charts.top_techs(zeros, "deals_won", "Most", NOTE), NOTE)


def test_a_slide_table_shows_the_header_and_the_rows_as_text():
    fig = charts.slide_table(["Technician", "Outcome"], [["Ann <b>Lee</b>", "Won"],
                                                         ["Bob Ray", "Lost"]],
                             "Rows 1–2 of 2 (leads)", NOTE)
    assert fig.layout.title.text == "Rows 1–2 of 2 (leads)"
    assert fig.layout.template == pio.templates[charts.TEMPLATE_NAME]
    (table,) = fig.data
    assert list(table.header.values) == ["<b>Technician</b>", "<b>Outcome</b>"]
    assert [list(c) for c in table.cells.values] == [["Ann &lt;b&gt;Lee&lt;/b&gt;", "Bob Ray"],
                                                     ["Won", "Lost"]], "no markup from a file"
    assert table.cells.font.size >= 16


def test_an_empty_slide_table_draws_the_note():
    fig = charts.slide_table(["Technician"], [], "None this month (techs)", NOTE)
    assert is_empty_state(fig, NOTE)
    assert fig.layout.title.text == "None this month (techs)"


def test_projected_is_a_larger_copy_and_leaves_the_figure_alone():
    original = charts.conversion_by(conversion_frame(), "lead type", NOTE)
    big = charts.projected(original)
    assert big is not original
    assert big.layout.font.size == charts.SLIDE_FONT_SIZE > charts.FONT_SIZE
    assert big.layout.height >= charts.SLIDE_HEIGHT
    assert original.layout.font.size is None, "the theme's size, untouched"
    assert original.layout.height is None
    assert [t.y for t in big.data] == [t.y for t in original.data]
    kept = charts.projected(charts.top_techs(ranking("deals_won"), "deals_won", "Most", NOTE), None)
    assert kept.layout.height < charts.SLIDE_HEIGHT


def test_a_cut_title_writes_the_count_with_thousands_separators():
    assert charts._cut_title("Leads submitted per tech", 25, 4957) == (
        "Leads submitted per tech: top 25 of 4,957 techs")
    assert charts._cut_title("Leads submitted per tech", 25, 25) == "Leads submitted per tech"

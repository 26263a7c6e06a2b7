"""Tests for the synthetic company generator (leadbridge.sample) and the committed sample_data/."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from leadbridge import contract, sample

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
END = pd.Timestamp("2026-10-31")  # last day of the default end_month
MATURED_BEFORE = pd.Timestamp("2026-08-01")  # leads at least 3 months old at the end
FILES = {
    "techs": "technicians.csv",
    "leads": "leads.csv",
    "outcomes": "outcomes.xlsx",
    "payouts": "payouts.csv",
    "jobs": "jobs.csv",
    "attendance": "attendance.csv",
}
HEADERS = {
    "techs": ["Employee ID", "Technician", "Branch", "Region", "Manager", "Hire Date", "Status"],
    "leads": ["Lead #", "Date Submitted", "Technician ID", "Technician", "Business Unit",
              "Customer ID", "Account Name", "Opportunity Type", "Est. Value", "Assigned Rep",
              "Job #", "Notes"],
    "outcomes": ["Lead ID", "Stage", "First Contact Date", "Close Date", "Closed Won Amount",
                 "Gross Profit", "Sales Rep", "Lost Reason", "Last Modified"],
    "payouts": ["Employee ID", "Lead ID", "Pay Date", "Spiff", "Reason"],
    "jobs": ["Job ID", "Technician ID", "Completed", "Branch"],
    "attendance": ["Meeting Date", "Person ID", "Role", "Attended"],
}
US_DATE = r"\d{2}/\d{2}/\d{4}"
DOLLARS = r"\$\d{1,3}(,\d{3})*\.\d{2}"
STATUS_OF = dict(zip(*contract.word_map(contract.STATUS_WORDS), strict=True))
TYPE_OF = dict(zip(*contract.word_map(contract.LEAD_TYPE_WORDS), strict=True))


# ---- reading the files ----------------------------------------------------------------------


def read_text(path: Path) -> pd.DataFrame:
    """A CSV export with every value as text and empty cells as ""."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_outcomes(path: Path) -> pd.DataFrame:
    """The CRM export (xlsx or csv) with dates as timestamps and amounts as floats."""
    if path.suffix == ".xlsx":
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    else:
        frame = read_text(path)
    frame = frame.replace("", None)
    for name in ("Lead ID", "Stage", "Sales Rep", "Lost Reason"):
        frame[name] = frame[name].astype(pd.StringDtype(na_value=np.nan))
    for name in ("First Contact Date", "Close Date", "Last Modified"):
        frame[name] = pd.to_datetime(frame[name].astype(str).replace("None", None),
                                     format="%Y-%m-%d")
    for name in ("Closed Won Amount", "Gross Profit"):
        frame[name] = pd.to_numeric(frame[name])
    return frame


def read_all(folder: Path) -> dict[str, pd.DataFrame]:
    """All six files of a run, with parsed helper columns (day, month, status, kind)."""
    outcomes = next(folder.glob("outcomes.*"))
    frames = {t: read_text(folder / f) for t, f in FILES.items() if t != "outcomes"}
    frames["outcomes"] = read_outcomes(outcomes)
    leads = frames["leads"]
    good_date = leads["Date Submitted"].str.fullmatch(US_DATE)
    leads["day"] = pd.to_datetime(leads["Date Submitted"].where(good_date), format="%m/%d/%Y",
                                  errors="coerce")
    leads["kind"] = leads["Opportunity Type"].map(lambda w: TYPE_OF.get(contract.normalize_word(w)))
    outcomes = frames["outcomes"]
    outcomes["status"] = outcomes["Stage"].map(lambda w: STATUS_OF.get(contract.normalize_word(w)))
    jobs = frames["jobs"]
    jobs["day"] = pd.to_datetime(jobs["Completed"], format="%Y-%m-%dT%H:%M:%SZ")
    jobs["month"] = jobs["day"].dt.to_period("M")
    return frames


def valid_leads(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Leads that import cleanly (later row wins), joined with their outcome."""
    leads = frames["leads"].drop_duplicates("Lead #", keep="last")
    bad = {r["lead_or_key"] for r in sample.PLANNED_REJECTS if r["table"] == "leads"}
    leads = leads[~leads["Lead #"].isin(bad)]
    outcomes = frames["outcomes"].rename(columns={"Lead ID": "Lead #"})
    return leads.merge(outcomes, on="Lead #", how="left")


def rejects(frames: dict[str, pd.DataFrame]) -> set[tuple[str, str, str]]:
    """(table, key, column) of every row that breaks a DATA_CONTRACT.md row rule."""
    found = set()

    def add(table, keys, column):
        found.update((table, key, column) for key in keys)

    leads = frames["leads"]
    add("leads", leads.loc[leads["Lead #"] == "", "Lead #"], "lead_id")
    add("leads", leads.loc[leads["Technician ID"] == "", "Lead #"], "tech_id")
    add("leads", leads.loc[leads["day"].isna(), "Lead #"], "submitted_at")
    value = leads["Est. Value"]
    add("leads", leads.loc[(value != "") & ~value.str.fullmatch(DOLLARS), "Lead #"],
        "estimated_value")
    outcomes = frames["outcomes"]
    add("outcomes", outcomes.loc[outcomes["status"].isna(), "Lead ID"], "status")
    won = outcomes["status"] == "won"
    closed = outcomes["status"].isin(["won", "lost"])
    revenue = outcomes["Closed Won Amount"]
    add("outcomes", outcomes.loc[(won & revenue.isna()) | (revenue < 0), "Lead ID"], "revenue")
    add("outcomes", outcomes.loc[closed & outcomes["Close Date"].isna(), "Lead ID"], "closed_at")
    payouts = frames["payouts"]
    add("payouts", payouts.loc[~payouts["Spiff"].str.fullmatch(r"-?\d+\.\d{2}"), "Lead ID"],
        "amount")
    add("payouts", payouts.loc[payouts["Employee ID"] == "", "Lead ID"], "tech_id")
    add("payouts", payouts.loc[~payouts["Pay Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}"),
                               "Lead ID"], "paid_on")
    techs = frames["techs"]
    add("techs", techs.loc[~techs["Employee ID"].str.fullmatch(r"\d{4,}"), "Employee ID"],
        "tech_id")
    add("techs", techs.loc[~techs["Status"].isin(["Active", "Inactive"]), "Employee ID"], "active")
    return found


def planned(items: list[dict[str, str]], table: str | None = None) -> set:
    """(table, key, column) of planned items, optionally of one table."""
    return {(r["table"], r["lead_or_key"], r["column"]) for r in items
            if table is None or r["table"] == table}


# ---- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_dir(tmp_path_factory) -> Path:
    """One run of generate() with the defaults."""
    out = tmp_path_factory.mktemp("default")
    sample.generate(out)
    return out


@pytest.fixture(scope="module")
def frames(default_dir) -> dict[str, pd.DataFrame]:
    """The default run's files, read back."""
    return read_all(default_dir)


@pytest.fixture(scope="module")
def leads(frames) -> pd.DataFrame:
    """The default run's valid leads with their outcomes."""
    return valid_leads(frames)


# ---- files and determinism ------------------------------------------------------------------


def test_generate_returns_the_six_files(default_dir):
    paths = sample.generate(default_dir / "again")
    assert {t: p.name for t, p in paths.items()} == FILES
    assert sorted(p.name for p in (default_dir / "again").iterdir()) == sorted(
        [*FILES.values(), sample.REWARD_POLICY_FILE])


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(default_dir, tmp_path):
    sample.generate(tmp_path / "same")
    sample.generate(tmp_path / "other", seed=sample.DEFAULT_SEED + 1)
    for name in FILES.values():
        first = (default_dir / name).read_bytes()
        assert (tmp_path / "same" / name).read_bytes() == first, name
        assert (tmp_path / "other" / name).read_bytes() != first, name


def test_committed_sample_data_is_what_generate_writes_now(default_dir):
    committed = sorted(p.name for p in SAMPLE_DATA.iterdir())
    assert committed == sorted([*FILES.values(), "README.md", sample.REWARD_POLICY_FILE])
    for name in [*FILES.values(), sample.REWARD_POLICY_FILE]:
        assert (SAMPLE_DATA / name).read_bytes() == (default_dir / name).read_bytes(), name
    readme = (SAMPLE_DATA / "README.md").read_text()
    assert "leadbridge sample --out sample_data --seed 7" in readme
    for item in sample.PLANNED_REJECTS:
        assert item["lead_or_key"] in readme


def test_every_header_maps_to_the_contract(default_dir):
    wb = CalamineWorkbook.from_path(str(default_dir / "outcomes.xlsx"))
    found = {"outcomes": wb.get_sheet_by_index(0).to_python()[0]}
    for table, name in FILES.items():
        if table != "outcomes":
            found[table] = (default_dir / name).read_text().splitlines()[0].split(",")
    for table, headers in found.items():
        assert headers == HEADERS[table]
        mapping, ignored = contract.match_headers(contract.TABLES[table], headers)
        assert ignored == [], table
        assert set(contract.TABLES[table].required) <= set(mapping), table
        assert contract.table_from_filename(FILES[table]) == table


def test_outcomes_workbook_has_date_and_number_cells(default_dir):
    rows = CalamineWorkbook.from_path(str(default_dir / "outcomes.xlsx")).get_sheet_by_index(0)
    rows = rows.to_python()
    won = [r for r in rows[1:] if r[1] == "Closed Won" and r[4] != ""]
    assert len(won) > 1000
    assert all(type(r[2]).__name__ == "date" and type(r[3]).__name__ == "date" for r in won)
    assert all(isinstance(r[4], float) and isinstance(r[5], float) for r in won)


def test_ids_keep_their_shape(frames):
    techs, leads, jobs = frames["techs"], frames["leads"], frames["jobs"]
    assert techs["Employee ID"].str.fullmatch(r"\d{4}").all()
    assert techs["Employee ID"].str.startswith("0").sum() >= 5  # leading zeros to keep
    assert techs["Employee ID"].is_unique
    assert leads["Lead #"].str.fullmatch(r"L-\d{6}").all()
    assert leads["Customer ID"].str.fullmatch(r"C\d{5}").all()
    assert jobs["Job ID"].str.fullmatch(r"J-\d{7}").all() and jobs["Job ID"].is_unique
    assert leads["Notes"].str.contains(",").sum() > 100  # quoted fields in the CSV
    assert '""' in (SAMPLE_DATA / "leads.csv").read_text()  # a quote inside a quoted field


# ---- planted bad rows -----------------------------------------------------------------------


def test_the_only_rejects_are_the_planned_ones(frames):
    assert len(sample.PLANNED_REJECTS) == 8
    assert rejects(frames) == planned(sample.PLANNED_REJECTS)


def test_planned_bad_values_are_the_documented_ones(frames):
    leads = frames["leads"].set_index("Lead #")
    assert re.fullmatch(r"02/30/\d{4}", leads.loc["L-100025", "Date Submitted"])
    assert re.fullmatch(r"\d{2}/\d{2}/\d{2}", leads.loc["L-100038", "Date Submitted"])
    assert leads.loc["L-100051", "Est. Value"] == "-$500.00"
    outcomes = frames["outcomes"].set_index("Lead ID")
    assert outcomes.loc["L-100090", "Stage"] == "Maybe later"
    assert outcomes.loc["L-100077", "Stage"] == "Closed Won"
    assert outcomes.loc["L-100103", "Stage"] == "Closed Lost"
    payouts = frames["payouts"]
    assert payouts.loc[payouts["Lead ID"] == "L-100168", "Spiff"].tolist()[0] == "n/a"


def test_planned_quality_items_are_present_exactly(frames, leads):
    found = set()
    rows = frames["leads"]["Lead #"]
    found |= {("leads", k, "lead_id") for k in rows[rows.duplicated()]}
    known = set(leads["Lead #"])
    outcome_ids = frames["outcomes"]["Lead ID"]
    found |= {("outcomes", k, "lead_id") for k in outcome_ids[~outcome_ids.isin(known)]}
    early = leads[leads["First Contact Date"] < leads["day"]]
    found |= {("outcomes", k, "contacted_at") for k in early["Lead #"]}
    payout_ids = frames["payouts"]["Lead ID"]
    found |= {("payouts", k, "lead_id") for k in payout_ids[~payout_ids.isin(known)]}
    assert found == planned(sample.PLANNED_QUALITY_ITEMS)
    assert (leads["Close Date"] < leads["day"]).sum() == 0
    assert leads["Technician ID"].isin(frames["techs"]["Employee ID"]).all()
    reentered = frames["leads"][frames["leads"]["Lead #"] == "L-100064"]
    assert reentered.index[1] == len(frames["leads"]) - 1  # the re-entry is the last row
    first, last = reentered["Est. Value"].str.replace(r"[$,]", "", regex=True).astype(float)
    assert first == 10 * last


def test_possible_duplicates_and_unknown_types_are_the_planted_ones(leads):
    ordered = leads.sort_values(["Customer ID", "kind", "day"])
    same = (ordered["Customer ID"].eq(ordered["Customer ID"].shift())
            & ordered["kind"].eq(ordered["kind"].shift())
            & ((ordered["day"] - ordered["day"].shift()).dt.days <= 30))
    pairs = list(zip(ordered["Lead #"].shift()[same], ordered["Lead #"][same], strict=True))
    assert sorted(pairs) == sorted(sample.POSSIBLE_DUPLICATES)
    unknown = leads.loc[leads["kind"].isna(), ["Lead #", "Opportunity Type"]]
    assert unknown["Lead #"].tolist() == sample.UNKNOWN_TYPE_LEADS
    assert set(unknown["Opportunity Type"]) == {"Referral"}


def test_without_bad_rows_nothing_is_rejected(tmp_path):
    sample.generate(tmp_path, bad_rows=False)
    frames = read_all(tmp_path)
    assert rejects(frames) == set()
    assert frames["leads"]["Lead #"].is_unique
    assert frames["outcomes"]["Lead ID"].isin(frames["leads"]["Lead #"]).all()
    assert frames["payouts"]["Lead ID"].isin(frames["leads"]["Lead #"]).all()


def test_bad_rows_need_enough_leads(tmp_path):
    with pytest.raises(ValueError, match="bad_rows needs at least"):
        sample.generate(tmp_path, techs=2, months=2)
    paths = sample.generate(tmp_path, techs=2, months=2, bad_rows=False)
    assert len(read_text(paths["techs"])) == 2


# ---- the story ------------------------------------------------------------------------------


def test_company_shape(frames, leads):
    techs = frames["techs"]
    assert techs["Branch"].nunique() == 4
    assert techs["Region"].nunique() == 2
    assert techs.groupby("Branch")["Manager"].nunique().eq(1).all()
    assert techs["Manager"].nunique() == 4
    assert 35 <= len(techs) <= 45
    assert 2 <= (techs["Status"] == "Inactive").sum() <= 5
    assert leads["Assigned Rep"].replace("", None).nunique() == 8
    assert frames["outcomes"]["Sales Rep"].nunique() == 8
    assert 0.02 <= (leads["Business Unit"] == "").mean() <= 0.05


def test_period_is_24_months_ending_with_end_month(frames, leads):
    months = leads["day"].dt.to_period("M")
    assert months.nunique() == 24
    assert str(months.min()) == "2024-11" and str(months.max()) == "2026-10"
    assert frames["jobs"]["month"].nunique() == 24
    assert frames["jobs"]["day"].max() <= END + pd.Timedelta(days=1)


def test_lead_volume_is_4_to_10_a_month_and_skewed(frames, leads):
    tech_months = frames["jobs"][["Technician ID", "month"]].drop_duplicates()
    per_month = len(leads) / len(tech_months)
    assert 4 <= per_month <= 10
    counts = leads.groupby("Technician ID").size().sort_values(ascending=False)
    top = counts.iloc[: int(np.ceil(len(counts) / 5))].sum() / counts.sum()
    assert 0.33 <= top <= 0.47
    by_month = leads.groupby(leads["day"].dt.month).size()
    assert by_month.loc[[6, 7, 8]].sum() > by_month.loc[[12, 1, 2]].sum()  # summer season


def test_hires_and_the_leaver(frames, leads):
    techs = frames["techs"].set_index("Employee ID")
    hired = pd.to_datetime(techs["Hire Date"], format="%Y-%m-%d")
    first = leads.groupby("Technician ID")["day"].min()
    assert (first >= hired.reindex(first.index)).all()
    assert ((hired > pd.Timestamp("2024-11-01")) & first.reindex(hired.index).notna()).sum() >= 2
    jobs = frames["jobs"]
    first_job = jobs.groupby("Technician ID")["day"].min()
    last_job = jobs.groupby("Technician ID")["day"].max()
    assert (first_job.dt.normalize() >= hired.reindex(first_job.index)).all()
    active = techs.index[techs["Status"] == "Active"]
    assert (last_job.reindex(active) >= pd.Timestamp("2026-10-20")).all()
    inactive = techs.index[techs["Status"] == "Inactive"]
    leaver = last_job.reindex(inactive).dropna()  # one left during the period, the rest before
    assert len(leaver) == 1
    assert leaver.iloc[0] < pd.Timestamp("2026-05-01")
    assert first_job[leaver.index[0]] < pd.Timestamp("2024-11-08")
    last_lead = leads.loc[leads["Technician ID"] == leaver.index[0], "day"].max()
    assert last_lead <= leaver.iloc[0].normalize() + pd.Timedelta(days=1)  # typed in next day


def test_lead_types_words_and_values(leads):
    kinds = leads["kind"].value_counts(normalize=True)
    assert set(kinds.index) == set(contract.LEAD_TYPES) - {"other"}
    assert (kinds >= 0.05).all()
    values = leads.loc[leads["Est. Value"] != "", ["kind", "Est. Value"]]
    dollars = values["Est. Value"].str.replace(r"[$,]", "", regex=True).astype(float)
    low = values["kind"].map({"upgrade": 1000, "new_equipment": 8000, "additional_site": 8000,
                              "service_agreement": 1000}).fillna(1000)
    high = values["kind"].map({"upgrade": 3000, "new_equipment": 15000, "additional_site": 15000,
                               "service_agreement": 4000}).fillna(10000)
    assert dollars.between(low, high).all()
    assert 0.02 <= (leads["Est. Value"] == "").mean() <= 0.06


def test_conversion_of_matured_leads(leads):
    matured = leads[leads["day"] < MATURED_BEFORE]
    won = matured["status"] == "won"
    assert 0.55 <= won.mean() <= 0.80
    by_kind = won.groupby(matured["kind"]).mean()
    assert by_kind.max() - by_kind.min() >= 0.10
    by_tech = won.groupby(matured["Technician ID"]).agg(["mean", "size"])
    spread = by_tech.loc[by_tech["size"] >= 50, "mean"]
    assert spread.max() - spread.min() >= 0.15
    assert (~matured["status"].isin(["won", "lost"])).mean() < 0.05


def test_recent_leads_are_still_open(leads):
    recent = leads[leads["day"] >= pd.Timestamp("2026-09-01")]
    assert (~recent["status"].isin(["won", "lost"])).mean() > 0.4
    last_month = leads[leads["day"] >= pd.Timestamp("2026-10-01")]
    assert (~last_month["status"].isin(["won", "lost"])).mean() > 0.6
    assert leads["status"].isna().sum() > 20  # never touched by the CRM: no outcome row


def test_leads_nobody_contacted_are_closed_after_90_days(leads):
    """The CRM closes a lead nobody contacted 90 days after submission: only recent ones wait."""
    end = pd.Timestamp("2026-10-31")
    uncontacted = leads["First Contact Date"].isna() & ~leads["status"].isin(["won", "lost"])
    waiting_days = (end - leads.loc[uncontacted, "day"]).dt.days
    assert len(waiting_days) > 0 and waiting_days.max() < sample.STALE_CLOSE_DAYS
    stale = leads[leads["Lost Reason"] == sample.STALE_REASON]
    assert len(stale) > 100 and stale["First Contact Date"].isna().all()
    assert ((stale["Close Date"] - stale["day"]).dt.days == sample.STALE_CLOSE_DAYS).all()


def test_follow_up_speed(leads):
    old = leads[leads["day"] <= END - pd.Timedelta(days=7)]
    delay = (old["First Contact Date"] - old["day"]).dt.days
    late = delay.isna() | (delay > 7)
    assert 0.10 <= late.mean() <= 0.15
    assert delay.between(1, 5).mean() >= 0.80
    by_rep = late.groupby(old["Sales Rep"]).mean()
    assert by_rep.max() - by_rep.min() >= 0.08
    never = old[old["day"] < MATURED_BEFORE]
    assert 0.02 <= never["First Contact Date"].isna().mean() <= 0.06  # some never contacted


def test_revenue_margin_and_losses(leads):
    won = leads[(leads["status"] == "won") & leads["Closed Won Amount"].notna()]
    estimate = won["Est. Value"].str.replace(r"[$,]", "", regex=True).replace("", None)
    ratio = won["Closed Won Amount"] / estimate.astype(float)
    assert ratio.dropna().between(0.79, 1.26).all()
    margin = won["Gross Profit"] / won["Closed Won Amount"]
    assert margin.between(0.249, 0.401).all()
    equipment = won.loc[won["kind"] == "new_equipment", "Closed Won Amount"]
    assert 8000 <= equipment.median() <= 15000
    assert 1000 <= won.loc[won["kind"] == "upgrade", "Closed Won Amount"].median() <= 3000
    weeks = (won["Close Date"] - won["First Contact Date"]).dt.days
    assert weeks.between(7, 56).all()
    lost = leads[leads["status"] == "lost"]
    reasons = set(lost["Lost Reason"].dropna())
    assert {"Price", "Went with competitor", "No budget", "Timing", "No response",
            "Chose to repair"} <= reasons
    assert lost["Lost Reason"].notna().all()
    assert lost["Close Date"].notna().sum() == len(lost) - 1  # the planted one has none


# The planted payroll mistakes of the committed sample (docs/rewards.md): kind -> lead number.
PLANTED_MISTAKES = {"unpaid": 404, "paid_twice": 400, "underpaid": 401, "paid_to_other_tech": 407}


def test_payroll_mistakes_are_the_documented_ones(tmp_path):
    assert sample.MISTAKES_FROM == 400  # the first leads from 400 on that fit each mistake
    text = (SAMPLE_DATA / "README.md").read_text()
    for kind, number in PLANTED_MISTAKES.items():
        assert sample._lead_key(number) in text, kind


def test_payouts_follow_the_reward_rules(frames, leads):
    payouts = frames["payouts"]
    paid = pd.to_datetime(payouts["Pay Date"], format="%Y-%m-%d")
    assert (paid.dt.day == 15).all() and paid.max() <= END
    amount = pd.to_numeric(payouts["Spiff"], errors="coerce")
    submitted = payouts[payouts["Reason"] == "Lead submitted"]
    due = leads[leads["day"] < pd.Timestamp("2026-10-01")]
    planted = {kind: sample._lead_key(n) for kind, n in PLANTED_MISTAKES.items()}
    assert sorted(submitted["Lead ID"]) == sorted(
        [*due["Lead #"][due["Lead #"] != planted["unpaid"]], "L-10181"])
    due = due[due["Lead #"] != planted["unpaid"]]
    assert set(submitted["Spiff"]) == {"25.00", "n/a"}
    expected_day = (due["day"].dt.to_period("M") + 1).dt.start_time + pd.Timedelta(days=14)
    got_day = submitted.drop_duplicates("Lead ID").set_index("Lead ID")["Pay Date"]
    assert (got_day.loc[due["Lead #"]].to_numpy() == expected_day.dt.strftime("%Y-%m-%d")).all()
    won = leads[(leads["status"] == "won") & (leads["Close Date"] < pd.Timestamp("2026-10-01"))
                & leads["Closed Won Amount"].notna()].set_index("Lead #")
    win_rows = payouts[payouts["Reason"] == "Lead won"]
    assert win_rows["Lead ID"].value_counts().loc[planted["paid_twice"]] == 2
    win_rows = win_rows.drop_duplicates("Lead ID").set_index("Lead ID")
    spiff = win_rows.loc[won.index, "Spiff"].astype(float)
    expected = 100 + np.floor(won["Closed Won Amount"] + 0.5) / 100  # 1 %, halves rounded up
    short = won.index == planted["underpaid"]
    assert np.allclose(spiff[~short], expected[~short], atol=1e-9)
    assert spiff[short].tolist() == [100.0]  # the planted mistake: the 1 % forgotten
    tech_of = leads.set_index("Lead #")["Technician ID"]
    other = payouts[payouts["Employee ID"].to_numpy()
                    != tech_of.reindex(payouts["Lead ID"]).fillna("").to_numpy()]
    assert other["Lead ID"].tolist() == ["L-10181", planted["paid_to_other_tech"]]
    clawback = amount < 0
    assert 0.02 <= clawback.mean() <= 0.03
    claws = payouts[clawback]
    assert set(claws["Reason"]) == {"Clawback - duplicate lead", "Clawback - cancelled order"}
    earlier = payouts[~clawback].assign(paid=paid, amount=amount)
    matched = claws.assign(paid=paid, amount=-amount).merge(
        earlier, on=["Lead ID", "amount"], suffixes=("", "_first"))
    assert len(matched) == len(claws) and (matched["paid_first"] < matched["paid"]).all()


def test_jobs_and_lead_jobs(frames, leads):
    jobs = frames["jobs"]
    per_month = jobs.groupby(["Technician ID", "month"]).size()
    assert 80 <= per_month.mean() <= 100
    with_job = leads[leads["Job #"] != ""]
    # the reward farmer's junk leads (closed lost as not real) have no job behind them
    junk = leads["Lost Reason"].isin(sample.NOT_REAL_REASONS)
    assert (leads.loc[junk, "Job #"] == "").all() and junk.sum() > 100
    assert leads.loc[junk, "Technician ID"].nunique() == 1
    assert 0.95 <= len(with_job) / len(leads[~junk]) <= 0.99
    job = jobs.set_index("Job ID").loc[with_job["Job #"]]
    assert (job["Technician ID"].to_numpy() == with_job["Technician ID"].to_numpy()).all()
    assert (job["month"].to_numpy() == with_job["day"].dt.to_period("M").to_numpy()).all()
    assert (job["day"].dt.normalize().to_numpy() <= with_job["day"].to_numpy()).all()


def test_monthly_meeting_attendance(frames):
    attendance = frames["attendance"]
    day = pd.to_datetime(attendance["Meeting Date"], format="%Y-%m-%d")
    assert day.nunique() == 24
    assert (day.dt.day_of_week == 1).all() and day.dt.day.between(8, 14).all()  # second Tuesday
    assert set(attendance["Role"]) == {"tech", "sales"}
    assert (attendance[attendance["Role"] == "sales"].groupby("Meeting Date").size() == 8).all()
    techs = attendance.loc[attendance["Role"] == "tech", "Person ID"]
    assert techs.isin(frames["techs"]["Employee ID"]).all()
    assert 0.70 <= (attendance["Attended"] == "Y").mean() <= 0.95
    assert not attendance.duplicated(["Meeting Date", "Person ID"]).any()


# ---- scale and formats ----------------------------------------------------------------------


def test_a_bigger_run_scales_and_can_write_outcomes_as_csv(frames, tmp_path, monkeypatch):
    xlsx = sample.generate(tmp_path / "xlsx", techs=200, months=12)
    assert xlsx["outcomes"].suffix == ".xlsx"
    monkeypatch.setattr(sample, "XLSX_MAX_LEADS", 1000)
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "outcomes.xlsx").write_bytes(b"stale")
    paths = sample.generate(tmp_path / "csv", techs=200, months=12)
    assert paths["outcomes"].name == "outcomes.csv"
    assert not (tmp_path / "csv" / "outcomes.xlsx").exists()
    big = read_all(tmp_path / "csv")
    pd.testing.assert_frame_equal(big["outcomes"], read_all(tmp_path / "xlsx")["outcomes"])
    assert read_text(paths["outcomes"])["First Contact Date"].str.fullmatch(
        r"(\d{4}-\d{2}-\d{2})?").all()
    assert len(big["techs"]) == 200
    assert big["techs"]["Employee ID"].str.fullmatch(r"\d{4}").all()
    months = big["jobs"]["month"]
    assert months.nunique() == 12 and str(months.max()) == "2026-10"
    scale = 200 * 12 / (40 * 24)  # tech-months, relative to the default run
    for table in ("leads", "outcomes", "payouts", "jobs", "attendance"):
        ratio = len(big[table]) / len(frames[table]) / scale
        assert 0.8 <= ratio <= 1.25, (table, ratio)
    assert rejects(big) == planned(sample.PLANNED_REJECTS)

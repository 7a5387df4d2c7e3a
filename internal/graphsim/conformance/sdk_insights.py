"""Insights the way reporting pipelines ask for them: breakdowns, action
breakdowns, attribution windows, time ranges, summaries, levels, and a
day-by-day async report checked against graphsim's ground truth."""
import json
import urllib.request
from decimal import Decimal

from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.exceptions import FacebookRequestError

from checks import check

RANGE = {"since": "2026-11-20", "until": "2026-11-27"}
MONEY = Decimal("0.01")


def cents(s):
    return int(Decimal(s) / MONEY)


def action(row, field, typ):
    """The total of one action type in a list, across action breakdowns."""
    return sum(cents(e["value"]) if "." in e["value"] else int(e["value"])
               for e in row.get(field, []) if e["action_type"] == typ)


def rows(cursor):
    return [r.export_all_data() for r in cursor]


def totals(rs, key=lambda r: ()):
    out = {}
    for r in rs:
        t = out.setdefault(key(r), [0, 0, 0, 0])
        t[0] += cents(r["spend"])
        t[1] += int(r["impressions"])
        t[2] += action(r, "actions", "purchase")
        t[3] += action(r, "action_values", "purchase")
    return out


def check_breakdowns(account):
    """Breakdown rows sum to the unbroken rows; [] means none; a forbidden
    combination fails the way the API says; action breakdowns and windows
    shape the actions; time_ranges, summaries and levels agree."""
    fields = ["ad_id", "spend", "impressions", "actions", "action_values"]
    base = {"level": "ad", "time_range": RANGE, "limit": 500}
    plain = rows(account.get_insights(fields=fields, params=base))
    check(rows(account.get_insights(fields=fields, params=dict(base, breakdowns=[], action_breakdowns=[]))) == plain,
          "breakdowns=[] changed the rows")
    by_ad = totals(plain, lambda r: r["ad_id"])
    for combo in (["age", "gender"], ["publisher_platform", "platform_position"], ["country"], ["device_platform"]):
        got = totals(rows(account.get_insights(fields=fields, params=dict(base, breakdowns=combo))), lambda r: r["ad_id"])
        check(got == by_ad, "breakdowns %s do not sum to the unbroken rows" % combo)
    try:
        rows(account.get_insights(fields=fields, params=dict(base, breakdowns=["age", "country"])))
        check(False, "age with country did not fail")
    except FacebookRequestError as e:
        check(e.api_error_code() == 100 and "Current combination of data breakdown columns" in e.api_error_message(),
              "forbidden combination answered %s" % e.api_error_message())

    split = rows(account.get_insights(fields=fields, params=dict(
        base, action_breakdowns=["action_type", "action_device"], action_attribution_windows=["1d_click", "7d_click", "1d_view"])))
    check(totals(split, lambda r: r["ad_id"]) == by_ad, "action breakdowns changed the action totals")
    windows = [e for r in split for e in r.get("actions", []) if e["action_type"] == "purchase"]
    check(windows and all("action_device" in e and int(e["7d_click"]) + int(e["1d_view"]) == int(e["value"]) for e in windows),
          "purchase entries lack action_device or windows that add up")

    weeks = [{"since": "2026-11-06", "until": "2026-11-12"}, {"since": "2026-11-13", "until": "2026-11-19"}]
    ranged = rows(account.get_insights(fields=fields, params={"level": "account", "time_ranges": weeks}))
    for w, r in zip(weeks, ranged):
        one = rows(account.get_insights(fields=fields, params={"level": "account", "time_range": w}))
        check([r] == one and r["date_start"] == w["since"], "time_ranges row %s differs from its time_range" % w)

    cursor = account.get_insights(fields=fields, params=dict(base, default_summary=True, limit=5))
    first = next(iter(cursor))
    summary = json.loads(cursor.summary().split(" ", 1)[1])
    check(first and cents(summary["spend"]) == sum(t[0] for t in by_ad.values()), "default_summary is not the sum of the rows")

    levels = {}
    for level in ("ad", "adset", "campaign", "account"):
        levels[level] = totals(rows(account.get_insights(fields=fields[1:], params=dict(base, level=level))))[()]
    check(len(set(map(tuple, levels.values()))) == 1, "levels disagree: %s" % levels)
    return len(split)


def truth(base_url, since, until, breakdowns):
    url = "%s/_sim/truth?since=%s&until=%s&daily=true&breakdowns=%s" % (base_url, since, until, ",".join(breakdowns))
    with urllib.request.urlopen(url) as resp:
        return json.load(resp)["rows"]


def check_async_daily_breakdowns(accounts, base_url):
    """A day-by-day async report with breakdowns and action breakdowns, run
    for every account of the brand, totals /_sim/truth cell by cell."""
    # action_device joins placement breakdowns only (the API's table).
    combo = ["publisher_platform", "impression_device"]
    params = {"level": "ad", "time_range": RANGE, "time_increment": 1, "breakdowns": combo,
              "action_breakdowns": ["action_type", "action_device"]}
    got = {}
    n = 0
    for account in accounts:
        job = account.get_insights_async(fields=["ad_id", "spend", "impressions", "actions", "action_values"], params=params)
        for _ in range(20):
            job = job.api_get()
            if job[AdReportRun.Field.async_status] == "Job Completed":
                break
        check(job[AdReportRun.Field.async_status] == "Job Completed", "async report never completed")
        result = rows(job.get_result(params={"limit": 500}))
        n += len(result)
        for k, t in totals(result, lambda r: (r["date_start"],) + tuple(r[d] for d in combo)).items():
            g = got.setdefault(k, [0, 0, 0, 0])
            for i, v in enumerate(t):
                g[i] += v
    want = {}
    for r in truth(base_url, RANGE["since"], RANGE["until"], combo):
        b = r["breakdowns"]
        want[(r["date"],) + tuple(b[d] for d in combo)] = [r["total_spend_micros"] // 10_000, r["total_impressions"],
                                                    r["total_orders"], r["total_revenue_micros"] // 10_000]
    check(got == want, "async daily breakdown totals differ from /_sim/truth in %d of %d cells"
          % (sum(1 for k in want if got.get(k) != want[k]), len(want)))
    return n

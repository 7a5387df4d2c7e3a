#!/usr/bin/env python3
"""Drive graphsim with Meta's official Python SDK (facebook-business) unmodified.

Usage: sdk_conformance.py [--base-url URL] [--token TOKEN]
(or GRAPHSIM_URL / GRAPHSIM_TOKEN). Without a token the demo brand's token is
read from GET /_sim/brands. Exit status 0 means every check passed; the last
line of output is a JSON summary.
"""
import argparse
import json
import os
import sys
import urllib.request
import warnings

from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.user import User
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from checks import Failed, check
from sdk_edges import check_hierarchy, check_library
from sdk_fields import check_declared_fields
from sdk_insights import check_async_daily_breakdowns, check_breakdowns

# Not graphsim's default version, so the Facebook-Api-Version check shows
# the header echoes what the client asked for.
API_VERSION = "v24.0"
ALL_STATUSES = [
    "ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "CAMPAIGN_PAUSED", "ADSET_PAUSED",
    "DISAPPROVED", "WITH_ISSUES", "PENDING_REVIEW", "IN_PROCESS",
    "PENDING_BILLING_INFO", "PREAPPROVED",
]
CREATIVE = ("creative{id,name,object_type,thumbnail_url,image_url,video_id,"
            "object_story_spec,asset_feed_spec}")
INSIGHT_FIELDS = ["ad_id", "date_start", "date_stop", "spend", "impressions",
                  "clicks", "reach", "actions", "action_values", "purchase_roas"]
TIME_RANGE = {"since": "2026-11-01", "until": "2026-11-27"}


# The SDK's client-side field list does not know expansions like creative{...}
# and warns about them; the Graph API (and graphsim) accept them. It also
# warns about parameters its type tables do not list (filtering, summary).
warnings.filterwarnings("ignore", message=r".* does not allow field ")
warnings.filterwarnings("ignore", message=r"value of .* might not be compatible")


def demo_token(base):
    with urllib.request.urlopen(base + "/_sim/brands") as resp:
        return json.load(resp)[0]["access_token"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", default=os.environ.get("GRAPHSIM_URL", "http://127.0.0.1:8081"))
    p.add_argument("--token", default=os.environ.get("GRAPHSIM_TOKEN"))
    args = p.parse_args()
    base = args.base_url.rstrip("/")
    token = args.token or demo_token(base)

    # The SDK builds every URL from this class constant; pointing it at
    # graphsim is the only change a real client needs.
    FacebookSession.GRAPH = base
    api = FacebookAdsApi.init(access_token=token, api_version=API_VERSION, crash_log=False)
    summary = {}

    # me/adaccounts with cursor paging.
    accounts = list(User(fbid="me").get_ad_accounts(fields=["id", "name", "currency", "business"]))
    check(accounts and all(a["id"].startswith("act_") for a in accounts), "me/adaccounts returned no act_ ids")
    account = AdAccount(accounts[0]["id"])
    summary["accounts"] = len(accounts)

    # Paging with cursors and field expansion: iterate every ad in pages of 7.
    cursor = account.get_ads(
        fields=["id", "name", "effective_status", "updated_time", CREATIVE],
        params={"limit": 7, "effective_status": ALL_STATUSES, "summary": True},
    )
    ads = list(cursor)
    ids = [a["id"] for a in ads]
    check(len(ids) == len(set(ids)), "paging repeated an ad")
    check(len(ids) == cursor.total(), "paged %d ads, summary.total_count %d" % (len(ids), cursor.total()))
    check(len(ids) > 7, "need more than one page of ads, got %d" % len(ids))
    kinds = {}
    video_id = None
    for a in ads:
        c = a["creative"]
        check(c.get("id"), "creative expansion missing id on ad %s" % a["id"])
        if c.get("video_id"):
            kind = "video"
            video_id = video_id or c["video_id"]
        elif (c.get("object_story_spec") or {}).get("link_data", {}).get("child_attachments"):
            kind = "carousel"
        elif c.get("image_url"):
            kind = "image"
        else:
            kind = "unknown"
        kinds[kind] = kinds.get(kind, 0) + 1
    summary["ads"] = len(ids)
    summary["creative_kinds"] = kinds

    # Batch: one request carrying several GETs.
    batch = api.new_batch()
    got = {}
    errors = []
    for ad_id in ids[:10]:
        Ad(ad_id).api_get(
            fields=["id", "name", "effective_status"], batch=batch,
            success=lambda r: got.__setitem__(r.json()["id"], r.json()),
            failure=lambda r: errors.append(r.error()),
        )
    check(batch.execute() is None, "batch reported failed calls")
    check(not errors and sorted(got) == sorted(ids[:10]), "batch answered %d of 10, errors %s" % (len(got), errors))
    summary["batch"] = len(got)

    # ids lookup.
    objs = Ad.get_by_ids(ids=ids[:20], fields=["id", "name", CREATIVE])
    check(sorted(o["id"] for o in objs) == sorted(ids[:20]), "ids lookup returned other objects")
    check(all(o["creative"]["id"] for o in objs), "ids lookup lost the creative expansion")
    summary["ids"] = len(objs)

    # Async insights: start, poll until complete, page the result.
    params = {"level": "ad", "time_range": TIME_RANGE}
    job = account.get_insights_async(fields=INSIGHT_FIELDS, params=params)
    polls = 0
    while True:
        job = job.api_get()
        polls += 1
        status = job[AdReportRun.Field.async_status]
        if status == "Job Completed":
            break
        check(status in ("Job Not Started", "Job Started", "Job Running"), "async status %s" % status)
        check(polls < 20, "report run never completed")
    async_rows = [dict(r) for r in job.get_result(params={"limit": 25})]
    sync_rows = [dict(r) for r in account.get_insights(fields=INSIGHT_FIELDS, params=dict(params, limit=100))]
    check(async_rows and async_rows == sync_rows,
          "async result (%d rows) differs from sync insights (%d rows)" % (len(async_rows), len(sync_rows)))
    for r in sync_rows:
        check(isinstance(r["spend"], str) and isinstance(r["impressions"], str), "insight numbers must be strings")
    summary["async_polls"] = polls
    summary["insight_rows"] = len(sync_rows)

    # Sorted insights: the SDK sends sort as a JSON list; paging a sorted
    # result in pages of 7 yields every row once, biggest spend first, and an
    # async run keeps the sort.
    sort_params = dict(params, sort=["spend_descending"], limit=7)
    sorted_rows = [dict(r) for r in account.get_insights(fields=INSIGHT_FIELDS, params=sort_params)]
    spends = [float(r["spend"]) for r in sorted_rows]
    check(spends == sorted(spends, reverse=True), "sorted insights not in descending spend order")
    check(sorted(r["ad_id"] for r in sorted_rows) == sorted(r["ad_id"] for r in sync_rows),
          "sorted insights (%d rows) hold other ads than unsorted (%d rows)" % (len(sorted_rows), len(sync_rows)))
    job = account.get_insights_async(fields=INSIGHT_FIELDS, params=dict(params, sort=["spend_descending"]))
    for _ in range(20):
        job = job.api_get()
        if job[AdReportRun.Field.async_status] == "Job Completed":
            break
    check([dict(r) for r in job.get_result(params={"limit": 9})] == sorted_rows, "async sorted result differs from sync")
    summary["sorted_rows"] = len(sorted_rows)

    # Errors parse into FacebookRequestError with the Graph code.
    try:
        account.get_ads(fields=["id", "no_such_field"]).load_next_page()
        raise Failed("unknown field did not fail")
    except FacebookRequestError as e:
        check(e.api_error_code() == 100 and e.api_error_type() == "OAuthException", "error parsed as %s" % e)
    summary["errors"] = "ok"

    # Every declared field of every class, asked for at once on its edges.
    business_id = accounts[0]["business"]["id"]
    summary["declared_fields"] = check_declared_fields(account, video_id, business_id)
    summary["breakdown_rows"] = check_breakdowns(account)
    summary["async_daily_breakdown_rows"] = check_async_daily_breakdowns(
        [AdAccount(a["id"]) for a in accounts], base)
    summary["hierarchy"] = check_hierarchy(account, API_VERSION)
    summary["library"] = check_library(account, business_id)

    print(json.dumps({"ok": True, **summary}))


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print(json.dumps({"ok": False, "error": str(e)}))
        sys.exit(1)

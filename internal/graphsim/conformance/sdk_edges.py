"""The account's edges through the SDK: the campaign → ad set → ad hierarchy
agrees with itself, the lists filter and count, and the media, audience,
people and activity edges answer."""
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.advideo import AdVideo
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.user import User

from checks import check
from sdk_fields import enum_values


def check_hierarchy(account, api_version):
    every_campaign = enum_values(Campaign.EffectiveStatus)
    cursor = account.get_campaigns(fields=["id", "name", "objective", "effective_status"],
                                   params={"effective_status": every_campaign, "limit": 3, "summary": True})
    campaigns = {c["id"]: c for c in cursor}
    check(len(campaigns) == cursor.total(), "campaigns: paged %d, total_count %d" % (len(campaigns), cursor.total()))
    check(cursor.headers().get("Facebook-Api-Version") == api_version,
          "Facebook-Api-Version %s, asked for %s" % (cursor.headers().get("Facebook-Api-Version"), api_version))
    adsets = {s["id"]: s for s in account.get_ad_sets(fields=["id", "campaign_id", "effective_status", "targeting"],
                                                      params={"effective_status": enum_values(AdSet.EffectiveStatus), "limit": 7})}
    ads = list(account.get_ads(fields=["id", "adset_id", "campaign_id", "effective_status"], params={"limit": 25}))
    for a in ads:
        s = adsets.get(a["adset_id"])
        check(s is not None and a["campaign_id"] in campaigns and s["campaign_id"] == a["campaign_id"],
              "ad %s: ad set %s or campaign %s not listed, or not its campaign's" % (a["id"], a["adset_id"], a["campaign_id"]))
    objective = next(iter(campaigns.values()))["objective"]
    same = list(account.get_campaigns(fields=["objective"], params={
        "effective_status": every_campaign,
        "filtering": [{"field": "campaign.objective", "operator": "EQUAL", "value": objective}]}))
    check(same and all(c["objective"] == objective for c in same)
          and len(same) == sum(1 for c in campaigns.values() if c["objective"] == objective),
          "filtering on objective %s" % objective)
    return {"campaigns": len(campaigns), "adsets": len(adsets), "ads": len(ads)}


def check_library(account, business_id):
    videos = list(account.get_ad_videos(fields=["id", "source", "picture", "length"], params={"limit": 10}))
    creatives = list(account.get_ad_creatives(fields=["video_id", "image_hash"], params={"limit": 100}))
    check({v["id"] for v in videos} == {c["video_id"] for c in creatives if "video_id" in c},
          "advideos differ from the creatives' videos")
    hashes = {c["image_hash"] for c in creatives if "image_hash" in c}
    images = list(account.get_ad_images(fields=["hash", "url"], params={"hashes": sorted(hashes)[:3]}))
    check(len(images) == min(3, len(hashes)) and {i["hash"] for i in images} <= hashes, "adimages by hashes")
    thumbs = list(AdVideo(videos[0]["id"]).get_thumbnails(fields=["uri", "is_preferred"]))
    check(len(thumbs) == 3 and thumbs[0]["is_preferred"] and thumbs[0]["uri"] == videos[0]["picture"],
          "thumbnails of video %s" % videos[0]["id"])
    convs = list(account.get_custom_conversions(fields=["name", "pixel"]))
    audiences = list(account.get_custom_audiences(fields=["name", "subtype"], params={
        "filtering": [{"field": "subtype", "operator": "EQUAL", "value": "WEBSITE"}]}))
    check(convs and audiences and all(a["subtype"] == "WEBSITE" for a in audiences), "custom conversions or audiences")
    people = list(User(fbid="me").get_business_users(fields=["name", "role"]))
    assigned = list(account.get_assigned_users(fields=["name", "user_type"], params={"business": business_id}))
    check(people and [p["name"] for p in people] == [a["name"] for a in assigned], "business users and assigned users differ")
    acts = list(account.get_activities(fields=["event_time", "event_type", "object_id"], params={"since": "2026-10-01"}))
    check(acts and [a["event_time"] for a in acts] == sorted((a["event_time"] for a in acts), reverse=True),
          "activities are not newest first")
    return {"videos": len(videos), "images": len(images), "audiences": len(audiences), "people": len(people), "activities": len(acts)}

"""Every field the SDK declares, asked for at once on every edge that lists it."""
import importlib.util
import os

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adactivity import AdActivity
from facebook_business.adobjects.adcreative import AdCreative
from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adimage import AdImage
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.advideo import AdVideo
from facebook_business.adobjects.assigneduser import AssignedUser
from facebook_business.adobjects.businessuser import BusinessUser
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.customaudience import CustomAudience
from facebook_business.adobjects.customconversion import CustomConversion
from facebook_business.adobjects.user import User
from facebook_business.adobjects.videothumbnail import VideoThumbnail

from checks import check


def _generator():
    """The field-table generator, whose rule tells readable fields from the
    create-only parameters the SDK lists with them."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen", "fields.py")
    spec = importlib.util.spec_from_file_location("graphsim_fields", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def readable(cls):
    fields, _ = _generator().split_params(cls.__name__, cls)
    return fields


_SCALARS = {"string": str, "int": int, "unsigned int": int, "float": (int, float), "bool": bool}


def _typed(typ, value):
    """Whether value has the shape of the SDK type string typ."""
    if typ in _SCALARS:
        return isinstance(value, _SCALARS[typ]) and not (typ != "bool" and isinstance(value, bool))
    if typ.startswith("list<"):
        return isinstance(value, list)
    if typ.startswith("map") or typ == "Object":
        return isinstance(value, (dict, list, str))
    if typ == "datetime":
        return isinstance(value, str) and "T" in value
    return isinstance(value, (dict, str))  # a struct, a node, or an enum's name


def check_objects(cls, objs, absent=()):
    """Every readable field of cls comes back on some object, with its
    declared shape; returns how many objects were read."""
    objs = [o.export_all_data() if hasattr(o, "export_all_data") else o for o in objs]
    check(len(objs) >= 2, "%s: %d objects, want several" % (cls.__name__, len(objs)))
    for f in readable(cls):
        values = [o[f] for o in objs if f in o]
        if not values:
            check(f in absent, "%s.%s: no object of %d has it" % (cls.__name__, f, len(objs)))
            continue
        typ = cls._field_types[f]
        bad = [v for v in values if not _typed(typ, v)]
        check(not bad, "%s.%s (declared %s): %r" % (cls.__name__, f, typ, bad[:1]))
    return len(objs)


def enum_values(enum):
    return [v for k, v in vars(enum).items() if not k.startswith("__")]


def check_declared_fields(account, video_id, business_id):
    """Pages every edge with every declared field of its class at once."""
    every_ad = enum_values(Ad.EffectiveStatus)
    limit = {"limit": 50}
    read = {}
    cases = [
        (Ad, lambda f: account.get_ads(fields=f, params=dict(limit, effective_status=every_ad)), ()),
        (AdCreative, lambda f: account.get_ad_creatives(fields=f, params=limit), ()),
        (Campaign, lambda f: account.get_campaigns(fields=f, params=dict(limit, effective_status=enum_values(Campaign.EffectiveStatus))), ()),
        (AdSet, lambda f: account.get_ad_sets(fields=f, params=dict(limit, effective_status=enum_values(AdSet.EffectiveStatus))), ()),
        (AdAccount, lambda f: User(fbid="me").get_ad_accounts(fields=f), ()),
        (AdVideo, lambda f: account.get_ad_videos(fields=f, params=limit), ()),
        (AdImage, lambda f: account.get_ad_images(fields=f, params=limit), ()),
        (AdsInsights, lambda f: account.get_insights(fields=f, params={"level": "ad", "time_increment": 7, "limit": 100,
                                                                          "time_range": {"since": "2026-11-01", "until": "2026-11-27"}}),
         ("adset_end",)),
        (CustomConversion, lambda f: account.get_custom_conversions(fields=f), ()),
        (CustomAudience, lambda f: account.get_custom_audiences(fields=f), ()),
        (AdActivity, lambda f: account.get_activities(fields=f, params={"since": "2026-10-01"}), ()),
        (BusinessUser, lambda f: User(fbid="me").get_business_users(fields=f), ()),
        (AssignedUser, lambda f: account.get_assigned_users(fields=f, params={"business": business_id}), ()),
        (VideoThumbnail, lambda f: AdVideo(video_id).get_thumbnails(fields=f), ()),
    ]
    for cls, edge, absent in cases:
        read[cls.__name__] = check_objects(cls, list(edge(readable(cls))), absent)
    return read

"""What every conformance check shares."""


class Failed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failed(msg)

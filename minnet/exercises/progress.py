"""Progress in the working folder: ``.minnet/progress.json``.

Per exercise: started, passed, revealed (the solution shown before a pass)
and how many hint tiers were read. Written after every command that changes
it, so progress survives between sessions (rustlings' progress reset, #729).
"""

import json
import os

PATH = os.path.join(".minnet", "progress.json")


def load(folder="."):
    path = os.path.join(folder, PATH)
    if not os.path.isfile(path):
        return {"exercises": {}}
    with open(path) as handle:
        return json.load(handle)


def save(progress, folder="."):
    path = os.path.join(folder, PATH)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        json.dump(progress, handle, indent=2, sort_keys=True)


def entry(progress, name):
    return progress["exercises"].setdefault(
        name, {"started": False, "passed": False, "revealed": False, "hints": 0})


def status(progress, name):
    """pending, started, passed or revealed (the solution was shown before a pass)."""
    item = progress["exercises"].get(name)
    if item is None:
        return "pending"
    if item["passed"]:
        return "passed"
    return "revealed" if item["revealed"] else "started" if item["started"] else "pending"


def update(name, folder=".", **changes):
    """Set fields of one exercise's entry and save; returns the entry."""
    progress = load(folder)
    item = entry(progress, name)
    item.update(changes)
    save(progress, folder)
    return item

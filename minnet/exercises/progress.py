"""Progress in the working folder: ``.minnet/progress.json``.

Per exercise: started, passed, revealed (the solution shown before a pass)
and how many hint tiers were read. Written after every command that changes
it, so progress survives between sessions (rustlings' progress reset, #729).
"""

from minnet.working_folder import load_state, save_state, state_path

PATH = state_path("progress", folder="")


def load(folder="."):
    return load_state("progress", lambda: {"exercises": {}}, folder)


def save(progress, folder="."):
    save_state("progress", progress, folder)


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


def next_hint(exercise, folder="."):
    """The text of the next hint tier of ``exercise`` (a ``metadata.Exercise``), recorded in
    ``folder``'s progress; the last tier repeats once all three were read."""
    tiers = exercise.hint_tiers()
    used = load(folder)["exercises"].get(exercise.name, {}).get("hints", 0)
    tier = min(used + 1, len(tiers))
    text = f"Hint {tier} of {len(tiers)} for {exercise.name}:\n\n{tiers[tier - 1]}"
    if tier == len(tiers):
        text += (f"\n\nThat was the last hint; `minnet exercise solution {exercise.name} "
                 f"--reveal` shows the reference.")
    update(exercise.name, folder, hints=tier)
    return text

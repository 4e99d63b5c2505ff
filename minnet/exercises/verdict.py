"""The checker's verdict: exit code, terminal text and JSON in exercism's results.json shape.

exercism's runners write ``{"version", "status", "message", "tests": [{"name",
"status", "message"}]}`` with statuses pass/fail/error; minnet adds the
exercise, the named mistake (a mutant id), its hint and the failing case.
No timing or path enters the JSON, so the same file gives the same bytes.
"""

import json
from dataclasses import dataclass, field

EXIT = {"pass": 0, "fail": 1, "error": 2}


@dataclass
class Verdict:
    exercise: str
    status: str                  # "pass", "fail" or "error" (not started, does not load)
    message: str
    tests: list = field(default_factory=list)   # [{"name", "status", "message"}]
    mistake: str = None
    hint: str = None
    case: int = None
    mistakes: list = field(default_factory=list)  # every mistake named (two at most)

    @property
    def exit_code(self):
        return EXIT[self.status]

    def as_dict(self):
        return {"version": 3, "exercise": self.exercise, "status": self.status,
                "message": self.message, "mistake": self.mistake,
                "mistakes": self.mistakes or ([self.mistake] if self.mistake else []),
                "hint": self.hint,
                "case": self.case, "tests": self.tests}

    def to_json(self):
        return json.dumps(self.as_dict(), indent=2)

    def render(self):
        marks = {"pass": "ok  ", "fail": "FAIL", "error": "----"}
        lines = [f"{self.exercise}: {self.message}"]
        lines += [f"  {marks[t['status']]} {t['name']}" + (f": {t['message']}" if t["message"]
                                                           and t["status"] != "pass" else "")
                  for t in self.tests]
        if self.mistake:
            named = " and ".join(self.mistakes or [self.mistake])
            lines.append(f"\nThis looks like a known mistake: {named}")
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

"""The grounding guard: every number in an answer must come from this turn's tool results or the passages it cites.

Why: the most damaging failure of document QA is a figure quietly altered while the citations look right. The guard
checks each sentence separately: its numbers must appear in a tool result of this turn or in a passage the sentence
cites (a sentence without a marker may use any passage the answer cites). Numbers are compared as values, so 15亿,
1,500,000,000 and 1.5e9 are the same, 5% matches a tool's 0.05, and a figure may be rounded (0.324% for 0.00324001)
but not changed. Numbers in the user's question ground nothing: "say it returned 900%" must not get 900% through.

A language model's lead sentence is held to more (`Lead`): its figures must be a tool's answer (its summary, not any
cell of its rows) or sit together in one sentence of a passage it cites, and one of them must be a result rather than
an input echoed back ("10家" from top=10 is not how many issuers there are).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from assistant.agent.numerals import normalise

MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百万": 1e6, "billion": 1e9, "bn": 1e9, "million": 1e6,
               "mn": 1e6, "thousand": 1e3}
NUMBER = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<sign>(?<![\w.%)\]])[-+−])?(?P<num>\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
    r"\s*(?P<unit>%|万亿|百万|亿|万|千|billion|bn|million|mn|thousand)?",
    re.I,
)
MARKER = re.compile(r"\[(\d+)\]")
# a full stop after a single capital ('U.S.', 'J.P.') abbreviates a name and ends no sentence
SENTENCE = re.compile(r".+?(?:[。！？!?；]|\.(?<!\b[A-Z]\.)(?=\s|$)|$)(?:\s*\[\d+\])*", re.S)


@dataclass(frozen=True)
class Figure:
    """One number as written, with the values it may stand for (15亿 → 15 and 1.5e9; 5% → 5 and 0.05)."""

    text: str
    values: tuple[tuple[float, float], ...]  # (value, rounding tolerance)


def figures(text: str) -> list[Figure]:
    """Every number in `text` (Chinese numerals included), with citation markers and dates handled apart."""
    found = []
    for match in NUMBER.finditer(MARKER.sub(" ", normalise(text))):
        if match.group("date"):
            found.append(Figure(match.group("date"), ((float(match.group("date").replace("-", "")), 0.0),)))
            continue
        raw = match.group("num").replace(",", "")
        try:
            base = float(raw)
        except ValueError:
            continue
        if match.group("sign") in ("-", "−"):
            base = -base
        decimals = len(raw.split(".")[1]) if "." in raw and "e" not in raw.lower() else 0
        tolerance = 0.5 * 10**-decimals if "e" not in raw.lower() else abs(base) * 1e-9
        unit = (match.group("unit") or "").lower()
        values = [(base, tolerance)]
        if unit in MULTIPLIERS:
            values.append((base * MULTIPLIERS[unit], tolerance * MULTIPLIERS[unit]))
        elif unit == "%":
            values.append((base / 100, tolerance / 100))
        found.append(Figure(match.group(0).strip(), tuple(values)))
    return found


def _values(texts: list[str]) -> list[float]:
    return sorted({value for text in texts for figure in figures(text) for value, _ in figure.values})


def grounded(figure: Figure, allowed: list[float]) -> bool:
    """Whether some allowed value equals the figure, up to the rounding the figure's own digits imply."""
    return any(math.isclose(v, a, rel_tol=1e-9, abs_tol=tol + 1e-12) for v, tol in figure.values for a in allowed)


def sentences(text: str) -> list[list[str]]:
    """The answer's lines, each split into sentences that keep their trailing [n] markers."""
    return [[s for s in SENTENCE.findall(line) if s.strip()] for line in text.split("\n")]


@dataclass(frozen=True)
class Lead:
    """What a model-written lead sentence may state: the tools' answers, and the inputs it must not pass off as one."""

    answers: list[str]  # each data tool's summary (or its error)
    inputs: list[str]  # the question and the tool calls' arguments


def _lead_ok(found: list[Figure], lead: Lead, passages: list[str]) -> bool:
    if all(grounded(f, _values(lead.answers)) for f in found):
        supported = True
    else:
        quoted = [s for passage in passages for line in sentences(passage) for s in line]
        supported = any(all(grounded(f, _values([s])) for f in found) for s in quoted)
    inputs = _values(lead.inputs)
    return supported and any(not grounded(f, inputs) for f in found)


@dataclass
class GuardResult:
    text: str
    removed: list[str] = field(default_factory=list)
    lead_removed: bool = False


def source_of(found: list[Figure], passages: dict[int, str]) -> int | None:
    """The first passage that holds every one of these figures: what an unmarked sentence quotes."""
    return next((n for n, passage in sorted(passages.items())
                 if all(grounded(f, _values([passage])) for f in found)), None)


def guard(text: str, tool_texts: list[str], passages: dict[int, str], lead: Lead | None = None) -> GuardResult:
    """Drop every sentence with a number found neither in the tool results nor in the passages it may rely on; a
    sentence without a marker whose figures one passage of this turn holds gets that passage's marker. With `lead`,
    the first sentence with figures must also pass the lead check."""
    tool_values = _values(tool_texts)
    cited = {int(n) for n in MARKER.findall(text) if int(n) in passages}
    answer_values = _values([passages[n] for n in cited])
    kept_lines, removed, lead_removed, first, lead_pending = [], [], False, True, lead is not None
    for line in sentences(text):
        kept = []
        for sentence in line:
            markers = {int(n) for n in MARKER.findall(sentence)}
            allowed = tool_values + (_values([passages[n] for n in markers if n in passages]) if markers
                                     else answer_values)
            found = figures(sentence)
            bad = [f for f in found if not grounded(f, allowed)]
            if bad and not markers and (n := source_of(found, passages)) is not None:
                sentence, bad, markers = f"{sentence.rstrip()} [{n}]", [], {n}  # a model that quoted without citing
            is_lead = lead is not None and lead_pending and bool(found)
            if is_lead:
                lead_pending = False
                relied = [passages[n] for n in (markers or cited) if n in passages]
                bad = bad or ([] if _lead_ok(found, lead, relied) else found)
            if bad:
                removed.append(sentence.strip())
                lead_removed = lead_removed or first or is_lead
            else:
                kept.append(sentence)
            first = False
        if kept:
            kept_lines.append("".join(kept).strip())
    return GuardResult("\n".join(kept_lines), removed, lead_removed)

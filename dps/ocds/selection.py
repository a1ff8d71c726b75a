"""The DPS's selection criteria in words, for ``tender.eligibilityCriteria``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from dps.filters import money

_TYPE_WORDS = {
    "pass_fail": "pass or fail",
    "yes_no_evidence": "yes or no, with evidence",
    "information": "for information",
    "file": "a document to upload",
}


def _counted(questions: list[dict]) -> str:
    counts: dict[str, int] = {}
    for question in questions:
        words = _TYPE_WORDS.get(question.get("type", ""), "other")
        counts[words] = counts.get(words, 0) + 1
    parts = [f"{count} {words}" for words, count in counts.items()]
    total = len(questions)
    return f"{total} question{'' if total == 1 else 's'}" + (
        f" ({'; '.join(parts)})" if parts else ""
    )


def _cover(raw: object) -> str | None:
    try:
        return money(Decimal(str(raw)))
    except (InvalidOperation, ValueError):
        return None


def selection_summary(questionnaire: dict, conditions_of_membership: str = "") -> str:
    """The selection questionnaire's sections, insurance required and any conditions."""
    sentences = [
        "Providers are admitted if they meet the selection criteria of this questionnaire."
    ]
    for section in questionnaire.get("sections", []):
        questions = section.get("questions", [])
        sentences.append(f"{section.get('title', 'Section')}: {_counted(questions)}.")
    insurance = []
    for policy in questionnaire.get("insurance_types", []):
        cover = _cover(policy.get("minimum_cover"))
        name = policy.get("name", "Insurance")
        insurance.append(f"{name} of at least {cover}" if cover else name)
    if insurance:
        sentences.append("Insurance required: " + "; ".join(insurance) + ".")
    if conditions_of_membership.strip():
        sentences.append("Conditions of membership: " + conditions_of_membership.strip())
    return " ".join(sentences)

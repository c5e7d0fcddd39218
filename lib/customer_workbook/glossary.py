"""Human labels for the code names the library uses (reasons to choose, dormancy groups, uplift segments).

One glossary for every text, table, legend and finding a reader sees: ``label("fast_brand")`` gives
"speed (fast brand)". A name the glossary does not know is shown with its underscores as spaces, so a
column name from the user's data reads as words and is never silently renamed into something else.
"""
from __future__ import annotations

__all__ = ["GLOSSARY", "label"]

#: Code name -> label, by family.
GLOSSARY: dict[str, str] = {
    # reasons to choose (step 1 of the method; survey items reason_<name>)
    "innovation": "innovation", "personalisation": "personalisation",
    "lack_of_alternatives": "lack of known alternatives", "sympathy": "sympathy for the brand",
    "marketing_packaging": "marketing and packaging", "unique_features": "unique features",
    "fast_brand": "speed (fast brand)", "pricing": "price", "social_proof": "social proof of quality",
    "bandwagon": "bandwagon effect",
    # dormancy groups (retention.winback)
    "half_sleepy": "half-sleepy",
    # uplift segments (retention.uplift)
    "persuadable": "persuadables", "sure_thing": "sure things", "lost_cause": "lost causes",
    "sleeping_dog": "sleeping dogs",
}


def label(name: object) -> str:
    """The reader's label of a code name: the glossary's, else the name with underscores as spaces."""
    text = str(name)
    return GLOSSARY.get(text, text.replace("_", " "))

"""Where the assessment's own settings and what it reads of supervision touch kept figures (core/kept.py).

- Its weights (`Weight`), the rating values (`RatingValue`) and a year frozen or unfrozen (`Freeze`, its
  `FrozenScore` rows) change the scores of every year: the family "assessment", every month.
- The inspections, their rectification items and the answers to them (supervision/models.py) are what its
  inspections and rectification measures count: the family "supervision", every month (an inspection recorded
  late, an item's deadline, an answer accepted reach back into the year they are dated in).

The receivers are connected in AssessmentConfig.ready(); supervision sits below assessment, so the models are
imported here.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from assessment.models import Freeze, FrozenScore, RatingValue, Weight
from core import kept
from supervision.models import Inspection, Rectification, Response

FAMILIES: dict[type[models.Model], str] = {
    Weight: "assessment",
    RatingValue: "assessment",
    Freeze: "assessment",
    FrozenScore: "assessment",
    Inspection: "supervision",
    Rectification: "supervision",
    Response: "supervision",
}


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    kept.touch(FAMILIES[sender], None)


def connect() -> None:
    """Connect the receivers (AssessmentConfig.ready)."""
    for model in FAMILIES:
        label = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"kept.{label}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kept.{label}.delete")


__all__ = ["FAMILIES", "connect"]

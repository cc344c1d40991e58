"""The rule of the public translation status page. Translating the interface is a rule about
roles, stated by auth (auth/permissions.py)."""

from __future__ import annotations

from webapp.policy import Action, Audience, Rule

RULES = {Action.TRANSLATION_STATUS: Rule(Audience.PUBLIC)}

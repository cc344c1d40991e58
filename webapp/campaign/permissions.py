"""The campaign's own rule: its public pages. Configuring it is for the top unit's admins, a
rule about roles, stated by auth (auth/permissions.py)."""

from __future__ import annotations

from webapp.policy import Action, Audience, Rule

RULES = {Action.CAMPAIGN_VIEW: Rule(Audience.PUBLIC)}

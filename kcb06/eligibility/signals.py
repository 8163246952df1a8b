"""Sent when a pending (unverified) eligibility check gets a real answer in the background:
check=EligibilityCheck, verdict=Verdict. Reception/visits update the visit from it."""

from django.dispatch import Signal

verdict_resolved = Signal()

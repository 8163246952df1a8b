"""Signals of the master patient index, so apps that hold patient rows (health book, payments)
move them on a merge and back on its undo without patients/ knowing their models.

Both are sent inside the merge transaction: a receiver that fails rolls the merge back.
"""

from django.dispatch import Signal

# patients_merged(source=Patient, target=Patient, merge=PatientMerge, principal=Principal):
# move your rows of `source` to `target`; record what you moved in merge.moved[<your key>]
# (a JSON-able list of ids) if you want to move them back on undo.
patients_merged = Signal()

# patients_unmerged(source=Patient, target=Patient, merge=PatientMerge, principal=Principal):
# move the rows recorded in merge.moved[<your key>] back to `source`.
patients_unmerged = Signal()

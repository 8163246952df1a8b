"""banksim: a small bank / payment-intermediary simulator for kcb06's cashless payments.

Its own code, imports nothing from kcb06 (like portalsim): it reads a VietQR text, "pays" it and
calls the hospital's webhook the way a bank would, with the faults real banks show (late,
duplicated, wrong amount, altered message, lost). See docs/payments.md.
"""

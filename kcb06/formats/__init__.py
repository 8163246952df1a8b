"""Date and number formats for every page and printout (FORMAT_MODULE_PATH in settings).

Dates are shown dd/mm/yyyy and times 24-hour, as Vietnamese forms and BHXH papers write them,
in both interface languages. Django's own Vietnamese formats spell dates out ("Ngày 06 tháng 12
năm 2026") or write them d-m-Y. The API and the XML keep ISO / the regulation's formats: they
never go through these.
"""

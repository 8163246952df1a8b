"""The facility admin's set-up check (`/facility/setup/`): can this facility's accounts check
BHYT cards, does the portal answer, and how long the signing certificate has left.

It gathers what lives in three apps (eligibility: lookup officers and the portal test;
interchange: the certificate), hence its place in `web`, the top layer.
"""

from django.shortcuts import render
from django.urls import reverse

from kcb06.eligibility import officers
from kcb06.eligibility.connection import check_portal_connection
from kcb06.facilities.access import role_required
from kcb06.facilities.adminunits import province_name
from kcb06.facilities.models import Role
from kcb06.interchange import certificates


@role_required(Role.FACILITY_ADMIN)
def facility_setup(request):
    principal = request.principal
    facility = principal.facility
    report = None
    if request.method == "POST" and request.POST.get("action") == "test_portal":
        report = check_portal_connection(principal)
    officer = officers.designated_officer(facility)
    return render(
        request,
        "web/setup.html",
        {
            "facility": facility,
            "ma_tinh_name": province_name(facility.portal_province_code),
            "officer": officer,
            "officer_problem": isinstance(officer, officers.OfficerProblem),
            "account_warnings": officers.accounts_that_cannot_look_up(facility),
            "no_id_number": officers.staff_without_id_number(facility),
            "cert": certificates.status(facility),
            "report": report,
            "facility_admin_url": reverse("admin:facilities_facility_change", args=[facility.pk]),
        },
    )

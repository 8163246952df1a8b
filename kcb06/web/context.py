from django.urls import NoReverseMatch, reverse

from kcb06.web.nav import NAV_ITEMS


def navigation(request):
    principal = getattr(request, "principal", None)
    if principal is None or principal.profile is None:
        return {"nav_items": [], "principal": principal}
    items = []
    for url_name, label, roles in NAV_ITEMS:
        if principal.role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items, "principal": principal}

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
        active = request.path.startswith(url) if url != "/" else request.path == "/"
        items.append({"name": url_name, "url": url, "label": label, "active": active})
    # Nested pages (/reception/today/ under /reception/): only the closest entry is active.
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return {"nav_items": items, "principal": principal}

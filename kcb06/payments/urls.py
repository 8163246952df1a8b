app_name = "payments"
urlpatterns: list = []
